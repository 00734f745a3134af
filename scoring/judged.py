"""Judging rules of the scoring app: judges' marks (drafts and submissions), organizers'
overrides, publishing the judged points, and the rubric following the challenge's data.

Who may mark which team (assignments, conflicts of interest) is the judging app's rule
(``judging.domain``), which calls ``submit_review`` once it allowed the judge.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import is_judge, is_organizer
from challenges.domain import record_changes, take_snapshot
from challenges.models import Challenge, ChangeRecord, Edition
from hackathon.errors import RuleRefused
from scoring.domain import bump_leaderboard_version, recompute_scores
from scoring.models import (
    Criterion,
    CriterionMark,
    JudgedOverride,
    JudgeReview,
    ScoreChange,
    TeamScore,
)
from scoring.rules import judged_maximum
from teams.models import Membership, Team


class JudgingRefused(RuleRefused):
    """A judging rule refused the action."""


def check_marks(*, criteria: list[Criterion], marks: dict[int, Decimal | None]) -> None:
    """Marks fit the rubric: every required criterion marked, each mark from 0 to its
    criterion's scale, no mark for a criterion of another rubric."""
    by_id = {criterion.pk: criterion for criterion in criteria}
    if not by_id:
        raise JudgingRefused(_("This challenge has no rubric to mark."))
    if set(marks) - set(by_id):
        raise JudgingRefused(_("Mark every criterion of the rubric."))
    for criterion in criteria:
        mark = marks.get(criterion.pk)
        if mark is None:
            if criterion.required:
                raise JudgingRefused(_("Mark every criterion of the rubric."))
            continue
        if not (Decimal(0) <= mark <= Decimal(criterion.scale)):
            raise JudgingRefused(
                _("“%(criterion)s” is marked from 0 to %(scale)s.")
                % {"criterion": criterion.label, "scale": criterion.scale}
            )


def submit_review(
    *, challenge: Challenge, team: Team, judge, marks: dict[int, Decimal | None], comment: str = ""
):
    """A judge submits their marks of a challenge's rubric for a team, with a comment.

    Only judges mark, never for their own team (conflict of interest); every required criterion
    is marked, each from 0 to its scale; optional ones may stay empty. Submitting again replaces
    the previous marks; the draft is cleared. The team's score is recomputed once committed
    (every team of the edition when the challenge standardizes by judge: one judge's marks move
    the others' z-scores).
    """
    if not is_judge(judge):
        raise JudgingRefused(_("Only judges can mark projects."))
    if team.edition_id != challenge.edition_id:
        raise JudgingRefused(_("This team is not in the challenge's edition."))
    if Membership.objects.filter(team=team, user=judge).exists():
        raise JudgingRefused(_("Judges never judge their own team."))
    criteria = list(Criterion.objects.filter(challenge=challenge))
    check_marks(criteria=criteria, marks=marks)
    with transaction.atomic():
        review, _created = JudgeReview.objects.select_for_update().get_or_create(
            challenge=challenge, team=team, judge=judge, defaults={"comment": comment}
        )
        review.comment = comment
        review.draft = {}
        review.submitted_at = timezone.now()
        review.save()
        CriterionMark.objects.filter(review=review).delete()
        CriterionMark.objects.bulk_create(
            CriterionMark(review=review, criterion_id=criterion_id, mark=mark)
            for criterion_id, mark in marks.items()
            if mark is not None
        )
        everyone = challenge.scoring.get("aggregate") == "zscore"
        transaction.on_commit(
            lambda: recompute_scores(
                edition=challenge.edition,
                team_ids=None if everyone else [team.pk],
                cause=ScoreChange.Cause.JUDGING,
                detail=challenge.record_label,
            )
        )
    return review


