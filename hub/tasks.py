from celery import shared_task

from challenges.models import Edition
from hub.domain import sync_edition


@shared_task(acks_late=True)
def sync_hub_task(edition_id: int) -> dict:
    """Sync the edition's Hub organization (idempotent: a second run writes no repository)."""
    edition = Edition.objects.get(pk=edition_id)
    return sync_edition(edition=edition).counts()
