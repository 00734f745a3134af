"""The outbox journey in a real Chromium: an organizer holds decision emails, rejects an exam
question, and sends the held email; the participant receives it (a real SMTP server) and sees
the bell and the notification with its reason."""

import pytest

from challenges.models import ContributionStatus
from notifications.tasks import release_emails_task
from tests.browser.test_challenges import log_in
from tests.challenges.include.factories import (
    ExamFactory,
    ExamQuestionFactory,
    IncludeChallengeFactory,
)
from tests.factories import UserFactory
from tests.notifications.smtp import smtp_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
REASON = "La respuesta correcta no está entre las opciones."


@pytest.fixture
def smtp(settings):
    with smtp_server() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        yield server


def test_an_organizer_holds_then_sends_a_rejection_and_the_participant_sees_it(
    browser, live_server, edition, organizer, smtp, settings, screenshot
):
    settings.NOTIFICATIONS_GROUP_SECONDS = 0  # the beat releases it at its next run
    include = IncludeChallengeFactory(edition=edition)
    participant = UserFactory(email="ana@example.org")
    participant.profile.languages = ["en"]
    participant.profile.save()
    question = ExamQuestionFactory(
        exam=ExamFactory(challenge=include, author=participant), status=ContributionStatus.PENDING
    )

    staff = browser.new_context(locale="en-US").new_page()
    log_in(staff, live_server, organizer)
    staff.goto(f"{live_server.url}/organize/outbox/")
    staff.get_by_label("A contribution was decided").check()
    staff.get_by_role("button", name="Save").click()
    staff.get_by_text("The outbox policy is saved.").wait_for()

    staff.goto(f"{live_server.url}/organize/{include.slug}/review/")
    staff.locator(f"#item-{question.pk}").check()
    decision = staff.get_by_role("group", name="Decide on the selected items")
    decision.locator("select[name=status]").select_option("rejected")
    decision.locator("[name=reason]").fill(REASON)
    staff.get_by_role("button", name="Apply to the selected items").click()
    staff.wait_for_load_state()
    release_emails_task.delay()  # what Celery beat runs every minute

    staff.goto(f"{live_server.url}/organize/outbox/")
    row = staff.locator("tr", has_text="ana@example.org")
    assert "Held for review" in row.inner_text()
    assert smtp.messages == []  # held: nothing sent yet
    screenshot(staff, "notifications-01-outbox-held")
    row.get_by_role("checkbox").check()
    staff.get_by_role("button", name="Send the selected emails").click()
    staff.get_by_text("1 email queued for sending.").wait_for()

    (message,) = smtp.messages
    assert message["To"] == "ana@example.org"
    body = message.get_payload(decode=True).decode()
    assert "was rejected" in body and REASON in body
    assert message["List-Unsubscribe"] is None  # decisions always go

    page = browser.new_context(locale="en-US").new_page()
    log_in(page, live_server, participant)
    bell = page.locator("header a.bell")
    assert bell.locator(".unread-count").inner_text() == "1"
    screenshot(page, "notifications-02-bell")
    bell.click()
    item = page.locator(".notifications li").first
    assert "1 contribution to" in item.inner_text() and REASON in item.inner_text()
    item.get_by_role("button", name="Mark as read").click()
    page.wait_for_load_state()
    assert page.locator("header a.bell .unread-count").count() == 0
    screenshot(page, "notifications-03-read")
