"""Emails sent by a real Celery worker (its own process, fed by Redis) through Django's SMTP
backend to a real SMTP server, and never twice when the worker is killed mid-send."""

import os
import signal
import time
import uuid

import pytest
from django.db import transaction
from django.test import Client

from notifications.domain import notify, release_due_emails, send_emails, set_policy
from notifications.models import Email, EmailSettings, Kind
from notifications.tasks import send_email_task
from tests.factories import UserFactory
from tests.hub.conftest import child_database_url
from tests.hub.test_worker import Worker, broker_url, tasks_sent_to
from tests.notifications.smtp import smtp_server

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
TIMEOUT = 60


@pytest.fixture
def smtp():
    with smtp_server() as server:
        yield server


@pytest.fixture
def start_worker(transactional_db, need_postgres, need_redis, smtp, tmp_path):
    queue = f"test-emails-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hackathon.settings",
        "DATABASE_URL": child_database_url(),
        "REDIS_URL": broker_url(),
        "EMAIL_URL": smtp.url,
        # A task whose worker died is handed to the next worker after 2 s, not an hour, and
        # workers look for such tasks every second.
        "CELERY_VISIBILITY_TIMEOUT_SECONDS": "2",
        "CELERY_UNACKED_RESTORE_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    workers = []

    def start() -> Worker:
        worker = Worker(env=env, queue=queue, log=tmp_path / f"worker-{len(workers)}.log")
        workers.append(worker)
        worker.start()
        return worker

    with tasks_sent_to(broker_url=broker_url(), queue=queue):
        try:
            yield start
        finally:
            for worker in workers:
                worker.stop()
                print(f"--- {worker.log_path.name} ---\n{worker.log()}")


def wait_for(condition, what: str, timeout: float = TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"Timed out waiting for {what}")


def queued_email(user, kind=Kind.GRANT, params=None) -> Email:
    set_policy(kind=kind, hold=True)
    notify(user_ids=[user.pk], kind=kind, params=params or {"team": "Los Andes", "grant": "gpu"})
    release_due_emails(enqueue=print, now=Email.objects.get().release_at)
    email = Email.objects.get()
    assert email.state == Email.State.DRAFT
    return email


def test_a_held_email_sent_from_the_outbox_goes_through_smtp(start_worker, smtp):
    start_worker()
    user = UserFactory(email="ana@example.org")
    user.profile.languages = ["pt"]
    user.profile.save()
    email = queued_email(user)
    with transaction.atomic():
        assert send_emails(email_ids=[email.pk], enqueue=send_email_task.delay) == 1
    wait_for(lambda: Email.objects.get().state == Email.State.SENT, "the email to be sent")
    (message,) = smtp.messages
    assert message["To"] == "ana@example.org"
    link = "".join(message["List-Unsubscribe"].split())  # a long header is folded
    assert link.startswith("<http") and "/notifications/unsubscribe/" in link
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Email.objects.get().language == "pt" and Email.objects.get().attempts == 1
    # The link the mail client POSTs to (RFC 8058) unsubscribes, without login or CSRF token.
    path = "/" + link.strip("<>").split("/", 3)[3]
    assert Client(enforce_csrf_checks=True).post(path).status_code == 200
    assert EmailSettings.objects.get(user=user).muted == [Kind.GRANT]


def test_a_worker_killed_mid_send_never_sends_twice(start_worker, smtp):
    first = start_worker()
    email = queued_email(UserFactory())
    smtp.answer.clear()  # the server holds its "250" after the message came in
    with transaction.atomic():
        send_emails(email_ids=[email.pk], enqueue=send_email_task.delay)
    assert smtp.received.wait(TIMEOUT), "the worker never reached the SMTP server"
    assert Email.objects.get().state == Email.State.SENDING
    os.kill(first.process.pid, signal.SIGKILL)  # mid-send: the task is not acknowledged
    first.process.wait(timeout=10)
    smtp.answer.set()
    # The next worker gets the unacknowledged task again (Redis's visibility timeout)...
    second = start_worker()
    second.wait_for(
        lambda: (
            "notifications.tasks.send_email_task" in second.log() and "succeeded" in second.log()
        ),
        "the task to be delivered again",
        timeout=TIMEOUT,
    )
    # ... and finds the email "sending": it does not send it a second time.
    assert len(smtp.messages) == 1
    email.refresh_from_db()
    assert (email.state, email.attempts) == (Email.State.SENDING, 1)
