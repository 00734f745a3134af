"""The participants' pages (consent, profile, validator) and the organizers' invalidation page."""

import datetime as dt

import pytest
from django.utils import timezone

from challenges.models import ContributionStatus, ReviewDecision
from challenges.stereotypes import domain
from challenges.stereotypes.models import (
    StereotypeConsent,
    StereotypePair,
    StereotypeProfile,
    StereotypeRating,
)
from tests.challenges.stereotypes.factories import (
    ConsentTextFactory,
    PairFactory,
    RatingFactory,
    StereotypesChallengeFactory,
    make_ready,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def url(challenge, page=""):
    return f"/stereotypes/{challenge.slug}/{page + '/' if page else ''}"


# --- consent and profile ----------------------------------------------------------------------


def test_the_path_is_consent_then_profile_then_pairs(client, participant, challenge):
    pair = PairFactory(challenge=challenge, nationality="peruanos", attribute="amables")
    participant.profile.languages = ["es", "qu"]
    participant.profile.save()
    client.force_login(participant)
    response = client.get(url(challenge))
    assert response.status_code == 302 and response["Location"] == url(challenge, "consent")
    page = client.get(url(challenge, "consent"), **EN).content.decode()
    assert domain.DEFAULT_CONSENT_TEXT["en"].split(".")[0] in page and "Version 1" in page
    response = client.post(url(challenge, "consent"), {"version": "1", "accept": "on"})
    assert response["Location"] == url(challenge, "profile")
    consent = StereotypeConsent.objects.get(user=participant)
    assert consent.version == "1" and consent.accepted_at is not None
    assert client.get(url(challenge))["Location"] == url(challenge, "profile")
    # The profile form starts from the languages of the participant's registration.
    form = client.get(url(challenge, "profile")).context["form"]
    assert form.initial["languages"] == ["es", "qu"]
    response = client.post(
        url(challenge, "profile"),
        {"languages": ["es"], "nationalities": "Peruanos, bolivianos", "regions": "Cusco"},
    )
    assert response["Location"] == url(challenge)
    profile = StereotypeProfile.objects.get(user=participant)
    assert profile.nationalities == ["peruanos", "bolivianos"] and profile.regions == ["Cusco"]
    response = client.get(url(challenge), **EN)
    assert response.status_code == 200 and response.context["state"].pair == pair
    page = response.content.decode()
    assert "peruanos" in page and "amables" in page and 'hx-post="/stereotypes/' in page


def test_the_consent_page_shows_an_acceptance(client, rater, challenge):
    client.force_login(rater)
    page = client.get(url(challenge, "consent"), **EN).content.decode()
    assert "You accepted this version" in page and 'name="accept"' not in page


def test_a_new_consent_version_asks_again(client, rater, challenge):
    ConsentTextFactory(challenge=challenge, version="2", text_en="New terms.")
    client.force_login(rater)
    assert client.get(url(challenge))["Location"] == url(challenge, "consent")
    page = client.get(url(challenge, "consent"), **EN).content.decode()
    assert "New terms." in page and "Version 2" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"version": "1"}, "Tick the box"),
        ({"accept": "on"}, "has changed"),
        ({"version": "0", "accept": "on"}, "has changed"),
    ],
)
def test_bad_consent_posts_record_nothing(client, participant, challenge, data, message):
    client.force_login(participant)
    response = client.post(url(challenge, "consent"), data, **EN)
    assert response.status_code == 400 and message in response.content.decode()
    assert not StereotypeConsent.objects.exists()


def test_the_profile_page_needs_the_consent_first(client, participant, challenge):
    client.force_login(participant)
    assert client.get(url(challenge, "profile"))["Location"] == url(challenge, "consent")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"nationalities": "peruanos"}, "languages", "Choose at least one language"),
        (
            {"languages": ["xx"], "nationalities": "peruanos"},
            "languages",
            "not one of the available choices",
        ),
        ({"languages": ["es"], "nationalities": ""}, "nationalities", "at least one nationality"),
        (
            {"languages": ["es"], "nationalities": " , ; "},
            "nationalities",
            "at least one nationality",
        ),
        (
            {"languages": ["es"], "nationalities": ",".join(f"n{i}" for i in range(11))},
            "nationalities",
            "At most 10",
        ),
        ({"languages": ["es"], "nationalities": "<i>x</i>"}, "nationalities", "HTML"),
        (
            {"languages": ["es"], "nationalities": "a", "regions": "r1,r2,r3,r4,r5,r6"},
            "regions",
            "At most 5",
        ),
        ({"languages": ["es"], "nationalities": "a" * 1001}, "nationalities", "at most 1000"),
    ],
)
def test_bad_profiles_from_the_page_change_nothing(
    client, participant, challenge, data, field, message
):
    domain.accept_consent(
        user=participant,
        challenge=challenge,
        version=domain.get_consent_text(challenge=challenge).version,
    )
    client.force_login(participant)
    response = client.post(url(challenge, "profile"), data, **EN)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not StereotypeProfile.objects.exists()


