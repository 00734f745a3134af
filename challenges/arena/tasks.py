"""The arena's background work: each model's answer streams in a task of its own."""

from __future__ import annotations

from celery import shared_task

from .domain.streaming import fail_stale_answers, stream_answer


@shared_task(acks_late=True)
def stream_answer_task(answer_id: int) -> None:
    """Stream one answer; an answer gone, or a second delivery of the same task, finds nothing
    to claim and returns."""
    stream_answer(answer_id=answer_id)


@shared_task
def fail_stale_answers_task() -> int:
    """Answers abandoned by a killed worker end failed, so their battles do not hang."""
    return fail_stale_answers()
