"""Emails: grouped per person and kind, held for review or sent at once, edited and sent in
bulk, each sent at most once, in the recipient's language, with one-click unsubscribe."""

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.utils import timezone

from notifications.domain import (
    OutboxRefused,
    edit_email,
    notify,
    release_due_emails,
    save_preferences,
    send_email_now,
    send_emails,
    set_policy,
)
from notifications.domain.outbox import TransientSendError
from notifications.domain.segments import CampaignRefused, Draft, hold_campaign, segment_recipients
from notifications.models import Campaign, Email, EmailSettings, Kind, Notification
from tests.factories import ChallengeFactory, ConsentFactory, UserFactory, make_team
from tests.notifications.conftest import release_and_send

pytestmark = pytest.mark.django_db

REJECTED = {
    "challenge": {"es": "Reto", "pt": "Desafio", "en": "Challenge"},
    "status": "rejected",
    "reason": "No",
    "count": 1,
}


def test_fifty_decisions_close_together_make_one_email(participant):
    for _ in range(50):
        notify(user_ids=[participant.pk], kind=Kind.DECISION, params=REJECTED, url="/x/")
    assert Notification.objects.filter(user=participant).count() == 50
    email = Email.objects.get()
    assert email.state == Email.State.COLLECTING and email.notifications.count() == 50
    release_and_send()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith("50 ")
    assert mail.outbox[0].body.count("Reto") == 50  # Spanish, the first declared language


def test_events_after_the_collecting_time_start_a_new_email(participant):
    notify(user_ids=[participant.pk], kind=Kind.DECISION, params=REJECTED)
    release_and_send()
    notify(user_ids=[participant.pk], kind=Kind.DECISION, params=REJECTED)
    notify(user_ids=[participant.pk], kind=Kind.GRANT, params={"team": "T", "grant": "gpu"})
    assert Email.objects.filter(state=Email.State.COLLECTING).count() == 2  # one per kind
    release_and_send()
    assert len(mail.outbox) == 3


def test_an_email_is_released_only_once_its_collecting_time_is_over(participant, settings):
    settings.NOTIFICATIONS_GROUP_SECONDS = 300
    now = timezone.now()
    notify(user_ids=[participant.pk], kind=Kind.DECISION, params=REJECTED, now=now)
    sent = []
    assert release_due_emails(enqueue=sent.append, now=now + dt.timedelta(seconds=299)) == 0
    assert release_due_emails(enqueue=sent.append, now=now + dt.timedelta(seconds=301)) == 1
    assert Email.objects.get().state == Email.State.QUEUED


def test_emails_are_written_in_the_recipients_language(participant):
    save_preferences(user=participant, language="pt", emailed_kinds=[])
    notify(user_ids=[participant.pk], kind=Kind.DECISION, params=REJECTED)
    release_and_send()
    assert mail.outbox[0].body.startswith("* ")
    assert "Desafio" in mail.outbox[0].body and "Challenge" not in mail.outbox[0].body


def test_without_a_choice_the_first_declared_language_counts(participant):
    participant.profile.languages = ["qu", "en", "es"]
    participant.profile.save()
    notify(user_ids=[participant.pk], kind=Kind.DECISION, params=REJECTED)
    assert Email.objects.get().language == "en"


def test_a_held_kind_waits_in_the_outbox_until_edited_and_sent(participant):
    set_policy(kind=Kind.DECISION, hold=True)
    notify(user_ids=[participant.pk], kind=Kind.DECISION, params=REJECTED)
    release_and_send()
    email = Email.objects.get()
    assert email.state == Email.State.DRAFT and mail.outbox == []
    edit_email(email_id=email.pk, subject="Tu examen", body="Lo sentimos: no.")
    queued = []
    assert send_emails(email_ids=[email.pk], enqueue=queued.append) == 1
    assert queued == [] and Email.objects.get().state == Email.State.QUEUED  # on commit only
    assert send_email_now(email_id=email.pk) == Email.State.SENT
    assert (mail.outbox[0].subject, mail.outbox[0].body) == ("Tu examen", "Lo sentimos: no.")


