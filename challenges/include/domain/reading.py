"""Reading: each exam's counts of questions, and the next exam to review."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q

from challenges.include.models import (
    Exam,
    ExamQuestion,
)
from challenges.models import ContributionStatus


@dataclass(frozen=True)
class ExamCounts:
    pending: int = 0
    validated: int = 0
    rejected: int = 0
    invalidated: int = 0
    flagged: int = 0
    total: int = 0


def count_questions_by_exam(*, exam_ids: Iterable[int]) -> dict[int, ExamCounts]:
    """Each exam's questions per status and how many are flagged, in one query."""
    statuses = ("pending", "validated", "rejected", "invalidated")
    rows = (
        ExamQuestion.objects.filter(exam_id__in=list(exam_ids))
        .values("exam_id")
        .annotate(
            total=Count("pk"),
            flagged=Count("pk", filter=Q(flagged_category=True)),
            **{name: Count("pk", filter=Q(status=name)) for name in statuses},
        )
        .order_by()
    )
    return {row.pop("exam_id"): ExamCounts(**row) for row in rows}


def find_next_pending_exam(*, exam: Exam) -> Exam | None:
    """The pending exam after this one (oldest first, wrapping around), for the reviewer; at
    most two index-backed queries whatever the number of exams."""
    pending = Exam.objects.filter(
        challenge_id=exam.challenge_id, status=ContributionStatus.PENDING
    ).order_by("created_at", "pk")
    after = pending.filter(
        Q(created_at__gt=exam.created_at) | Q(created_at=exam.created_at, pk__gt=exam.pk)
    ).first()
    if after is not None:
        return after
    return pending.exclude(pk=exam.pk).first()
