from celery import shared_task

from challenges.models import Edition
from scoring.domain import recompute_scores
from scoring.models import ScoreChange


@shared_task(acks_late=True)
def recompute_edition_scores(edition_id: int) -> int:
    """Recompute every team of the edition (idempotent: a second run changes nothing)."""
    edition = Edition.objects.get(pk=edition_id)
    return recompute_scores(edition=edition, cause=ScoreChange.Cause.RECOMPUTE)
