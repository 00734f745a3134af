"""Each event tells exactly the people it concerns, and nobody else."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.roles import JUDGES
from challenges.domain import decide_contributions, extend_window
from challenges.models import ContributionStatus
from notifications.models import Kind, Notification
from notifications.texts import describe
from scoring.gates import grant
from scoring.judged import publish_judged_points
from scoring.models import Grant, JudgedOverride
from teams import domain as teams
from tests.challenges.include.factories import (
    ExamFactory,
    ExamQuestionFactory,
    IncludeChallengeFactory,
)
from tests.factories import ChallengeFactory, ConsentFactory, EditionFactory, UserFactory, make_team
from tests.notifications.conftest import told

pytestmark = pytest.mark.django_db


@pytest.fixture
def include(edition):
    return IncludeChallengeFactory(edition=edition)


@pytest.fixture
def team(edition):
    return make_team(edition=edition, members=3, name="Los Andes")


def people(team):
    memberships = list(team.memberships.order_by("joined_at", "id"))
    return [m.user for m in memberships]


def questions(challenge, author, count, status=ContributionStatus.PENDING):
    exam = ExamFactory(challenge=challenge, author=author)
    return ExamQuestionFactory.create_batch(count, exam=exam, status=status)


def test_a_decision_tells_each_author_with_the_reason_and_nobody_else(
    edition, include, team, other_team_member, organizer, run_on_commit
):
    author, teammate, _third = people(team)
    mine = questions(include, author, 2)
    theirs = questions(include, other_team_member, 1)
    run_on_commit(
        decide_contributions,
        model=type(mine[0]),
        challenge=include,
        ids=[item.pk for item in [*mine, *theirs]],
        status=ContributionStatus.REJECTED,
        by=organizer,
        reason="Las respuestas no son verificables.",
    )
    assert told(Kind.DECISION) == {author.pk, other_team_member.pk}
    notification = Notification.objects.get(user=author)
    text = describe(kind=notification.kind, params=notification.params)
    assert text.title == f"2 contributions to “{include.title_en}” were rejected."
    assert text.detail == "Reason: Las respuestas no son verificables."
    assert teammate.pk not in told(Kind.DECISION) and organizer.pk not in told(Kind.DECISION)


def test_a_decision_that_changes_nothing_tells_nobody(include, team, organizer, run_on_commit):
    author = people(team)[0]
    done = questions(include, author, 1, status=ContributionStatus.VALIDATED)
    run_on_commit(
        decide_contributions,
        model=type(done[0]),
        challenge=include,
        ids=[done[0].pk],
        status=ContributionStatus.VALIDATED,
        by=organizer,
    )
    assert told(Kind.DECISION) == set()


def test_a_member_joining_tells_the_other_members_only(
    edition, team, other_team_member, run_on_commit
):
    newcomer = UserFactory()
    run_on_commit(teams.join_team, user=newcomer, invite_token=team.invite_token)
    assert told(Kind.MEMBERSHIP) == {user.pk for user in people(team) if user != newcomer}
    assert newcomer.pk not in told(Kind.MEMBERSHIP)
    assert other_team_member.pk not in told(Kind.MEMBERSHIP)


def test_a_member_leaving_tells_the_ones_who_stay(team, other_team_member, run_on_commit):
    captain, leaver, stayer = people(team)
    run_on_commit(teams.leave_team, team=team, user=leaver)
    assert told(Kind.MEMBERSHIP) == {captain.pk, stayer.pk}
    text = describe(kind=Kind.MEMBERSHIP, params=Notification.objects.get(user=stayer).params)
    assert text.title == f"{leaver.display_name} left your team “Los Andes”."


def test_a_removal_tells_the_removed_person_and_the_others_but_not_the_captain(
    team, other_team_member, run_on_commit
):
    captain, removed, stayer = people(team)
    run_on_commit(teams.remove_member, team=team, member=removed, by=captain)
    assert told(Kind.MEMBERSHIP) == {removed.pk, stayer.pk}
    mine = Notification.objects.get(user=removed)
    assert describe(kind=mine.kind, params=mine.params).title == (
        "You were removed from the team “Los Andes”."
    )


def test_captaincy_handed_over_tells_the_new_captain_and_the_others(
    team, other_team_member, run_on_commit
):
    captain, successor, third = people(team)
    run_on_commit(teams.transfer_captaincy, team=team, to=successor, by=captain)
    assert told(Kind.CAPTAINCY) == {successor.pk, third.pk}
    mine = Notification.objects.get(user=successor)
    assert describe(kind=mine.kind, params=mine.params).title == (
        "You are now the captain of “Los Andes”."
    )


def test_a_team_extension_tells_that_team_only(
    edition, include, team, other_team_member, organizer, run_on_commit
):
    later = include.closes_at + dt.timedelta(days=2)
    run_on_commit(
        extend_window,
        challenge=include,
        closes_at=later,
        reason="Corte de luz",
        by=organizer,
        team=team,
    )
    assert told(Kind.EXTENSION) == {user.pk for user in people(team)}
    text = describe(kind=Kind.EXTENSION, params=Notification.objects.first().params)
    assert "for your team" in text.title and text.detail == "Reason: Corte de luz"


def test_an_extension_for_everyone_tells_the_edition_and_not_another(
    edition, include, team, other_team_member, organizer, run_on_commit
):
    consented = ConsentFactory(edition=edition).user
    elsewhere = ConsentFactory(edition=EditionFactory(slug="otra", is_current=False)).user
    later = include.closes_at + dt.timedelta(days=2)
    run_on_commit(extend_window, challenge=include, closes_at=later, reason="Feriado", by=organizer)
    expected = {user.pk for user in people(team)} | {other_team_member.pk, consented.pk}
    assert told(Kind.EXTENSION) == expected
    assert elsewhere.pk not in told(Kind.EXTENSION) and organizer.pk not in expected


def test_a_grant_tells_the_team_once(team, other_team_member, organizer, run_on_commit):
    run_on_commit(grant, team=team, kind=Grant.Kind.GPU, by=organizer)
    run_on_commit(grant, team=team, kind=Grant.Kind.GPU, by=organizer)  # already granted
    assert told(Kind.GRANT) == {user.pk for user in people(team)}
    assert Notification.objects.filter(kind=Kind.GRANT).count() == 3
    assert describe(kind=Kind.GRANT, params=Notification.objects.first().params).title == (
        "Your team “Los Andes” was granted a GPU."
    )


def test_judged_points_published_tell_the_judged_teams_members(
    edition, team, other_team_member, organizer, roles, run_on_commit
):
    judged = ChallengeFactory(edition=edition, kind="alignment", slug="alignment")
    JudgedOverride.objects.create(
        challenge=judged, team=team, points=Decimal("1"), reason="Jurado", created_by=organizer
    )
    judge = UserFactory()
    judge.groups.add(roles[JUDGES])
    run_on_commit(publish_judged_points, edition=edition, published=True, by=organizer)
    assert told(Kind.JUDGED_POINTS) == {user.pk for user in people(team)}
    # Held back and published again: the same people, told again; held back tells nobody.
    Notification.objects.all().delete()
    run_on_commit(publish_judged_points, edition=edition, published=False, by=organizer)
    assert told(Kind.JUDGED_POINTS) == set()


def test_nobody_inactive_is_told(team, run_on_commit):
    captain, leaver, stayer = people(team)
    stayer.is_active = False
    stayer.save()
    run_on_commit(teams.leave_team, team=team, user=leaver)
    assert told(Kind.MEMBERSHIP) == {captain.pk}


def test_the_text_is_in_the_readers_language(include, team, organizer, run_on_commit):
    from django.utils import translation

    author = people(team)[0]
    items = questions(include, author, 1)
    run_on_commit(
        decide_contributions,
        model=type(items[0]),
        challenge=include,
        ids=[items[0].pk],
        status=ContributionStatus.VALIDATED,
        by=organizer,
    )
    params = Notification.objects.get(user=author).params
    with translation.override("en"):
        assert include.title_en in describe(kind=Kind.DECISION, params=params).title
    with translation.override("pt"):
        assert include.title_pt in describe(kind=Kind.DECISION, params=params).title
