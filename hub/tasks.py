from celery import shared_task

from challenges.models import Edition
from hub.domain import SyncRefused, run_sync, start_sync
from hub.models import PublishedDataset, SyncRun
from hub.publishing import run_publication


@shared_task(acks_late=True)
def sync_hub_task(run_id: int) -> dict | None:
    """Run one queued sync. Idempotent: a run that is gone or already finished is left as it
    is, and a sync with nothing new writes no repository."""
    run = SyncRun.objects.select_related("edition").filter(pk=run_id).first()
    if run is None:
        return None
    return run_sync(run=run).counts()


@shared_task
def sync_current_edition() -> dict | None:
    """The periodic sync (Celery beat): queue one for the current edition, unless one is
    already queued or running."""
    edition = Edition.objects.current()
    if edition is None:
        return None
    try:
        run = start_sync(edition=edition)
    except SyncRefused:
        return None
    return run_sync(run=run).counts()


@shared_task(acks_late=True)
def publish_dataset_task(publication_id: int) -> None:
    """Publish one queued dataset publication. Idempotent: a publication that is gone or
    already finished is left alone (publishing again would only replace the same files)."""
    publication = PublishedDataset.objects.filter(pk=publication_id).first()
    if publication is None or not publication.is_active:
        return
    run_publication(publication=publication)