def test_only_held_emails_are_edited(participant):
    notify(user_ids=[participant.pk], kind=Kind.DECISION, params=REJECTED)
    release_and_send()
    email = Email.objects.get()
    with pytest.raises(OutboxRefused):
        edit_email(email_id=email.pk, subject="x", body="y")
    set_policy(kind=Kind.GRANT, hold=True)
    notify(user_ids=[participant.pk], kind=Kind.GRANT, params={"team": "T"})
    release_and_send()
    held = Email.objects.get(state=Email.State.DRAFT)
    with pytest.raises(OutboxRefused, match="subject and a message"):
        edit_email(email_id=held.pk, subject="  ", body="y")
    assert not Email.objects.get(pk=held.pk).edited


def test_sending_nothing_is_refused():
    with pytest.raises(OutboxRefused):
        send_emails(email_ids=[], enqueue=print)


def test_a_sent_email_is_never_sent_again(participant):
    notify(user_ids=[participant.pk], kind=Kind.DECISION, params=REJECTED)
    release_and_send()
    email = Email.objects.get()
    assert send_email_now(email_id=email.pk) is None
    assert send_emails(email_ids=[email.pk], enqueue=print) == 0
    assert len(mail.outbox) == 1


def test_an_email_left_sending_is_not_sent_again(participant):
    """What a worker killed mid-send leaves: the task delivered again sends nothing."""
    notify(user_ids=[participant.pk], kind=Kind.DECISION, params=REJECTED)
    release_due_emails(enqueue=lambda pk: None, now=timezone.now() + dt.timedelta(days=1))
    Email.objects.update(state=Email.State.SENDING)
    assert send_email_now(email_id=Email.objects.get().pk) is None
    assert mail.outbox == []


class RefusingBackend:
    code = 451

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPDataError(self.code, b"try later")


class PermanentlyRefusingBackend(RefusingBackend):
    code = 550


