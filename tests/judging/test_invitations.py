"""Judges' onboarding: the invitation email, its link creating or linking the account with
the address verified, organizers seeing who accepted, removing a judge, the menu entry."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail

from judging.models import Assignment, EditionJudge, JudgeInvitation
from notifications.models import Notification
from scoring.models import Criterion
from tests.factories import ChallengeFactory, UserFactory, assign_judge, make_team
from tests.notifications.conftest import release_and_send

pytestmark = pytest.mark.django_db


def invite(client, organizer, email, django_capture_on_commit_callbacks):
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/organize/judges/", {"email": email})
    assert response.status_code == 302
    client.logout()
    link = re.search(r"http://testserver(/judging/invitations/[^/\s]+/)", mail.outbox[-1].body)
    return link.group(1)


def test_a_new_judge_creates_the_account_verified_and_lands_on_judging(
    client, edition, organizer, roles, django_capture_on_commit_callbacks
):
    path = invite(client, organizer, "Jueza@Example.org", django_capture_on_commit_callbacks)
    assert mail.outbox[-1].to == ["jueza@example.org"]
    page = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert b"This invitation is for jueza@example.org." in page.content
    refused = client.post(path, {"display_name": "Ana", "password": "123"})
    assert refused.status_code == 400 and not EditionJudge.objects.exists()
    response = client.post(path, {"display_name": "Ana", "password": "una-clave-muy-larga-42"})
    assert response.status_code == 302 and response["Location"] == "/judging/"
    address = EmailAddress.objects.get(email="jueza@example.org")
    assert address.verified and address.primary
    assert EditionJudge.objects.filter(edition=edition, user=address.user).exists()
    assert address.user.groups.filter(name="judges").exists()
    home = client.get("/judging/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'href="/judging/"' in home and "Judging" in home  # the menu entry
    # The link works once.
    assert client.get(path).status_code == 404
    client.force_login(organizer)
    listing = client.get("/organize/judges/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "jueza@example.org" in listing and "Accepted" in listing


def test_an_existing_account_is_linked_and_verified_then_logs_in(
    client, edition, organizer, roles, django_capture_on_commit_callbacks
):
    person = UserFactory(email="ya@example.org")
    EmailAddress.objects.create(user=person, email=person.email, verified=False, primary=True)
    path = invite(client, organizer, "ya@example.org", django_capture_on_commit_callbacks)
    response = client.post(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert EmailAddress.objects.get(user=person).verified
    assert EditionJudge.objects.filter(user=person).exists()
    assert JudgeInvitation.objects.get().accepted_by == person


def test_a_signed_in_person_accepts_for_their_account(
    client, edition, organizer, roles, django_capture_on_commit_callbacks
):
    path = invite(client, organizer, "otra@example.org", django_capture_on_commit_callbacks)
    person = UserFactory(email="persona@example.org")
    client.force_login(person)
    assert client.post(path).status_code == 302
    assert EditionJudge.objects.filter(user=person).exists()


def test_inviting_a_judge_twice_is_refused_and_bad_addresses_too(
    client, edition, organizer, judge, django_capture_on_commit_callbacks
):
    EditionJudge.objects.create(edition=edition, user=judge)
    client.force_login(organizer)
    response = client.post("/organize/judges/", {"email": judge.email}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and b"already judges this edition" in response.content
    response = client.post("/organize/judges/", {"email": "not an address"})
    assert response.status_code == 400
    assert not JudgeInvitation.objects.exists() and not mail.outbox


def test_removing_a_judge_keeps_submitted_marks_and_drops_the_rest(
    client, edition, organizer, judge
):

    from judging.domain.marking import submit_marks

    challenge = ChallengeFactory(
        edition=edition, slug="demo", kind="demo", scoring={"rule": "judged"}
    )
    criterion = Criterion.objects.create(challenge=challenge, label_es="Todo", position=1)
    marked, waiting = make_team(edition=edition), make_team(edition=edition)
    assign_judge(challenge=challenge, team=marked, judge=judge)
    assign_judge(challenge=challenge, team=waiting, judge=judge)
    submit_marks(challenge=challenge, team=marked, judge=judge, marks={criterion.pk: 5}, comment="")
    client.force_login(organizer)
    assert client.post(f"/organize/judges/{judge.pk}/remove/").status_code == 302
    assert not EditionJudge.objects.filter(user=judge).exists()
    assert list(Assignment.objects.values_list("team_id", flat=True)) == [marked.pk]
    judge.refresh_from_db()
    assert not judge.groups.filter(name="judges").exists()


def test_organizers_remind_the_late_judges_only(
    client, edition, organizer, roles, django_capture_on_commit_callbacks
):
    from judging.domain.marking import submit_marks

    challenge = ChallengeFactory(
        edition=edition, slug="demo", kind="demo", scoring={"rule": "judged"}
    )
    criterion = Criterion.objects.create(challenge=challenge, label_es="Todo", position=1)
    late, done = UserFactory(email="tarde@example.org"), UserFactory(email="listo@example.org")
    team = make_team(edition=edition)
    for person in (late, done):
        person.groups.add(roles["judges"])
        assign_judge(challenge=challenge, team=team, judge=person)
    submit_marks(challenge=challenge, team=team, judge=done, marks={criterion.pk: 5}, comment="")
    client.force_login(organizer)
    page = client.get("/organize/judging/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "0 / 1" in page and "1 / 1" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/organize/judges/remind/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    # Through the notifications: one in the site, and an email once the outbox releases it.
    reminders = Notification.objects.filter(kind="judging_reminder")
    assert [n.user for n in reminders] == [late] and reminders.get().url == "/judging/"
    mail.outbox.clear()
    release_and_send()
    assert [message.to for message in mail.outbox] == [["tarde@example.org"]]
    # In the judge's language (Spanish, the default).
    assert "aún te queda 1 equipo por evaluar." in mail.outbox[0].subject + mail.outbox[0].body
    assert f"{settings.SITE_URL.rstrip('/')}/judging/" in mail.outbox[0].body
