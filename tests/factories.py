"""factory_boy factories for the platform's models."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Consent, Profile, User
from challenges.models import Challenge, Edition
from teams.models import Membership, Team

PASSWORD = "correct-horse-battery-staple-42"


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Edition
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"edition-{n}")
    name = factory.Sequence(lambda n: f"Hackathon {n}")
    hub_organization = "somosnlp-hackathon-test"
    time_zone = "Etc/GMT+12"
    team_min_size = 1
    team_max_size = 5
    team_deadline = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))
    max_total_points = Decimal("10")
    consent_version = "v1"
    consent_text_es = "Tus aportaciones se publicarán como datos abiertos."
    consent_text_pt = "Suas contribuições serão publicadas como dados abertos."
    consent_text_en = "Your contributions will be published as open data."
    is_current = True


class ChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Challenge

    edition = factory.SubFactory(EditionFactory)
    slug = factory.Sequence(lambda n: f"challenge-{n}")
    kind = Challenge.Kind.INCLUDE
    category = Challenge.Category.MINI
    title_es = factory.Sequence(lambda n: f"Reto {n}")
    title_pt = factory.Sequence(lambda n: f"Desafio {n}")
    title_en = factory.Sequence(lambda n: f"Challenge {n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=10))
    max_points = Decimal("1")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def with_profile(self, create, extracted, **kwargs):
        if create and extracted is not False:
            ProfileFactory(user=self)
        if create:
            self.save()


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory, with_profile=False)
    display_name = factory.Sequence(lambda n: f"Persona {n}")
    discord_username = factory.Sequence(lambda n: f"persona_{n}")
    hub_username = factory.Sequence(lambda n: f"persona-{n}")
    country = "PE"
    languages = ["es"]


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    user = factory.SubFactory(UserFactory)
    edition = factory.SubFactory(EditionFactory)
    version = factory.SelfAttribute("edition.consent_version")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    edition = factory.SubFactory(EditionFactory)
    name = factory.Sequence(lambda n: f"Equipo {n}")
    countries = ["PE", "ES"]


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    edition = factory.SelfAttribute("team.edition")
    role = Membership.Role.MEMBER


def make_team(*, edition, members: int = 1, name: str | None = None) -> Team:
    """A team whose first member is its captain."""
    team = TeamFactory(edition=edition, **({"name": name} if name else {}))
    for index in range(members):
        MembershipFactory(
            team=team, role=Membership.Role.CAPTAIN if index == 0 else Membership.Role.MEMBER
        )
    return team


def assign_judge(*, challenge, team, judge, capacity: int = 15):
    """A judge of the edition (with a seat) assigned ``team`` in ``challenge`` by hand."""
    from judging.models import Assignment, EditionJudge

    EditionJudge.objects.get_or_create(
        edition_id=challenge.edition_id, user=judge, defaults={"capacity": capacity}
    )
    return Assignment.objects.get_or_create(
        challenge=challenge, team=team, judge=judge, defaults={"source": "manual"}
    )[0]