def test_a_transient_refusal_queues_the_email_again_then_fails_it(participant, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.RefusingBackend"
    notify(user_ids=[participant.pk], kind=Kind.DECISION, params=REJECTED)
    release_due_emails(enqueue=lambda pk: None, now=timezone.now() + dt.timedelta(days=1))
    email = Email.objects.get()
    with pytest.raises(TransientSendError):
        send_email_now(email_id=email.pk)
    email.refresh_from_db()
    assert (email.state, email.attempts) == (Email.State.QUEUED, 1)
    assert "try later" in email.last_error
    assert send_email_now(email_id=email.pk, final_attempt=True) == Email.State.FAILED


def test_a_permanent_refusal_fails_at_once(participant, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.PermanentlyRefusingBackend"
    notify(user_ids=[participant.pk], kind=Kind.DECISION, params=REJECTED)
    release_due_emails(enqueue=lambda pk: None, now=timezone.now() + dt.timedelta(days=1))
    assert send_email_now(email_id=Email.objects.get().pk) == Email.State.FAILED


def test_a_muted_kind_shows_on_the_site_but_sends_no_email(participant):
    save_preferences(user=participant, language="", emailed_kinds=[Kind.GRANT])
    notify(user_ids=[participant.pk], kind=Kind.MEMBERSHIP, params={"team": "T", "person": "P"})
    notify(user_ids=[participant.pk], kind=Kind.GRANT, params={"team": "T"})
    assert Notification.objects.filter(user=participant).count() == 2
    assert list(Email.objects.values_list("kind", flat=True)) == [Kind.GRANT]


def test_decisions_always_go_by_email(participant):
    EmailSettings.objects.create(user=participant, muted=[Kind.DECISION])
    notify(user_ids=[participant.pk], kind=Kind.DECISION, params=REJECTED)
    release_and_send()
    assert len(mail.outbox) == 1
    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers


def test_non_essential_emails_carry_one_click_unsubscribe(participant):
    notify(user_ids=[participant.pk], kind=Kind.GRANT, params={"team": "T", "grant": "credits"})
    release_and_send()
    headers = mail.outbox[0].message()
    link = headers["List-Unsubscribe"]
    assert link.startswith("<http://testserver/notifications/unsubscribe/") or link.startswith(
        "<http"
    )
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link.strip("<>") in mail.outbox[0].body


# --- organizers' messages to segments ------------------------------------------------------


def draft(segment, **kwargs):
    return Draft(
        segment=segment,
        subjects={"es": "Hola", "pt": "Olá", "en": "Hello"},
        bodies={"es": "Mensaje", "pt": "Mensagem", "en": "Message"},
        **kwargs,
    )


def test_a_message_to_everyone_is_held_in_each_persons_language(edition, organizer):
    team = make_team(edition=edition, members=2)
    consented = ConsentFactory(edition=edition).user
    save_preferences(user=consented, language="en", emailed_kinds=[Kind.MESSAGE])
    muted = ConsentFactory(edition=edition).user
    save_preferences(user=muted, language="", emailed_kinds=[])
    UserFactory()  # not in the edition
    campaign = hold_campaign(edition=edition, draft=draft(Campaign.Segment.EVERYONE), by=organizer)
    emails = {email.user_id: email for email in campaign.emails.all()}
    assert set(emails) == {m.user_id for m in team.memberships.all()} | {consented.pk}
    assert all(email.state == Email.State.DRAFT for email in emails.values())
    assert (emails[consented.pk].subject, emails[consented.pk].body.split("\n")[0]) == (
        "Hello",
        "Message",
    )
    assert mail.outbox == []


def test_segments_name_exactly_their_people(edition, organizer, judge):
    with_project = make_team(edition=edition, members=1, name="Con proyecto")
    from challenges.projects.models import ProjectSubmission

    ProjectSubmission.objects.create(team=with_project)
    without = make_team(edition=edition, members=2, name="Sin proyecto")
    chilean = ConsentFactory(edition=edition).user
    chilean.profile.country = "CL"
    chilean.profile.save()
    include = ChallengeFactory(edition=edition, kind="include", slug="include")
    from tests.challenges.include.factories import ExamFactory, ExamQuestionFactory

    author = without.memberships.first().user
    ExamQuestionFactory(exam=ExamFactory(challenge=include, author=author), status="pending")
    drafter = with_project.memberships.get().user
    ExamQuestionFactory(exam=ExamFactory(challenge=include, author=drafter), status="draft")

    def ids(segment, **kwargs):
        return set(
            segment_recipients(edition=edition, segment=segment, **kwargs).values_list(
                "pk", flat=True
            )
        )

    S = Campaign.Segment
    assert ids(S.WITHOUT_PROJECT) == {m.user_id for m in without.memberships.all()}
    assert ids(S.COUNTRY, country="CL") == {chilean.pk}
    assert ids(S.CONTRIBUTORS, challenge=include) == {author.pk}
    assert ids(S.JUDGES) == {judge.pk}
    everyone_in_teams = {m.user_id for t in (with_project, without) for m in t.memberships.all()}
    assert ids(S.MISSING_GATE) == everyone_in_teams  # nobody is registered
    with pytest.raises(CampaignRefused):
        ids(S.COUNTRY)
    with pytest.raises(CampaignRefused):
        ids("martians")


def test_a_message_needs_the_three_languages_and_somebody_to_reach(edition, organizer):
    incomplete = Draft(
        segment=Campaign.Segment.JUDGES,
        subjects={"es": "Hola", "pt": "", "en": "Hello"},
        bodies={"es": "a", "pt": "b", "en": "c"},
    )
    with pytest.raises(CampaignRefused, match="Spanish, Portuguese and English"):
        hold_campaign(edition=edition, draft=incomplete, by=organizer)
    with pytest.raises(CampaignRefused, match="Nobody"):
        hold_campaign(edition=edition, draft=draft(Campaign.Segment.JUDGES), by=organizer)
    assert not Campaign.objects.exists() and not Email.objects.exists()


def test_without_grouping_an_event_is_emailed_at_once(participant, settings, run_on_commit):
    """The demo has no beat to release collected emails: they go when the event happens."""
    from notifications.tasks import notify_task

    settings.NOTIFICATIONS_GROUP_SECONDS = 0
    run_on_commit(notify_task.delay, [participant.pk], Kind.DECISION, REJECTED, "/x/")
    assert len(mail.outbox) == 1 and Email.objects.get().state == Email.State.SENT
