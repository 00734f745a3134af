import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from challenges.domain import (
    ContributionRefused,
    contributions_changed,
    count_by_status,
    decide_contributions,
)
from challenges.models import ContributionStatus, ReviewDecision, WindowExtension
from challenges.stereotypes import domain
from challenges.stereotypes.intake import EXPORT_FIELDS, export_rows
from challenges.stereotypes.models import (
    StereotypeConsent,
    StereotypeConsentText,
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
from tests.factories import UserFactory, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced():
    """The authors whose counts were announced to scoring, after each commit."""
    calls = []

    def receiver(sender, challenge, author_ids, **kwargs):
        calls.append((challenge.pk, list(author_ids)))

    contributions_changed.connect(receiver)
    yield calls
    contributions_changed.disconnect(receiver)


# --- consent ----------------------------------------------------------------------------------


def test_a_challenge_without_consent_text_gets_the_default_once(challenge):
    first = domain.get_consent_text(challenge=challenge)
    second = domain.get_consent_text(challenge=challenge)
    assert first.pk == second.pk
    assert first.version == domain.DEFAULT_CONSENT_VERSION
    assert first.text_es and first.text_pt and first.text_en
    assert StereotypeConsentText.objects.filter(challenge=challenge).count() == 1


def test_the_newest_version_is_current_and_asks_again(challenge, participant):
    old = domain.get_consent_text(challenge=challenge)
    domain.accept_consent(user=participant, challenge=challenge, version=old.version)
    assert domain.has_accepted_consent(user=participant, challenge=challenge, version=old.version)
    new = ConsentTextFactory(challenge=challenge, version="2025-05")
    assert domain.get_consent_text(challenge=challenge).pk == new.pk
    assert not domain.has_accepted_consent(
        user=participant, challenge=challenge, version=new.version
    )


def test_accepting_records_version_and_time_once(challenge, participant):
    text = domain.get_consent_text(challenge=challenge)
    first = domain.accept_consent(user=participant, challenge=challenge, version=text.version)
    again = domain.accept_consent(user=participant, challenge=challenge, version=text.version)
    assert first.pk == again.pk and first.accepted_at == again.accepted_at
    assert StereotypeConsent.objects.filter(user=participant).count() == 1


def test_an_outdated_version_cannot_be_accepted(challenge, participant):
    domain.get_consent_text(challenge=challenge)
    ConsentTextFactory(challenge=challenge, version="2")
    with pytest.raises(ContributionRefused, match="has changed"):
        domain.accept_consent(user=participant, challenge=challenge, version="1")
    assert not StereotypeConsent.objects.exists()


def test_consent_is_unique_per_person_challenge_and_version(challenge, participant):
    StereotypeConsent.objects.create(user=participant, challenge=challenge, version="1")
    with pytest.raises(IntegrityError), transaction.atomic():
        StereotypeConsent.objects.create(user=participant, challenge=challenge, version="1")


# --- profile ----------------------------------------------------------------------------------


def accept(user, challenge):
    text = domain.get_consent_text(challenge=challenge)
    domain.accept_consent(user=user, challenge=challenge, version=text.version)


def test_the_profile_comes_after_the_consent(challenge, participant):
    with pytest.raises(ContributionRefused, match="consent"):
        domain.save_profile(
            user=participant, challenge=challenge, languages=["es"], nationalities=["peruanos"]
        )
    assert not StereotypeProfile.objects.exists()


def test_the_profile_stores_normalized_unique_lists(challenge, participant):
    accept(participant, challenge)
    profile = domain.save_profile(
        user=participant,
        challenge=challenge,
        languages=["es", "pt", "es"],
        nationalities=["  Peruanos ", "peruanos", "BOLIVIANOS"],
        regions=["Cusco"],
    )
    assert profile.languages == ["es", "pt"]
    assert profile.nationalities == ["peruanos", "bolivianos"]
    assert profile.regions == ["Cusco"]
    again = domain.save_profile(
        user=participant, challenge=challenge, languages=["en"], nationalities=["mexicanos"]
    )
    assert again.pk == profile.pk and again.languages == ["en"] and again.regions == []


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"languages": [], "nationalities": ["peruanos"]}, "at least one language"),
        ({"languages": ["xx"], "nationalities": ["peruanos"]}, "Unknown language"),
        ({"languages": ["es"], "nationalities": []}, "at least one nationality"),
        ({"languages": ["es"], "nationalities": [f"n{i}" for i in range(11)]}, "At most 10"),
        ({"languages": ["es"], "nationalities": ["x" * 101]}, "too long"),
        ({"languages": ["es"], "nationalities": ["<b>peruanos</b>"]}, "HTML"),
        (
            {"languages": ["es"], "nationalities": ["a"], "regions": [f"r{i}" for i in range(6)]},
            "At most 5",
        ),
    ],
)
def test_bad_profiles_are_refused(challenge, participant, values, message):
    accept(participant, challenge)
    with pytest.raises(ContributionRefused, match=message):
        domain.save_profile(user=participant, challenge=challenge, **values)
    assert not StereotypeProfile.objects.exists()


