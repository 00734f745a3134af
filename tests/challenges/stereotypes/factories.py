"""Factories for the stereotypes challenge's models."""

import factory

from challenges.models import Challenge, ContributionStatus
from challenges.stereotypes.domain import get_consent_text
from challenges.stereotypes.models import (
    StereotypeConsent,
    StereotypeConsentText,
    StereotypePair,
    StereotypeProfile,
    StereotypeRating,
)
from challenges.text import fingerprint, normalize
from tests.factories import ChallengeFactory, UserFactory


class StereotypesChallengeFactory(ChallengeFactory):
    slug = "stereotypes"
    kind = Challenge.Kind.STEREOTYPES
    title_es = "Estereotipos"
    title_pt = "Estereótipos"
    title_en = "Stereotypes"


class ConsentTextFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StereotypeConsentText

    challenge = factory.SubFactory(StereotypesChallengeFactory)
    version = factory.Sequence(lambda n: f"v{n + 2}")
    text_es = "Texto de consentimiento."
    text_pt = "Texto de consentimento."
    text_en = "Consent text."


class PairFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StereotypePair

    challenge = factory.SubFactory(StereotypesChallengeFactory)
    external_id = factory.Sequence(lambda n: f"p-{n:05d}")
    language = "es"
    nationality = factory.Sequence(lambda n: f"nacionales {n}")
    attribute = factory.Sequence(lambda n: f"atributo {n}")
    nationality_key = factory.LazyAttribute(lambda pair: normalize(pair.nationality))
    fingerprint = factory.LazyAttribute(
        lambda pair: fingerprint(pair.language, pair.nationality, pair.attribute)
    )


class StereotypeProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StereotypeProfile

    user = factory.SubFactory(UserFactory)
    challenge = factory.SubFactory(StereotypesChallengeFactory)
    languages = ["es"]
    nationalities = ["peruanos"]
    regions = []


class RatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StereotypeRating

    pair = factory.SubFactory(PairFactory)
    challenge = factory.SelfAttribute("pair.challenge")
    author = factory.SubFactory(UserFactory)
    rating = 4
    skipped = False
    status = ContributionStatus.VALIDATED

    class Params:
        skip = factory.Trait(rating=None, skipped=True, status=ContributionStatus.DRAFT)


def make_ready(user, challenge, *, languages=("es",), nationalities=("peruanos",), regions=()):
    """The person accepted the current consent version and said what they read."""
    text = get_consent_text(challenge=challenge)
    StereotypeConsent.objects.get_or_create(user=user, challenge=challenge, version=text.version)
    profile, _created = StereotypeProfile.objects.update_or_create(
        user=user,
        challenge=challenge,
        defaults={
            "languages": list(languages),
            "nationalities": list(nationalities),
            "regions": list(regions),
        },
    )
    return profile
