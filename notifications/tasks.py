"""Background work of notifications: telling people, releasing grouped emails, sending each
email once, and the periodic reminders (Celery beat)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from notifications.domain import notify, release_due_emails, send_email_now
from notifications.domain.outbox import TransientSendError
from notifications.domain.reminders import remind_closing_windows, remind_incomplete_projects

SEND_RETRIES = 5


@shared_task(ignore_result=True)
def notify_task(user_ids: list[int], kind: str, params: dict, url: str = "") -> None:
    notify(user_ids=user_ids, kind=kind, params=params, url=url)
    if settings.NOTIFICATIONS_GROUP_SECONDS <= 0:
        # No grouping (the demo: no broker, no beat): the emails go, or are held, at once.
        release_due_emails(enqueue=send_email_task.delay)


@shared_task(
    bind=True,
    ignore_result=True,
    autoretry_for=(TransientSendError,),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=SEND_RETRIES,
)
def send_email_task(self, email_id: int) -> None:
    send_email_now(email_id=email_id, final_attempt=self.request.retries >= SEND_RETRIES)


@shared_task(ignore_result=True)
def release_emails_task() -> None:
    release_due_emails(enqueue=send_email_task.delay)


@shared_task(ignore_result=True)
def remind_incomplete_projects_task() -> None:
    remind_incomplete_projects()


@shared_task(ignore_result=True)
def remind_closing_windows_task() -> None:
    remind_closing_windows()