def test_split_list_accepts_commas_semicolons_and_lines():
    assert domain.split_list("Peruanos, bolivianos;\nchilenos,,  peruanos ") == [
        "Peruanos",
        "bolivianos",
        "chilenos",
        "peruanos",
    ]
    assert domain.split_list("") == []


# --- the next pair ----------------------------------------------------------------------------


def test_next_pair_is_in_a_language_the_person_reads(challenge, rater):
    PairFactory(challenge=challenge, language="pt")
    spanish = PairFactory(challenge=challenge, language="es")
    assert domain.find_next_pair(challenge=challenge, user=rater, languages=["es"]) == spanish
    assert domain.find_next_pair(challenge=challenge, user=rater, languages=["en"]) is None
    assert domain.find_next_pair(challenge=challenge, user=rater, languages=[]) is None


def test_next_pair_is_never_one_already_rated_or_skipped(challenge, rater):
    rated, skipped, fresh = PairFactory.create_batch(3, challenge=challenge)
    RatingFactory(pair=rated, author=rater)
    RatingFactory(pair=skipped, author=rater, skip=True)
    RatingFactory(pair=rated, author=UserFactory())  # someone else's rating does not hide it
    assert domain.find_next_pair(challenge=challenge, user=rater, languages=["es"]) == fresh
    RatingFactory(pair=fresh, author=rater)
    assert domain.find_next_pair(challenge=challenge, user=rater, languages=["es"]) is None


def test_next_pair_is_the_least_rated_then_the_oldest(challenge, rater):
    older, newer = PairFactory.create_batch(2, challenge=challenge)
    StereotypePair.objects.filter(pk=older.pk).update(times_rated=3)
    assert domain.find_next_pair(challenge=challenge, user=rater, languages=["es"]) == newer
    StereotypePair.objects.filter(pk=newer.pk).update(times_rated=3)
    assert domain.find_next_pair(challenge=challenge, user=rater, languages=["es"]) == older


def test_next_pair_ignores_other_challenges(challenge, rater, edition):
    other = StereotypesChallengeFactory(edition=edition, slug="stereotypes-2")
    PairFactory(challenge=other)
    assert domain.find_next_pair(challenge=challenge, user=rater, languages=["es"]) is None


def test_next_pair_takes_one_query_whatever_the_history(
    challenge, rater, django_assert_num_queries
):
    pairs = PairFactory.create_batch(6, challenge=challenge)
    for pair in pairs[:5]:
        RatingFactory(pair=pair, author=rater)
    with django_assert_num_queries(1):
        assert (
            domain.find_next_pair(challenge=challenge, user=rater, languages=["es", "pt"])
            == pairs[5]
        )


# --- rating and skipping ----------------------------------------------------------------------


def test_a_rating_counts_at_once(challenge, rater, announced, django_capture_on_commit_callbacks):
    pair = PairFactory(challenge=challenge, nationality="Peruanos")
    with django_capture_on_commit_callbacks(execute=True):
        rating, created = domain.rate_pair(
            challenge=challenge,
            user=rater,
            pair_id=pair.pk,
            rating=5,
            extra_attribute="  muy   amables ",
            other_nationalities=["Bolivianos", "bolivianos"],
            region="Cusco",
        )
    assert created
    assert rating.status == ContributionStatus.VALIDATED and rating.rating == 5
    assert rating.extra_attribute == "muy amables"
    assert rating.other_nationalities == ["bolivianos"]
    assert rating.region == "Cusco"
    assert rating.own_nationality  # "peruanos" is in the rater's nationalities
    pair.refresh_from_db()
    assert pair.times_rated == 1
    assert (
        count_by_status(model=StereotypeRating, challenge=challenge, author_ids=[rater.pk])[
            ContributionStatus.VALIDATED
        ]
        == 1
    )
    assert announced == [(challenge.pk, [rater.pk])]


