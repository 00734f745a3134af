"""The periodic reminders: an incomplete project 3 days before its deadline, a window closing
within 24 hours for people with drafts; each said once per person and deadline."""

import datetime as dt

import pytest
from django.utils import timezone

from challenges.models import Challenge, ContributionStatus, WindowExtension
from challenges.projects.models import ProjectSubmission
from notifications.domain.reminders import remind_closing_windows, remind_incomplete_projects
from notifications.models import Kind, Notification
from notifications.tasks import remind_closing_windows_task, remind_incomplete_projects_task
from notifications.texts import describe
from tests.challenges.include.factories import ExamFactory, ExamQuestionFactory
from tests.factories import ChallengeFactory, make_team
from tests.notifications.conftest import told

pytestmark = pytest.mark.django_db


def soon(**delta):
    return timezone.now() + dt.timedelta(**delta)


def members(team):
    return {m.user_id for m in team.memberships.all()}


@pytest.fixture
def alignment(edition):
    return ChallengeFactory(
        edition=edition, kind=Challenge.Kind.ALIGNMENT, slug="alignment", closes_at=soon(days=2)
    )


def test_an_incomplete_project_reminds_its_team_once(edition, alignment):
    missing = make_team(edition=edition, members=2, name="Sin repos")
    complete = make_team(edition=edition, members=2, name="Completo")
    complete.track = "A"
    complete.save()
    ProjectSubmission.objects.create(
        team=complete, model_repos=["org/modelo"], dataset_repos=["org/datos"]
    )
    remind_incomplete_projects_task.delay()
    remind_incomplete_projects()  # the beat runs it again: nobody told twice
    assert told(Kind.PROJECT_INCOMPLETE) == members(missing)
    assert Notification.objects.filter(kind=Kind.PROJECT_INCOMPLETE).count() == 2
    text = describe(kind=Kind.PROJECT_INCOMPLETE, params=Notification.objects.first().params).title
    assert "Track A or B chosen, Model repository, Dataset repository" in text


def test_a_deadline_further_than_three_days_reminds_nobody(edition, alignment):
    alignment.closes_at = soon(days=4)
    alignment.save()
    make_team(edition=edition, members=1)
    assert remind_incomplete_projects() == 0


def test_an_extension_moves_the_reminder_to_the_new_deadline(edition, alignment, organizer):
    extended = make_team(edition=edition, members=1, name="Extendido")
    other = make_team(edition=edition, members=1, name="Sin extensión")
    WindowExtension.objects.create(
        challenge=alignment, team=extended, closes_at=soon(days=6), reason="x", created_by=organizer
    )
    remind_incomplete_projects()
    assert told(Kind.PROJECT_INCOMPLETE) == members(other)


def drafts(challenge, author, count, status=ContributionStatus.DRAFT):
    exam = ExamFactory(challenge=challenge, author=author)
    return ExamQuestionFactory.create_batch(count, exam=exam, status=status)


def test_a_window_closing_reminds_the_people_with_drafts_once(edition, participant):
    include = ChallengeFactory(
        edition=edition, kind="include", slug="include", closes_at=soon(hours=10)
    )
    with_drafts = make_team(edition=edition, members=1).memberships.get().user
    only_sent = make_team(edition=edition, members=1).memberships.get().user
    drafts(include, with_drafts, 3)
    drafts(include, only_sent, 2, status=ContributionStatus.PENDING)
    drafts(include, participant, 1)  # in no team: the window for everyone
    remind_closing_windows_task.delay()
    remind_closing_windows()
    assert told(Kind.WINDOW_CLOSING) == {with_drafts.pk, participant.pk}
    notification = Notification.objects.get(user=with_drafts)
    assert describe(kind=notification.kind, params=notification.params).title.endswith(
        "you have 3 drafts not sent for review."
    )


def test_a_team_extended_beyond_a_day_is_not_reminded(edition, organizer):
    include = ChallengeFactory(
        edition=edition, kind="include", slug="include", closes_at=soon(hours=10)
    )
    team = make_team(edition=edition, members=1)
    author = team.memberships.get().user
    drafts(include, author, 1)
    WindowExtension.objects.create(
        challenge=include, team=team, closes_at=soon(days=3), reason="x", created_by=organizer
    )
    assert remind_closing_windows() == 0
    assert told(Kind.WINDOW_CLOSING) == set()


def test_a_window_closing_in_two_days_reminds_nobody_yet(edition):
    include = ChallengeFactory(
        edition=edition, kind="include", slug="include", closes_at=soon(days=2)
    )
    drafts(include, make_team(edition=edition, members=1).memberships.get().user, 1)
    assert remind_closing_windows() == 0