def test_the_profile_page_suggests_the_pool_nationalities(client, rater, challenge):
    PairFactory(challenge=challenge, nationality="Argentinos")
    client.force_login(rater)
    response = client.get(url(challenge, "profile"), **EN)
    assert "argentinos" in response.content.decode()
    assert response.context["form"].initial["nationalities"] == "peruanos"


# --- the validator ------------------------------------------------------------------------------


def test_htmx_rating_answers_the_next_pair_as_a_partial(client, rater, challenge):
    first, second = PairFactory.create_batch(2, challenge=challenge)
    client.force_login(rater)
    response = client.post(
        url(challenge, "rate"), {"pair": first.pk, "action": "rate", "rating": "4"}, **HTMX, **EN
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page and 'id="validator"' in page
    assert second.attribute in page and first.attribute not in page
    assert "autofocus" in page and 'hx-swap-oob="true"' in page and "Rating saved" in page
    rating = StereotypeRating.objects.get()
    assert (rating.pair, rating.rating, rating.status) == (first, 4, ContributionStatus.VALIDATED)


def test_without_javascript_the_form_posts_then_redirects(client, rater, challenge):
    first, second = PairFactory.create_batch(2, challenge=challenge)
    client.force_login(rater)
    response = client.post(
        url(challenge, "rate"),
        {
            "pair": first.pk,
            "rating": "2",
            "extra_attribute": "cultos",
            "other_nationalities": "chilenos, bolivianos",
            "region": "Lima",
        },
        **EN,  # the message is written in the language of the request that adds it
    )
    assert response.status_code == 302 and response["Location"] == url(challenge)
    rating = StereotypeRating.objects.get()
    assert rating.other_nationalities == ["chilenos", "bolivianos"] and rating.region == "Lima"
    response = client.get(url(challenge), **EN)
    assert response.context["state"].pair == second
    assert "Rating saved" in response.content.decode()
    assert "autofocus" not in response.content.decode()


def test_skipping_shows_the_next_pair_and_never_counts(client, rater, challenge):
    first, second = PairFactory.create_batch(2, challenge=challenge)
    client.force_login(rater)
    response = client.post(url(challenge, "rate"), {"pair": first.pk, "action": "skip"}, **HTMX)
    assert second.attribute in response.content.decode()
    skip = StereotypeRating.objects.get()
    assert skip.skipped and skip.rating is None and skip.status == ContributionStatus.DRAFT


def test_a_double_clicked_submit_stores_one_rating(client, rater, challenge):
    pair, _other = PairFactory.create_batch(2, challenge=challenge)
    client.force_login(rater)
    for _ in range(2):
        client.post(url(challenge, "rate"), {"pair": pair.pk, "rating": "5"}, **HTMX)
    assert StereotypeRating.objects.count() == 1


def test_the_region_starts_from_the_profile(client, challenge, participant):
    make_ready(participant, challenge, regions=["cusco"])
    PairFactory(challenge=challenge)
    client.force_login(participant)
    assert client.get(url(challenge)).context["form"].initial["region"] == "cusco"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"action": "rate"}, "rating", "Choose how strongly"),
        ({"rating": "6"}, "rating", "Select a valid choice"),
        ({"rating": "0"}, "rating", "Select a valid choice"),
        ({"rating": "mucho"}, "rating", "Select a valid choice"),
        ({"rating": "3", "action": "delete"}, "action", "Select a valid choice"),
        ({"rating": "3", "extra_attribute": "x" * 201}, "extra_attribute", "at most 200"),
        (
            {"rating": "3", "extra_attribute": "<script>alert(1)</script>"},
            "extra_attribute",
            "HTML",
        ),
        ({"rating": "3", "region": "x" * 121}, "region", "at most 120"),
        (
            {"rating": "3", "other_nationalities": ",".join(f"n{i}" for i in range(11))},
            "other_nationalities",
            "At most 10",
        ),
        ({"rating": "3", "other_nationalities": "x" * 101}, "other_nationalities", "too long"),
    ],
)
def test_bad_ratings_show_the_same_pair_with_a_message(
    client, rater, challenge, data, field, message
):
    pair, _other = PairFactory.create_batch(2, challenge=challenge)
    client.force_login(rater)
    response = client.post(url(challenge, "rate"), {"pair": pair.pk, **data}, **EN)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert response.context["state"].pair == pair
    # htmx gets the partial back (htmx swaps 2xx answers only), with the message in it.
    response = client.post(url(challenge, "rate"), {"pair": pair.pk, **data}, **HTMX, **EN)
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page and 'id="validator"' in page
    assert f'name="pair" value="{pair.pk}"' in page and "errorlist" in page
    assert not StereotypeRating.objects.exists()


