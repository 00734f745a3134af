"""Decisions: organizers accept or reject an exam as a whole."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges.domain import (
    ContributionRefused,
    decide_contributions,
    item_type_of,
)
from challenges.domain.contributions import ALLOWED_DECISIONS
from challenges.include.models import (
    Exam,
    ExamQuestion,
)
from challenges.models import ContributionStatus, ReviewDecision

DECISION_CHUNK = 5000


def decide_exam(
    *, exam: Exam, status: str, by, reason: str = "", include_decided: bool = False
) -> int:
    """Organizers accept (validate) or reject an exam as a whole.

    Rejecting needs a reason, which the author reads. The exam's pending questions take the
    same decision, each recorded as a ReviewDecision; with ``include_decided`` the questions
    already accepted or rejected one by one follow too (invalidated ones never do). The
    exam's own decision is recorded as well. Deciding again what is already decided changes
    nothing. Returns how many questions changed.
    """
    reason = (reason or "").strip()
    if status not in (ContributionStatus.VALIDATED, ContributionStatus.REJECTED):
        raise ContributionRefused(_("An exam can only be accepted or rejected."))
    if status == ContributionStatus.REJECTED and not reason:
        raise ContributionRefused(_("Give a reason: the author will read it."))
    with transaction.atomic():
        exam = Exam.objects.select_for_update().select_related("challenge").get(pk=exam.pk)
        followers = ALLOWED_DECISIONS[status] if include_decided else {ContributionStatus.PENDING}
        ids = list(
            ExamQuestion.objects.filter(exam=exam, status__in=followers)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        exam_changes = exam.status != status or exam.decision_reason != reason
        if not exam_changes and not ids:
            return 0
        changed = 0
        questions = ExamQuestion.objects.filter(exam=exam)
        for start in range(0, len(ids), DECISION_CHUNK):
            changed += decide_contributions(
                model=ExamQuestion,
                challenge=exam.challenge,
                ids=ids[start : start + DECISION_CHUNK],
                status=status,
                by=by,
                reason=reason,
                queryset=questions,
            )
        if exam_changes:
            exam.status = status
            exam.decision_reason = reason
            exam.decided_at = timezone.now()
            exam.decided_by = by
            exam.save(
                update_fields=[
                    "status",
                    "decision_reason",
                    "decided_at",
                    "decided_by",
                    "updated_at",
                ]
            )
            ReviewDecision.objects.create(
                challenge=exam.challenge,
                item_type=item_type_of(Exam),
                item_id=exam.pk,
                status=status,
                reason=reason,
                decided_by=by,
            )
    return changed