def parse_mark(text) -> Decimal | None:
    """A mark typed by a judge ("7", "7,5", "7.5"), None when empty or not a number."""
    text = str(text if text is not None else "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def save_draft(*, challenge: Challenge, team: Team, judge, marks: dict[int, str], comment: str):
    """A judge's page autosaves what they typed so far: kept as a draft, counting for nothing.
    Marks that are not numbers are kept as typed (the page says so when submitting)."""
    if not (is_judge(judge) or is_organizer(judge)):
        raise JudgingRefused(_("Only judges can mark projects."))
    known = set(Criterion.objects.filter(challenge=challenge).values_list("pk", flat=True))
    draft = {str(pk): str(text)[:10] for pk, text in marks.items() if pk in known}
    with transaction.atomic():
        review, _created = JudgeReview.objects.select_for_update().get_or_create(
            challenge=challenge, team=team, judge=judge
        )
        review.draft = draft
        review.comment = comment[:4000]
        review.save(update_fields=["draft", "comment", "updated_at"])
    return review


def override_judged_points(
    *, challenge: Challenge, team: Team, points: Decimal, reason: str, by
) -> JudgedOverride:
    """Organizers replace the judges' aggregated result for a team, saying why.

    The reason is for organizers only: the score change it records says so (cause
    ``OVERRIDE``), and participants see "adjusted by the organizers" instead of it."""
    reason = reason.strip()
    if not reason:
        raise JudgingRefused(_("Say why the judges' result is overridden."))
    maximum = judged_maximum(scoring=challenge.scoring, max_points=challenge.max_points)
    if not (Decimal(0) <= points <= maximum):
        raise JudgingRefused(_("The judged points go from 0 to %(max)s.") % {"max": maximum})
    with transaction.atomic():
        override = JudgedOverride.objects.create(
            challenge=challenge, team=team, points=points, reason=reason, created_by=by
        )
        transaction.on_commit(
            lambda: recompute_scores(
                edition=challenge.edition,
                team_ids=[team.pk],
                cause=ScoreChange.Cause.OVERRIDE,
                detail=reason,
            )
        )
    return override


def publish_judged_points(*, edition: Edition, published: bool, by) -> bool:
    """Organizers reveal the judged points on the public leaderboard at the announcement (or
    hold them back again). Recorded like any edit of the edition, and that record is what
    has the worker recompute the public points. Returns whether anything changed.

    The stored public points follow in the same transaction (all of them when published,
    the automatic part when held back: what the recompute would write), so no page shows
    judged points held back again while the worker has not run yet."""
    with transaction.atomic():
        locked = Edition.objects.select_for_update().get(pk=edition.pk)
        if locked.judged_points_published == published:
            return False
        before = take_snapshot(instance=locked, fields=["judged_points_published"])
        locked.judged_points_published = published
        locked.save(update_fields=["judged_points_published"])
        TeamScore.objects.filter(challenge__edition=locked).update(
            public_points=F("points") if published else F("automatic_points")
        )
        transaction.on_commit(lambda: bump_leaderboard_version(edition_id=locked.pk))
        record_changes(
            edition=locked,
            instance=locked,
            before=before,
            source=ChangeRecord.Source.ORGANIZER,
            changed_by=by,
        )
    edition.judged_points_published = published
    return True


RUBRIC_TEXTS = ("label_es", "label_pt", "label_en", "guidance_es", "guidance_pt", "guidance_en")


def rubric_values(item: dict) -> dict:
    """A criterion's fields from one item of ``scoring["rubric"]`` (edition file or editor):
    labels and guidance in es/pt/en, weight, scale (10 unless said) and required (unless
    ``required = false``)."""
    values = {name: str(item.get(name, "")) for name in RUBRIC_TEXTS}
    values["weight"] = Decimal(str(item.get("weight", "1")))
    values["scale"] = int(item.get("scale", 10))
    values["required"] = bool(item.get("required", True))
    return values


def sync_rubric(*, challenge: Challenge) -> int:
    """The challenge's rubric follows its ``scoring["rubric"]`` data (edition file, admin or the
    rubric editor): criteria are matched by position, created or updated; criteria no longer
    listed are removed when no judge marked them, kept otherwise. Returns how many changed."""
    rubric = challenge.scoring.get("rubric") or []
    existing = {
        criterion.position: criterion for criterion in Criterion.objects.filter(challenge=challenge)
    }
    changed = 0
    for position, item in enumerate(rubric, start=1):
        values = rubric_values(item)
        criterion = existing.get(position)
        if criterion is None:
            Criterion.objects.create(challenge=challenge, position=position, **values)
            changed += 1
        elif any(getattr(criterion, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(criterion, name, value)
            criterion.save()
            changed += 1
    gone = [pk for position, c in existing.items() if position > len(rubric) for pk in [c.pk]]
    if gone:
        marked = set(
            CriterionMark.objects.filter(criterion_id__in=gone).values_list(
                "criterion_id", flat=True
            )
        )
        removed, _details = Criterion.objects.filter(pk__in=set(gone) - marked).delete()
        changed += removed
    return changed