def test_a_double_submission_stores_one_rating(challenge, rater):
    pair = PairFactory(challenge=challenge)
    first, created = domain.rate_pair(challenge=challenge, user=rater, pair_id=pair.pk, rating=3)
    again, created_again = domain.rate_pair(
        challenge=challenge, user=rater, pair_id=pair.pk, rating=1
    )
    assert created and not created_again and first.pk == again.pk
    assert StereotypeRating.objects.get().rating == 3
    pair.refresh_from_db()
    assert pair.times_rated == 1


def test_one_row_per_person_and_pair_in_the_database(challenge, rater):
    pair = PairFactory(challenge=challenge)
    RatingFactory(pair=pair, author=rater)
    with pytest.raises(IntegrityError), transaction.atomic():
        RatingFactory(pair=pair, author=rater, skip=True)


def test_a_skip_never_counts_and_is_not_shown_again(
    challenge, rater, announced, django_capture_on_commit_callbacks
):
    pair = PairFactory(challenge=challenge)
    with django_capture_on_commit_callbacks(execute=True):
        skip, created = domain.skip_pair(challenge=challenge, user=rater, pair_id=pair.pk)
    assert created and skip.skipped and skip.rating is None
    assert skip.status == ContributionStatus.DRAFT
    counts = count_by_status(model=StereotypeRating, challenge=challenge, author_ids=[rater.pk])
    assert counts[ContributionStatus.VALIDATED] == 0 and counts["submitted"] == 0
    assert domain.find_next_pair(challenge=challenge, user=rater, languages=["es"]) is None
    pair.refresh_from_db()
    assert pair.times_rated == 0
    assert announced == []
    # Rating it afterwards changes nothing: one answer per pair.
    again, created = domain.rate_pair(challenge=challenge, user=rater, pair_id=pair.pk, rating=2)
    assert not created and again.pk == skip.pk and again.skipped


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rating": 0}, "from 1 to 5"),
        ({"rating": 6}, "from 1 to 5"),
        ({"rating": True}, "from 1 to 5"),
        ({"rating": "4"}, "from 1 to 5"),
        ({"rating": 3, "extra_attribute": "x" * 201}, "at most 200"),
        ({"rating": 3, "region": "x" * 121}, "at most 120"),
        ({"rating": 3, "extra_attribute": "<script>x</script>"}, "HTML"),
        ({"rating": 3, "other_nationalities": [f"n{i}" for i in range(11)]}, "At most 10"),
    ],
)
def test_bad_ratings_are_refused(challenge, rater, kwargs, message):
    pair = PairFactory(challenge=challenge)
    with pytest.raises(ContributionRefused, match=message):
        domain.rate_pair(challenge=challenge, user=rater, pair_id=pair.pk, **kwargs)
    assert not StereotypeRating.objects.exists()


def test_only_pairs_of_this_challenge_in_a_language_one_reads(challenge, rater, edition):
    other = PairFactory(challenge=StereotypesChallengeFactory(edition=edition, slug="otro"))
    portuguese = PairFactory(challenge=challenge, language="pt")
    with pytest.raises(ContributionRefused, match="not in the challenge"):
        domain.rate_pair(challenge=challenge, user=rater, pair_id=other.pk, rating=3)
    with pytest.raises(ContributionRefused, match="not in a language you read"):
        domain.skip_pair(challenge=challenge, user=rater, pair_id=portuguese.pk)
    with pytest.raises(ContributionRefused, match="not in the challenge"):
        domain.rate_pair(challenge=challenge, user=rater, pair_id=999999, rating=3)
    assert not StereotypeRating.objects.exists()


def test_consent_then_profile_are_needed_to_rate(challenge, participant):
    pair = PairFactory(challenge=challenge)
    with pytest.raises(ContributionRefused, match="consent"):
        domain.rate_pair(challenge=challenge, user=participant, pair_id=pair.pk, rating=3)
    accept(participant, challenge)
    with pytest.raises(ContributionRefused, match="which languages"):
        domain.rate_pair(challenge=challenge, user=participant, pair_id=pair.pk, rating=3)
    make_ready(participant, challenge)
    ConsentTextFactory(challenge=challenge, version="nueva")  # a new version asks again
    with pytest.raises(ContributionRefused, match="consent"):
        domain.skip_pair(challenge=challenge, user=participant, pair_id=pair.pk)
    assert not StereotypeRating.objects.exists()


def test_only_while_the_window_is_open(challenge, rater):
    pair = PairFactory(challenge=challenge)
    after = challenge.closes_at + dt.timedelta(seconds=1)
    before = challenge.opens_at - dt.timedelta(seconds=1)
    with pytest.raises(ContributionRefused, match="closed on"):
        domain.rate_pair(challenge=challenge, user=rater, pair_id=pair.pk, rating=3, now=after)
    with pytest.raises(ContributionRefused, match="opens on"):
        domain.skip_pair(challenge=challenge, user=rater, pair_id=pair.pk, now=before)
    assert not StereotypeRating.objects.exists()
    state = domain.get_validator_state(challenge=challenge, user=rater, now=after)
    assert "closed on" in state.refusal and state.pair is None


