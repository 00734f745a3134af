from celery import shared_task

from challenges.models import Edition
from hub.domain import SyncRefused, run_sync, start_sync
from hub.models import PersonalDataScan, PublishedDataset, SyncRun
from hub.personal_data import run_scan
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


@shared_task(acks_late=True)
def scan_personal_data_task(scan_id: int) -> None:
    """Run one queued personal-data scan. Idempotent: a scan that is gone, taken or finished is
    left alone (scanning again would find the same)."""
    scan = PersonalDataScan.objects.filter(pk=scan_id).first()
    if scan is None or not scan.is_active:
        return
    run_scan(scan=scan)
