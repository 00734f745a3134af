"""The one peer-validation rule (challenges.domain.peer_validation): independence, the quorum
as a challenge setting, re-decisions after a new quorum or voided votes, forged requests."""

import pytest

from accounts.models import Profile
from challenges.blend import domain as blend
from challenges.blend.domain import PEER_VALIDATION as BLEND_PEERS
from challenges.blend.models import BlendAnswer, BlendValidation
from challenges.domain import (
    ContributionRefused,
    EditionFileError,
    decide_contributions,
    load_edition,
)
from challenges.domain.peer_validation import (
    Quorum,
    decide_status,
    ensure_independent,
    exclude_dependent_items,
    redecide_pending,
    void_validations,
)
from challenges.models import Challenge, ChangeRecord, ContributionStatus, ReviewDecision
from challenges.preferences.models import Prompt, PromptValidation
from tests.challenges.blend.factories import (
    BlendAnswerFactory,
    BlendChallengeFactory,
    BlendValidationFactory,
)
from tests.challenges.preferences.factories import PreferencesChallengeFactory, PromptFactory
from tests.challenges.test_load_edition import admin_form_data, shipped
from tests.factories import EditionFactory, make_team

pytestmark = pytest.mark.django_db

PENDING, VALIDATED, REJECTED = (
    ContributionStatus.PENDING,
    ContributionStatus.VALIDATED,
    ContributionStatus.REJECTED,
)


@pytest.mark.parametrize(
    ("approvals", "rejections", "quorum", "status"),
    [
        (0, 0, Quorum(1, 1), PENDING),
        (1, 0, Quorum(1, 1), VALIDATED),
        (0, 1, Quorum(1, 1), REJECTED),
        (1, 0, Quorum(2, 2), PENDING),
        (1, 1, Quorum(2, 2), PENDING),
        (2, 1, Quorum(2, 2), VALIDATED),
        (1, 3, Quorum(2, 3), REJECTED),
        # Both reached (a quorum lowered later): approvals are looked at first, as always.
        (2, 2, Quorum(2, 2), VALIDATED),
    ],
)
def test_the_quorum_decides_the_status(approvals, rejections, quorum, status):
    assert decide_status(approvals=approvals, rejections=rejections, quorum=quorum) == status


@pytest.fixture
def teams(edition):
    """Two teams of two, everyone in Peru: (author, teammate) and (stranger, stranger's mate)."""
    mine = make_team(edition=edition, members=2, name="Autores")
    theirs = make_team(edition=edition, members=2, name="Otros")
    Profile.objects.filter(user__memberships__edition=edition).update(country="PE")
    author, teammate = [m.user for m in mine.memberships.order_by("pk")]
    stranger, partner = [m.user for m in theirs.memberships.order_by("pk")]
    return author, teammate, stranger, partner


@pytest.fixture
def challenge(edition):
    return BlendChallengeFactory(edition=edition, slug="blend")


@pytest.mark.parametrize(
    ("who", "refusal"),
    [
        ("author", "your own answer"),
        ("teammate", "of your own team"),
        ("stranger", None),
        ("organizer", None),
    ],
)
def test_the_rule_refuses_own_and_own_teams_items_only(challenge, teams, organizer, who, refusal):
    author, teammate, stranger, _partner = teams
    person = {"author": author, "teammate": teammate, "stranger": stranger, "organizer": organizer}
    answer = BlendAnswerFactory(question__challenge=challenge, author=author)
    queue = exclude_dependent_items(
        BlendAnswer.objects.all(), validator=person[who], edition_id=challenge.edition_id
    )
    if refusal is None:
        ensure_independent(
            peer=BLEND_PEERS,
            author_id=author.pk,
            validator=person[who],
            edition_id=challenge.edition_id,
        )
        assert list(queue) == [answer]
    else:
        with pytest.raises(ContributionRefused, match=refusal):
            ensure_independent(
                peer=BLEND_PEERS,
                author_id=author.pk,
                validator=person[who],
                edition_id=challenge.edition_id,
            )
        assert list(queue) == []


