from celery import shared_task

from challenges.models import Edition
from hub.domain import SyncRefused, run_sync, start_sync
from hub.models import SyncRun


@shared_task(acks_late=True)
def sync_hub_task(run_id: int) -> dict:
    """Run one queued sync. Idempotent: a run already finished is left as it is, and a sync
    with nothing new writes no repository."""
    run = SyncRun.objects.select_related("edition").get(pk=run_id)
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
def publish_dataset_task(edition_id: int, kind: str, user_id: int | None = None) -> dict:
    """Publish one collected dataset of the edition (publishing again replaces the files and
    records one more publication, so a redelivered task is harmless)."""
    from accounts.models import User
    from hub.publishing import publish_dataset

    edition = Edition.objects.get(pk=edition_id)
    by = User.objects.filter(pk=user_id).first() if user_id else None
    published = publish_dataset(edition=edition, kind=kind, by=by)
    return {
        "kind": published.kind,
        "target": published.target,
        "rows": published.rows,
        "on_hub": published.on_hub,
        "commit": published.commit,
    }