@pytest.mark.parametrize("pair_value", ["", "abc", "-3", "999999"])
def test_a_tampered_pair_stores_nothing(client, rater, challenge, pair_value):
    PairFactory(challenge=challenge)
    client.force_login(rater)
    response = client.post(
        url(challenge, "rate"), {"pair": pair_value, "rating": "3"}, follow=True, **EN
    )
    if pair_value == "999999":
        assert response.status_code == 200 and "not in the challenge" in response.content.decode()
    else:
        assert (
            response.status_code == 400
            and "was not found; nothing was saved" in response.content.decode()
        )
    assert not StereotypeRating.objects.exists()


def test_a_pair_in_a_language_one_does_not_read_is_refused(client, rater, challenge):
    portuguese = PairFactory(challenge=challenge, language="pt")
    client.force_login(rater)
    response = client.post(
        url(challenge, "rate"), {"pair": portuguese.pk, "rating": "3"}, **HTMX, **EN
    )
    assert "not in a language you read" in response.content.decode()
    assert not StereotypeRating.objects.exists()


def test_an_empty_state_when_everything_is_answered(client, rater, challenge):
    client.force_login(rater)
    page = client.get(url(challenge), **EN).content.decode()
    assert "No pairs to rate yet" in page
    pair = PairFactory(challenge=challenge)
    response = client.post(url(challenge, "rate"), {"pair": pair.pk, "rating": "1"}, **HTMX, **EN)
    assert "You have answered every pair" in response.content.decode()
    assert "You have answered every pair" in client.get(url(challenge), **EN).content.decode()


def test_a_closed_challenge_shows_when_it_closed_instead_of_a_pair(client, rater, edition):
    now = timezone.now()
    closed = StereotypesChallengeFactory(
        edition=edition,
        slug="cerrado",
        opens_at=now - dt.timedelta(days=9),
        closes_at=now - dt.timedelta(days=1),
    )
    PairFactory(challenge=closed)
    client.force_login(rater)
    response = client.get(url(closed), **EN)
    assert response.status_code == 200 and "closed on" in response.content.decode()
    assert response.context["form"] is None
    response = client.post(
        url(closed, "rate"), {"pair": closed.pk, "rating": "3"}, follow=True, **EN
    )
    assert "closed on" in response.content.decode()
    assert not StereotypeRating.objects.exists()


def test_an_upcoming_challenge_shows_when_it_opens(client, rater, edition):
    now = timezone.now()
    upcoming = StereotypesChallengeFactory(
        edition=edition,
        slug="pronto",
        opens_at=now + dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=9),
    )
    client.force_login(rater)
    assert "opens on" in client.get(url(upcoming), **EN).content.decode()


def test_a_challenge_of_another_kind_is_not_found(client, rater, edition):
    from tests.factories import ChallengeFactory

    ChallengeFactory(edition=edition, slug="include")
    client.force_login(rater)
    assert client.get("/stereotypes/include/").status_code == 404
    assert client.get("/stereotypes/no-such/").status_code == 404


def test_the_challenge_page_links_to_the_validator(client, rater, challenge):
    client.force_login(rater)
    page = client.get(f"/challenges/{challenge.slug}/", **EN).content.decode()
    assert f'href="/stereotypes/{challenge.slug}/"' in page


def test_pair_text_is_escaped(client, rater, challenge):
    PairFactory(challenge=challenge, attribute='"><script>alert(1)</script>')
    client.force_login(rater)
    page = client.get(url(challenge)).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


# --- invalidation -------------------------------------------------------------------------------


def test_organizers_invalidate_a_person_from_the_page(client, organizer, rater, challenge):
    RatingFactory.create_batch(2, pair__challenge=challenge, author=rater)
    client.force_login(organizer)
    page = client.get(url(challenge, "invalidate"), **EN).content.decode()
    assert f"#{rater.pk}" in page and rater.profile.display_name in page and rater.email not in page
    response = client.post(
        url(challenge, "invalidate"), {"person": rater.email, "reason": "spam"}, follow=True, **EN
    )
    assert "2 ratings of participant" in response.content.decode()
    assert set(StereotypeRating.objects.values_list("status", flat=True)) == {
        ContributionStatus.INVALIDATED
    }
    assert ReviewDecision.objects.filter(decided_by=organizer, reason="spam").count() == 2