def test_a_team_of_another_edition_does_not_count(challenge, teams):
    """The team is the one in the challenge's edition: last year's teammates are strangers."""
    author, teammate, _stranger, _partner = teams
    other = EditionFactory(slug="otra", is_current=False)
    old_team = make_team(edition=other, members=1, name="Antes")
    old_team.memberships.create(user=author, edition=other)
    BlendAnswerFactory(question__challenge=challenge, author=author)
    queue = exclude_dependent_items(
        BlendAnswer.objects.all(), validator=teammate, edition_id=challenge.edition_id
    )
    assert list(queue) == []
    lonely = old_team.memberships.exclude(user=author).get().user
    Profile.objects.filter(user=lonely).update(country="PE")
    queue = exclude_dependent_items(
        BlendAnswer.objects.all(), validator=lonely, edition_id=challenge.edition_id
    )
    assert queue.count() == 1


def test_the_blend_queue_never_offers_a_teammates_answer(challenge, teams):
    author, teammate, stranger, _partner = teams
    answer = BlendAnswerFactory(question__challenge=challenge, author=author)
    find = blend.find_next_answer_to_validate
    assert find(challenge=challenge, validator=teammate, country="PE") is None
    assert find(challenge=challenge, validator=stranger, country="PE") == answer


def test_five_compatriots_of_one_team_no_longer_validate_each_other(challenge, edition):
    """The bug this rule fixes: one team earning BLEND's points alone."""
    team = make_team(edition=edition, members=5, name="Compatriotas")
    Profile.objects.filter(user__memberships__team=team).update(country="PE")
    members = [m.user for m in team.memberships.all()]
    answers = [BlendAnswerFactory(question__challenge=challenge, author=m) for m in members]
    for answer in answers:
        for member in members:
            if member.pk == answer.author_id:
                continue
            with pytest.raises(ContributionRefused):
                blend.validate_answer(
                    challenge=challenge, answer_id=answer.pk, validator=member, approve=True
                )
    assert not BlendValidation.objects.exists()
    assert set(BlendAnswer.objects.values_list("status", flat=True)) == {PENDING}


# --- forged requests ------------------------------------------------------------------------


