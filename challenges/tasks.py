"""Celery tasks of the foundation: checking uploaded files."""

from __future__ import annotations

from celery import shared_task

from challenges.domain.uploads import check_upload
from challenges.models import Upload


@shared_task(acks_late=True)
def check_upload_task(upload_id: int) -> None:
    """Check and store one queued upload. Idempotent: an upload gone or finished is left alone,
    and a check cut short (the worker killed: Celery delivers the task again) stored nothing."""
    upload = Upload.objects.filter(pk=upload_id).first()
    if upload is None or not upload.is_active:
        return
    check_upload(upload_id=upload_id)


def check_without_broker(upload: Upload) -> Upload:
    """The upload as it stands once handed over. Without a broker (eager Celery: the demo) the
    check runs now, in the request, even when the request's transaction has not committed yet
    (as in tests); with one, a worker does it and the upload is still queued."""
    if check_upload_task.app.conf.task_always_eager:
        check_upload_task.apply(args=[upload.pk])
    upload.refresh_from_db()
    return upload
