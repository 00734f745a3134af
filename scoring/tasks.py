from celery import shared_task

from scoring.domain import run_recompute
from scoring.models import RecomputeRun


@shared_task(acks_late=True)
def recompute_edition_scores(run_id: int) -> str | None:
    """Run one requested recompute of every team of an edition. Idempotent: a run gone or
    already finished is left as it is, and the recompute itself changes nothing twice."""
    run = RecomputeRun.objects.filter(pk=run_id).first()
    if run is None:
        return None
    return run_recompute(run=run).state