def test_a_forged_blend_post_for_a_teammates_answer_is_refused(client, challenge, teams):
    author, teammate, _stranger, partner = teams
    mine = BlendAnswerFactory(question__challenge=challenge, author=author)
    theirs = BlendAnswerFactory(question__challenge=challenge, author=partner)
    client.force_login(teammate)
    response = client.post(
        f"/blend/blend/validate/{mine.pk}/",
        {"verdict": "valid"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "You cannot validate an answer of your own team." in response.content.decode()
    mine.refresh_from_db()
    assert (mine.status, mine.approvals) == (PENDING, 0)
    assert not BlendValidation.objects.exists() and not ReviewDecision.objects.exists()
    # An id that does not exist, and one of another challenge, change nothing either.
    other = BlendAnswerFactory(question__challenge=BlendChallengeFactory(edition=challenge.edition))
    for answer_id in (999999, other.pk):
        client.post(f"/blend/blend/validate/{answer_id}/", {"verdict": "valid"})
    assert not BlendValidation.objects.exists()
    # Another team's answer is validated as before.
    client.post(f"/blend/blend/validate/{theirs.pk}/", {"verdict": "valid"})
    theirs.refresh_from_db()
    assert theirs.status == VALIDATED
    assert BlendValidation.objects.get().validator == teammate


def test_a_forged_prompt_post_for_a_teammates_prompt_is_refused(client, edition, teams):
    author, teammate, _stranger, partner = teams
    challenge = PreferencesChallengeFactory(edition=edition, slug="preferences")
    mine = PromptFactory(challenge=challenge, author=author)
    theirs = PromptFactory(challenge=challenge, author=partner)
    client.force_login(teammate)
    data = {"prompt": mine.pk, "well_designed": "yes", "culturally_anchored": "yes"}
    response = client.post(
        "/preferences/preferences/validate/", data, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "You cannot validate prompts of your own team." in response.content.decode()
    mine.refresh_from_db()
    assert (mine.status, mine.approvals) == (PENDING, 0)
    assert not PromptValidation.objects.exists()
    client.post("/preferences/preferences/validate/", {**data, "prompt": 999999})
    assert not PromptValidation.objects.exists()
    client.post("/preferences/preferences/validate/", {**data, "prompt": theirs.pk})
    assert Prompt.objects.get(pk=theirs.pk).status == VALIDATED


# --- the quorum as a challenge setting ------------------------------------------------------


def test_the_shipped_file_states_the_quorum_of_blend_and_preferences():
    load_edition(data=shipped())
    quorums = dict(
        Challenge.objects.filter(slug__in=["blend", "preferences"]).values_list(
            "slug", "approvals_to_validate"
        )
    )
    assert quorums == {"blend": 1, "preferences": 1}
    assert set(
        Challenge.objects.filter(slug__in=["blend", "preferences"]).values_list(
            "rejections_to_reject", flat=True
        )
    ) == {1}


def _with_blend(data: dict, **values) -> dict:
    for row in data["challenges"]:
        if row["slug"] == "blend":
            row.update(values)
    return data


@pytest.mark.parametrize("value", [0, -1, "dos", True, 1.5])
def test_the_edition_file_refuses_a_bad_quorum_and_saves_nothing(value):
    load_edition(data=shipped())
    with pytest.raises(EditionFileError) as error:
        load_edition(data=_with_blend(shipped(), approvals_to_validate=value))
    assert any("approvals_to_validate" in problem for problem in error.value.problems)
    assert Challenge.objects.get(slug="blend").approvals_to_validate == 1
    assert ChangeRecord.objects.count() == 0


def _blend_with_votes(*, approvals: int, rejections: int = 0) -> BlendAnswer:
    challenge = Challenge.objects.get(slug="blend")
    answer = BlendAnswerFactory(question__challenge=challenge, approvals=approvals)
    answer.rejections = rejections
    answer.save()
    for _ in range(approvals):
        BlendValidationFactory(answer=answer, approve=True)
    for _ in range(rejections):
        BlendValidationFactory(answer=answer, approve=False)
    return answer


def test_a_new_quorum_in_the_file_is_recorded_and_redecides_pending_answers(
    django_capture_on_commit_callbacks,
):
    load_edition(data=_with_blend(shipped(), approvals_to_validate=3, rejections_to_reject=3))
    two = _blend_with_votes(approvals=2)
    one = _blend_with_votes(approvals=1)
    rejected = _blend_with_votes(approvals=0, rejections=2)
    with django_capture_on_commit_callbacks(execute=True):
        report = load_edition(
            data=_with_blend(shipped(), approvals_to_validate=2, rejections_to_reject=2)
        )
    assert sorted(record.field for record in report.changes) == [
        "approvals_to_validate",
        "rejections_to_reject",
    ]
    statuses = dict(BlendAnswer.objects.values_list("pk", "status"))
    assert statuses == {two.pk: VALIDATED, one.pk: PENDING, rejected.pk: REJECTED}
    decisions = ReviewDecision.objects.order_by("item_id")
    assert [(d.item_id, d.status, d.decided_by) for d in decisions] == [
        (two.pk, VALIDATED, None),
        (rejected.pk, REJECTED, None),
    ]


def test_an_admin_quorum_change_is_recorded_and_redecides(
    client, organizer, django_capture_on_commit_callbacks
):
    load_edition(data=_with_blend(shipped(), approvals_to_validate=2))
    answer = _blend_with_votes(approvals=1)
    challenge = Challenge.objects.get(slug="blend")
    client.force_login(organizer)
    url = f"/admin/challenges/challenge/{challenge.pk}/change/"
    data = admin_form_data(client, url)
    data["approvals_to_validate"] = "1"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    record = ChangeRecord.objects.get()
    assert (record.field, record.old_value, record.new_value, record.changed_by) == (
        "approvals_to_validate",
        "2",
        "1",
        organizer,
    )
    answer.refresh_from_db()
    assert answer.status == VALIDATED
    assert ReviewDecision.objects.get().decided_by is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [("0", "At least one peer decision"), ("-2", "greater than or equal to 0"), ("x", "whole")],
)
def test_the_admin_refuses_a_bad_quorum(client, organizer, value, problem):
    load_edition(data=shipped())
    challenge = Challenge.objects.get(slug="blend")
    client.force_login(organizer)
    url = f"/admin/challenges/challenge/{challenge.pk}/change/"
    data = admin_form_data(client, url)
    data["rejections_to_reject"] = value
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert problem in response.content.decode()
    challenge.refresh_from_db()
    assert challenge.rejections_to_reject == 1 and ChangeRecord.objects.count() == 0


def test_redecide_pending_leaves_decided_items_and_other_challenges(challenge, edition):
    decided = BlendAnswerFactory(question__challenge=challenge, status=REJECTED, approvals=1)
    elsewhere = BlendAnswerFactory(
        question__challenge=BlendChallengeFactory(edition=edition), approvals=1
    )
    assert redecide_pending(challenge=challenge) == 0
    assert BlendAnswer.objects.get(pk=decided.pk).status == REJECTED
    assert BlendAnswer.objects.get(pk=elsewhere.pk).status == PENDING


# --- voiding a validator's votes --------------------------------------------------------------


def test_voiding_a_validator_redecides_their_items_and_is_recorded(
    challenge, teams, organizer, django_capture_on_commit_callbacks
):
    author, _teammate, stranger, partner = teams
    validated = BlendAnswerFactory(question__challenge=challenge, author=author)
    by_organizer = BlendAnswerFactory(question__challenge=challenge, author=author)
    blend.validate_answer(
        challenge=challenge, answer_id=validated.pk, validator=stranger, approve=True
    )
    blend.validate_answer(
        challenge=challenge, answer_id=by_organizer.pk, validator=stranger, approve=True
    )
    decide_contributions(
        model=BlendAnswer,
        challenge=challenge,
        ids=[by_organizer.pk],
        status=REJECTED,
        reason="copied",
        by=organizer,
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = void_validations(
            challenge=challenge, validator_id=stranger.pk, reason="clicks too fast", by=organizer
        )
    assert (report.votes, report.redecided) == (2, 1)
    validated.refresh_from_db()
    assert (validated.status, validated.approvals, validated.decided_at) == (PENDING, 0, None)
    assert BlendAnswer.objects.get(pk=by_organizer.pk).status == REJECTED  # organizers decide
    assert BlendValidation.objects.filter(voided_at__isnull=False).count() == 2
    record = ChangeRecord.objects.get()
    assert (record.field, record.reason, record.changed_by, record.source) == (
        "voided_validations",
        "clicks too fast",
        organizer,
        "organizer",
    )
    latest = ReviewDecision.objects.filter(item_id=validated.pk).first()
    assert latest.status == PENDING and "clicks too fast" in latest.reason
    # Back in the queue for others, never again for the voided validator.
    find = blend.find_next_answer_to_validate
    assert find(challenge=challenge, validator=partner, country="PE") == validated
    assert find(challenge=challenge, validator=stranger, country="PE") is None


def test_voiding_needs_a_reason_and_votes(challenge, teams, organizer):
    _author, _teammate, stranger, _partner = teams
    with pytest.raises(ContributionRefused, match="reason"):
        void_validations(challenge=challenge, validator_id=stranger.pk, reason=" ", by=organizer)
    with pytest.raises(ContributionRefused, match="no validations"):
        void_validations(challenge=challenge, validator_id=stranger.pk, reason="x", by=organizer)
    assert not ChangeRecord.objects.exists()