def test_the_invalidation_form_is_prefilled_from_the_list(client, organizer, rater, challenge):
    client.force_login(organizer)
    response = client.get(url(challenge, "invalidate") + f"?person=%23{rater.pk}")
    assert response.context["form"].initial["person"] == f"#{rater.pk}"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"person": "", "reason": "spam"}, "This field is required."),
        ({"person": "nobody@example.org", "reason": "spam"}, "No participant matches this."),
        ({"person": "{email}", "reason": ""}, "This field is required."),
        ({"person": "{email}", "reason": "   "}, "This field is required."),
        ({"person": "{email}", "reason": "x" * 501}, "at most 500"),
        ({"person": "{email}", "reason": "<b>spam</b>"}, "HTML"),
        ({"person": "{other}", "reason": "spam"}, "no validated ratings"),
    ],
)
def test_bad_invalidations_change_nothing(client, organizer, rater, challenge, data, message):
    RatingFactory(pair__challenge=challenge, author=rater)
    other = RatingFactory(pair__challenge=challenge, status=ContributionStatus.INVALIDATED).author
    client.force_login(organizer)
    data = {key: value.format(email=rater.email, other=other.email) for key, value in data.items()}
    response = client.post(url(challenge, "invalidate"), data, **EN)
    assert response.status_code == 400 and message in response.content.decode()
    assert StereotypeRating.objects.filter(status=ContributionStatus.VALIDATED).count() == 1
    assert not ReviewDecision.objects.exists()


def test_the_shared_review_queue_and_export_work_for_ratings(client, organizer, challenge):
    rating = RatingFactory(
        pair__challenge=challenge, status=ContributionStatus.PENDING, extra_attribute="cultos"
    )
    client.force_login(organizer)
    page = client.get(f"/organize/{challenge.slug}/review/", **EN).content.decode()
    assert rating.pair.attribute in page and "cultos" in page and "Other nationalities" in page
    client.post(
        f"/organize/{challenge.slug}/review/decide/",
        {"ids": [rating.pk], "status": "validated", "reason": ""},
    )
    rating.refresh_from_db()
    assert rating.status == ContributionStatus.VALIDATED
    export = b"".join(
        client.get(f"/organize/{challenge.slug}/export.csv").streaming_content
    ).decode()
    assert "pair_external_id" in export and rating.pair.external_id in export
    assert "@" not in export


@pytest.mark.parametrize(
    "model",
    [
        "stereotypeconsenttext",
        "stereotypeconsent",
        "stereotypeprofile",
        "stereotypepair",
        "stereotyperating",
    ],
)
def test_the_admin_lists_and_edits_every_model(client, organizer, rater, challenge, model):
    rating = RatingFactory(pair__challenge=challenge, author=rater)
    objects = {
        "stereotypeconsenttext": domain.get_consent_text(challenge=challenge),
        "stereotypeconsent": StereotypeConsent.objects.get(user=rater),
        "stereotypeprofile": StereotypeProfile.objects.get(user=rater),
        "stereotypepair": rating.pair,
        "stereotyperating": rating,
    }
    client.force_login(organizer)
    listing = client.get(f"/admin/stereotypes/{model}/?q=a")
    assert listing.status_code == 200
    assert client.get(f"/admin/stereotypes/{model}/{objects[model].pk}/change/").status_code == 200


def test_an_accepted_consent_version_is_read_only_in_the_admin(client, organizer, rater, challenge):
    text = domain.get_consent_text(challenge=challenge)
    client.force_login(organizer)
    page = client.get(f"/admin/stereotypes/stereotypeconsenttext/{text.pk}/change/")
    assert 'name="text_es"' not in page.content.decode()
    listing = client.get("/admin/stereotypes/stereotypeconsenttext/")
    assert listing.context["cl"].result_list[0].acceptance_count == 1


def test_the_admin_refuses_a_pair_already_in_the_pool(client, organizer, challenge):
    PairFactory(challenge=challenge, external_id="p-1", nationality="Peruanos", attribute="amables")
    client.force_login(organizer)
    data = {
        "challenge": challenge.pk,
        "external_id": "p-2",
        "language": "es",
        "nationality": "peruanos ",
        "attribute": "AMABLES",
    }
    response = client.post("/admin/stereotypes/stereotypepair/add/", data, **EN)
    assert response.status_code == 200 and "already has this pair" in response.content.decode()
    data["attribute"] = "alegres"
    response = client.post("/admin/stereotypes/stereotypepair/add/", data)
    assert response.status_code == 302
    pair = StereotypePair.objects.get(external_id="p-2")
    assert pair.nationality_key == "peruanos" and len(pair.fingerprint) == 64