def test_a_team_extension_keeps_the_window_open_for_that_team(challenge, edition):
    team = make_team(edition=edition, members=1)
    member = team.memberships.get().user
    make_ready(member, challenge)
    pair = PairFactory(challenge=challenge)
    WindowExtension.objects.create(
        challenge=challenge,
        team=team,
        closes_at=challenge.closes_at + dt.timedelta(days=2),
        reason="x",
    )
    later = challenge.closes_at + dt.timedelta(days=1)
    _rating, created = domain.rate_pair(
        challenge=challenge, user=member, pair_id=pair.pk, rating=2, now=later
    )
    assert created


def test_validator_state_follows_the_rules_in_order(challenge, participant):
    state = domain.get_validator_state(challenge=challenge, user=participant)
    assert not state.consented and not state.ready
    accept(participant, challenge)
    state = domain.get_validator_state(challenge=challenge, user=participant)
    assert state.consented and state.profile is None
    make_ready(participant, challenge)
    state = domain.get_validator_state(challenge=challenge, user=participant)
    assert state.ready and state.pair is None and state.pool_size == 0
    pair = PairFactory(challenge=challenge)
    assert domain.get_validator_state(challenge=challenge, user=participant).pair == pair
    RatingFactory(pair=pair, author=participant)
    state = domain.get_validator_state(challenge=challenge, user=participant)
    assert state.pair is None and state.pool_size == 1


