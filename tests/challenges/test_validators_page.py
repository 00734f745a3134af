"""The organizers' validators page of a peer-validated challenge: the numbers, the outliers,
a constant number of queries, who may see it, and voiding one validator's votes from it."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from challenges.blend.domain import PEER_VALIDATION
from challenges.blend.models import BlendValidation
from challenges.domain.validator_stats import (
    count_by_validator,
    describe_validators,
    median_gap,
    pair_teams,
)
from challenges.models import ChangeRecord, ContributionStatus
from tests.challenges.blend.factories import (
    BlendAnswerFactory,
    BlendChallengeFactory,
    BlendValidationFactory,
)
from tests.factories import ChallengeFactory, make_team

pytestmark = pytest.mark.django_db

START = dt.datetime(2025, 5, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def challenge(edition):
    return BlendChallengeFactory(edition=edition, slug="blend")


def vote(answer, validator, *, approve=True, seconds=0):
    validation = BlendValidationFactory(answer=answer, validator=validator, approve=approve)
    BlendValidation.objects.filter(pk=validation.pk).update(
        created_at=START + dt.timedelta(seconds=seconds)
    )
    return validation


@pytest.fixture
def fixture(challenge, edition):
    """Team A's fast approver and careful validator; team B's author; items decided or not."""
    team_a = make_team(edition=edition, members=2, name="A")
    team_b = make_team(edition=edition, members=2, name="B")
    fast, careful = [m.user for m in team_a.memberships.order_by("pk")]
    author, b_validator = [m.user for m in team_b.memberships.order_by("pk")]
    validated = BlendAnswerFactory(
        question__challenge=challenge, author=author, status=ContributionStatus.VALIDATED
    )
    rejected = BlendAnswerFactory(
        question__challenge=challenge, author=author, status=ContributionStatus.REJECTED
    )
    pending = BlendAnswerFactory(question__challenge=challenge, author=author)
    for number, answer in enumerate([validated, rejected, pending]):
        vote(answer, fast, seconds=number * 2)  # gaps of 2 s, all approvals
    vote(validated, careful, seconds=0)
    vote(rejected, careful, approve=False, seconds=60)
    # Team B approved one answer of team A.
    a_answer = BlendAnswerFactory(question__challenge=challenge, author=careful)
    vote(a_answer, b_validator)
    return {"fast": fast, "careful": careful, "b": b_validator, "author": author}


def stats(challenge):
    rows = list(count_by_validator(challenge=challenge, peer=PEER_VALIDATION))
    described = describe_validators(
        challenge=challenge, peer=PEER_VALIDATION, rows=rows, fast_seconds=5
    )
    return {row.validator_id: row for row in described}


def test_the_numbers_of_each_validator(challenge, fixture):
    numbers = stats(challenge)
    fast, careful = numbers[fixture["fast"].pk], numbers[fixture["careful"].pk]
    assert (fast.decisions, fast.approvals, fast.decided, fast.agreements) == (3, 3, 2, 1)
    assert fast.approval_rate == 1 and fast.agreement_rate == 0.5
    assert fast.median_seconds == 2 and fast.suspicious and fast.team_name == "A"
    assert (careful.decisions, careful.approvals, careful.agreements) == (2, 1, 2)
    assert careful.agreement_rate == 1 and careful.median_seconds == 60
    assert not careful.suspicious
    lone = numbers[fixture["b"].pk]
    assert lone.median_seconds is None and not lone.suspicious  # one vote: no speed


def test_median_gap_is_of_consecutive_moments():
    moments = [START + dt.timedelta(seconds=s) for s in (100, 0, 3, 3600)]
    assert median_gap(moments) == 97
    assert median_gap(moments[:1]) is None


def test_voided_votes_are_left_out(challenge, fixture):
    BlendValidation.objects.filter(validator=fixture["fast"]).update(voided_at=START)
    assert fixture["fast"].pk not in stats(challenge)


def test_team_pairs_and_reciprocal_validation(challenge, fixture):
    pairs = pair_teams(challenge=challenge, peer=PEER_VALIDATION, reciprocal_approvals=1)
    assert [(p.first, p.second, p.first_of_second, p.second_of_first) for p in pairs] == [
        ("A", "B", 4, 1)
    ]
    assert pairs[0].reciprocal
    pairs = pair_teams(challenge=challenge, peer=PEER_VALIDATION, reciprocal_approvals=2)
    assert not pairs[0].reciprocal


def test_the_page_shows_them_and_highlights_outliers(client, organizer, challenge, fixture):
    client.force_login(organizer)
    response = client.get("/organize/blend/validators/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.content.decode()
    assert fixture["fast"].display_name in body
    assert body.count('class="outlier"') == 1  # the fast approver; A-B is under 10 approvals
    assert "all approvals, very fast" in body
    # Linked from the organizers' overview and the review queue.
    assert "/organize/blend/validators/" in client.get("/organize/").content.decode()
    assert "/organize/blend/validators/" in client.get("/organize/blend/review/").content.decode()


def _add_validator(challenge, edition, number):
    team = make_team(edition=edition, members=1, name=f"V{number}")
    person = team.memberships.get().user
    for index in range(2):
        vote(BlendAnswerFactory(question__challenge=challenge), person, seconds=index)
    return person


def test_the_page_runs_the_same_queries_for_1_or_3_validators(client, organizer, challenge):
    edition = challenge.edition
    client.force_login(organizer)
    _add_validator(challenge, edition, 1)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/organize/blend/validators/").status_code == 200
    _add_validator(challenge, edition, 2)
    _add_validator(challenge, edition, 3)
    with CaptureQueriesContext(connection) as three:
        assert client.get("/organize/blend/validators/").status_code == 200
    assert len(three) == len(one)


def test_a_challenge_peers_do_not_validate_has_no_such_page(client, organizer, edition):
    ChallengeFactory(edition=edition, slug="include")
    client.force_login(organizer)
    assert client.get("/organize/include/validators/").status_code == 404


def test_voiding_from_the_page_needs_a_reason_and_a_confirmation(
    client, organizer, challenge, fixture, django_capture_on_commit_callbacks
):
    client.force_login(organizer)
    url = f"/organize/blend/validators/{fixture['fast'].pk}/void/"
    client.post(url, {"reason": "too fast"})  # not confirmed
    client.post(url, {"confirm": "on"})  # no reason
    assert not BlendValidation.objects.filter(voided_at__isnull=False).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "too fast", "confirm": "on"}, follow=True)
    assert response.status_code == 200
    assert BlendValidation.objects.filter(voided_at__isnull=False).count() == 3
    assert ChangeRecord.objects.get().reason == "too fast"


ROLES = ["anonymous", "participant", "other_team", "judge", "organizer"]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_see_the_page_and_void(
    client, challenge, fixture, organizer, judge, other_team_member, role
):
    people = {
        "anonymous": None,
        "participant": fixture["fast"],
        "other_team": other_team_member,
        "judge": judge,
        "organizer": organizer,
    }
    if people[role] is not None:
        client.force_login(people[role])
    page = client.get("/organize/blend/validators/")
    url = f"/organize/blend/validators/{fixture['careful'].pk}/void/"
    post = client.post(url, {"reason": "x", "confirm": "on"})
    if role == "anonymous":
        for response in (page, post):
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif role == "organizer":
        assert (page.status_code, post.status_code) == (200, 302)
    else:
        assert (page.status_code, post.status_code) == (403, 403)
    voided = BlendValidation.objects.filter(voided_at__isnull=False).exists()
    assert voided == (role == "organizer")
