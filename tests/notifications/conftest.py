"""What the notifications tests share: who was told what, and releasing the collected emails."""

import datetime as dt

import pytest
from django.test import TestCase
from django.utils import timezone

from notifications.domain import release_due_emails, send_email_now
from notifications.models import Email, Notification


def told(kind: str) -> set[int]:
    """The people who got a notification of ``kind``."""
    return set(Notification.objects.filter(kind=kind).values_list("user_id", flat=True))


def release_and_send(now=None) -> int:
    """Release every collecting email as if its time was over, sending the queued ones here."""
    later = (now or timezone.now()) + dt.timedelta(days=1)
    with TestCase.captureOnCommitCallbacks(execute=True):
        return release_due_emails(enqueue=lambda pk: send_email_now(email_id=pk), now=later)


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run what the domain queues for after its transaction (notify, sending)."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture
def emails_of():
    def of(user) -> list[Email]:
        return list(Email.objects.filter(user=user))

    return of


@pytest.fixture(autouse=True)
def grouping(settings):
    """Five minutes of grouping, as with a broker, whether the run has Redis or not."""
    settings.NOTIFICATIONS_GROUP_SECONDS = 300