def test_skip_and_rating_rows_are_kept_consistent_by_the_database(challenge, rater):
    pair = PairFactory(challenge=challenge)
    with pytest.raises(IntegrityError), transaction.atomic():
        RatingFactory(
            pair=pair, author=rater, skipped=True, rating=3, status=ContributionStatus.DRAFT
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        RatingFactory(
            pair=pair, author=rater, skipped=True, rating=None, status=ContributionStatus.VALIDATED
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        RatingFactory(pair=pair, author=rater, rating=6)


# --- invalidation and the shared queue -------------------------------------------------------


def test_invalidating_a_person_changes_only_their_validated_ratings(
    challenge, rater, organizer, edition, announced, django_capture_on_commit_callbacks
):
    mine = RatingFactory.create_batch(3, pair__challenge=challenge, author=rater)
    skip = RatingFactory(pair__challenge=challenge, author=rater, skip=True)
    theirs = RatingFactory(pair__challenge=challenge)
    elsewhere = RatingFactory(
        pair__challenge=StereotypesChallengeFactory(edition=edition, slug="otra"), author=rater
    )
    with django_capture_on_commit_callbacks(execute=True):
        changed = domain.invalidate_ratings(
            challenge=challenge, author=rater, reason=" spam ", by=organizer
        )
    assert changed == 3
    statuses = dict(StereotypeRating.objects.values_list("pk", "status"))
    assert all(statuses[r.pk] == ContributionStatus.INVALIDATED for r in mine)
    assert statuses[skip.pk] == ContributionStatus.DRAFT
    assert statuses[theirs.pk] == ContributionStatus.VALIDATED
    assert statuses[elsewhere.pk] == ContributionStatus.VALIDATED
    decisions = ReviewDecision.objects.filter(challenge=challenge)
    assert sorted(decisions.values_list("item_id", flat=True)) == sorted(r.pk for r in mine)
    assert set(decisions.values_list("item_type", "status", "reason", "decided_by")) == {
        ("stereotypes.stereotyperating", ContributionStatus.INVALIDATED, "spam", organizer.pk)
    }
    assert StereotypeRating.objects.get(pk=mine[0].pk).decision_reason == "spam"
    assert announced == [(challenge.pk, [rater.pk])]
    assert (
        count_by_status(model=StereotypeRating, challenge=challenge, author_ids=[rater.pk])[
            ContributionStatus.VALIDATED
        ]
        == 0
    )
    with pytest.raises(ContributionRefused, match="no validated ratings"):
        domain.invalidate_ratings(challenge=challenge, author=rater, reason="spam", by=organizer)
    assert ReviewDecision.objects.count() == 3


def test_invalidating_needs_a_reason(challenge, rater, organizer):
    RatingFactory(pair__challenge=challenge, author=rater)
    with pytest.raises(ContributionRefused, match="reason"):
        domain.invalidate_ratings(challenge=challenge, author=rater, reason="  ", by=organizer)
    assert StereotypeRating.objects.get().status == ContributionStatus.VALIDATED
    assert not ReviewDecision.objects.exists()


def test_the_shared_queue_decides_ratings_but_never_skips(challenge, organizer):
    rating = RatingFactory(pair__challenge=challenge)
    skip = RatingFactory(pair__challenge=challenge, skip=True)
    changed = decide_contributions(
        model=StereotypeRating,
        challenge=challenge,
        ids=[rating.pk, skip.pk],
        status=ContributionStatus.INVALIDATED,
        by=organizer,
        reason="duplicada",
    )
    assert changed == 1
    assert StereotypeRating.objects.get(pk=skip.pk).status == ContributionStatus.DRAFT
    assert StereotypeRating.objects.get(pk=rating.pk).status == ContributionStatus.INVALIDATED


@pytest.mark.parametrize(
    ("identifier", "found"),
    [
        ("#{pk}", True),
        ("{pk}", True),
        ("{email}", True),
        ("{hub}", True),
        ("nadie", False),
        ("", False),
    ],
)
def test_find_person(participant, identifier, found):
    text = identifier.format(
        pk=participant.pk,
        email=participant.email.upper(),
        hub=participant.profile.hub_username.upper(),
    )
    assert (domain.find_person(identifier=text) == participant) is found


# --- pool counts and exports ------------------------------------------------------------------


def test_pool_counts_each_kind_of_answer(challenge):
    pair, other = PairFactory.create_batch(2, challenge=challenge)
    RatingFactory.create_batch(2, pair=pair)
    RatingFactory(pair=pair, status=ContributionStatus.INVALIDATED)
    RatingFactory(pair=pair, skip=True)
    rows = {row.pk: row for row in domain.pool_with_counts(challenge=challenge)}
    assert (
        rows[pair.pk].validated_count,
        rows[pair.pk].invalidated_count,
        rows[pair.pk].skipped_count,
    ) == (2, 1, 1)
    assert (
        rows[other.pk].validated_count,
        rows[other.pk].invalidated_count,
        rows[other.pk].skipped_count,
    ) == (0, 0, 0)
    assert [p.pk for p in domain.pool_with_counts(challenge=challenge, search=pair.attribute)] == [
        pair.pk
    ]


def test_export_has_ratings_only_and_no_personal_data(challenge):
    rating = RatingFactory(
        pair__challenge=challenge,
        other_nationalities=["bolivianos"],
        extra_attribute="cultos",
        region="Lima",
    )
    RatingFactory(pair__challenge=challenge, skip=True)
    rows = list(export_rows(challenge))
    assert len(rows) == 1
    row = rows[0]
    assert set(row) == set(EXPORT_FIELDS)
    assert row["id"] == rating.pk and row["author_id"] == rating.author_id
    assert row["pair_external_id"] == rating.pair.external_id and row["language"] == "es"
    assert (
        row["other_nationalities"] == ["bolivianos"]
        and row["status"] == ContributionStatus.VALIDATED
    )
    text = repr(rows)
    assert rating.author.email not in text and rating.author.profile.display_name not in text


def test_intake_is_registered_for_the_shared_pages():
    from challenges.intake import get_intake

    intake = get_intake("stereotypes")
    assert intake.model is StereotypeRating
    assert intake.participate_url == "stereotypes:home"
    assert intake.language_lookup == "pair__language" and intake.review_related == ["pair"]
    assert [str(column.label) for column in intake.review_columns] == [
        "Language", "Nationality", "Attribute", "Rating", "Extra attribute", "Other nationalities",
    ]  # fmt: skip
    assert intake.export_fields == [
        "id", "pair_id", "pair_external_id", "language", "nationality", "attribute", "rating",
        "extra_attribute", "other_nationalities", "region", "status", "author_id",
    ]  # fmt: skip


def test_decided_at_is_set_for_an_accepted_rating(challenge, rater):
    pair = PairFactory(challenge=challenge)
    moment = timezone.now()
    rating, _created = domain.rate_pair(
        challenge=challenge, user=rater, pair_id=pair.pk, rating=1, now=moment
    )
    assert rating.decided_at == moment


def test_a_rated_pair_cannot_be_deleted_but_the_challenge_can(challenge):
    from django.db.models import RestrictedError

    rating = RatingFactory(pair__challenge=challenge)
    with pytest.raises(RestrictedError), transaction.atomic():
        rating.pair.delete()
    assert StereotypePair.objects.count() == 1
    challenge.delete()
    assert not StereotypeRating.objects.exists() and not StereotypePair.objects.exists()
