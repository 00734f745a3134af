"""Celery tasks of the foundation: checking uploaded files."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from challenges.domain.uploads import check_upload
from challenges.models import Upload
from hackathon.background import send_in_background


@shared_task(acks_late=True)
def check_upload_task(upload_id: int) -> None:
    """Check and store one queued upload. Idempotent: an upload gone or finished is left alone,
    and a check cut short (the worker killed: Celery delivers the task again) stored nothing."""
    upload = Upload.objects.filter(pk=upload_id).first()
    if upload is None or not upload.is_active:
        return
    check_upload(upload_id=upload_id)


def send_upload_check(upload_id: int) -> None:
    """Hand an upload's check over (``start_upload``'s ``enqueue``): to a worker, or without a
    broker to a thread beside the request (``hackathon.background.send_in_background``)."""
    send_in_background(check_upload_task, upload_id)


def check_without_broker(upload: Upload) -> Upload:
    """The upload as it stands once handed over. Without a broker (eager Celery) and with
    ``EAGER_TASKS_IN_THREADS`` off (the tests) the check runs now, in the request, even when
    the request's transaction has not committed yet; otherwise a worker or a thread does it
    and the upload is still queued, its page following the check."""
    if check_upload_task.app.conf.task_always_eager and not settings.EAGER_TASKS_IN_THREADS:
        check_upload_task.apply(args=[upload.pk])
    upload.refresh_from_db()
    return upload
