"""Turning validated contributions and judges' marks into stored team scores.

``recompute_scores`` (or ``recompute_and_count``, which says what it did) is the one way
scores change: it computes from the data (a few aggregate queries, whatever the number of
teams), compares with what is stored, writes only what differs and records each change with
its cause. Running it twice changes nothing. A whole edition is recomputed by the worker
(``request_edition_recompute``), one team at once where it changed.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import is_judge
from challenges.domain import record_changes, take_snapshot
from challenges.intake import get_intake
from challenges.models import Challenge, ChangeRecord, ContributionStatus, Edition
from hackathon.bulk import insert_rows
from hackathon.errors import RuleRefused
from scoring.models import (
    Criterion,
    CriterionMark,
    JudgedOverride,
    JudgeReview,
    RecomputeRun,
    ScoreChange,
    TeamScore,
)

# The leaderboard's versions and shared pages, re-exported where callers have always found them.
from scoring.pages import (  # noqa: F401 -- re-exported
    LEADERBOARD_VERSION_KEY,
    bump_leaderboard_version,
    get_shared_page,
    get_shared_page_gzip,
    keep_shared_page,
    leaderboard_version,
)
from scoring.rules import ChallengeScore, judge_fraction, judged_maximum, score_challenge
from teams.models import Membership, Team

logger = logging.getLogger(__name__)


def count_validated(
    *,
    challenges: list[Challenge],
    edition_id: int,
    team_ids: list[int] | None,
    team_of: dict[int, int] | None = None,
) -> dict[tuple[int, int], int]:
    """Validated contributions per (team, challenge): the sum of its current members' (two
    queries, whatever the number of teams and challenges).

    ``team_ids`` None means every team of the edition. Each kind counts per author on its
    (challenge, author, status) index, which an index-only scan answers without reading the
    contributions themselves; the challenges' counts come in one UNION ALL, and the members'
    counts are summed per team here. ``team_of`` (each member's team) is read here unless the
    caller has just read it.
    """
    if team_of is None:
        members = Membership.objects.filter(edition_id=edition_id)
        if team_ids is not None:
            members = members.filter(team_id__in=team_ids)
        team_of = dict(members.values_list("user_id", "team_id"))
    if not team_of:
        return {}
    parts = []
    for challenge in challenges:
        intake = get_intake(challenge.kind)
        if intake is None:
            continue
        validated = intake.model.objects.filter(
            challenge=challenge, status=ContributionStatus.VALIDATED
        )
        if team_ids is not None:
            validated = validated.filter(author_id__in=list(team_of))
        parts.append(
            validated.values_list("challenge_id", "author_id").annotate(total=Count("*")).order_by()
        )
    if not parts:
        return {}
    totals: dict[tuple[int, int], int] = defaultdict(int)
    for challenge_id, author_id, total in parts[0].union(*parts[1:], all=True):
        team_id = team_of.get(author_id)
        if team_id is not None:
            totals[(team_id, challenge_id)] += total
    return dict(totals)


def collect_judge_fractions(
    *, edition: Edition, team_ids: list[int] | None
) -> dict[tuple[int, int], list[Decimal]]:
    """Each judge's weighted result per (team, challenge), as fractions of the maximum (one query)."""
    marks = CriterionMark.objects.filter(review__challenge__edition=edition)
    if team_ids is not None:
        marks = marks.filter(review__team_id__in=team_ids)
    by_review: dict[tuple[int, int, int], list[tuple[Decimal, Decimal]]] = defaultdict(list)
    for team_id, challenge_id, review_id, weight, mark in marks.values_list(
        "review__team_id", "review__challenge_id", "review_id", "criterion__weight", "mark"
    ):
        by_review[(team_id, challenge_id, review_id)].append((weight, mark))
    fractions: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    for (team_id, challenge_id, _review), pairs in by_review.items():
        fractions[(team_id, challenge_id)].append(judge_fraction(marks=pairs))
    return fractions


def collect_overrides(
    *, edition: Edition, team_ids: list[int] | None
) -> dict[tuple[int, int], Decimal]:
    overrides = JudgedOverride.objects.filter(challenge__edition=edition).order_by(
        "created_at", "pk"
    )
    if team_ids is not None:
        overrides = overrides.filter(team_id__in=team_ids)
    # The latest override of each team and challenge wins.
    return {
        (team_id, challenge_id): points
        for team_id, challenge_id, points in overrides.values_list(
            "team_id", "challenge_id", "points"
        )
    }


def compute_scores(
    *,
    edition: Edition,
    team_ids: list[int] | None = None,
    tracks: dict[int, str] | None = None,
    published: bool | None = None,
    team_of: dict[int, int] | None = None,
) -> dict[tuple[int, int], ChallengeScore]:
    """Every (team, challenge) score of the edition, or of the given teams, from the data.

    ``tracks`` (each team's track), ``published`` (the edition's judged points published) and
    ``team_of`` (each member's team) are read here unless the caller has just read them
    (``recompute_and_count``, with its locks)."""
    if tracks is None:
        teams = Team.objects.filter(edition=edition)
        if team_ids is not None:
            teams = teams.filter(pk__in=team_ids)
        tracks = dict(teams.values_list("pk", "track"))
    if published is None:
        # Read now, not from the caller's copy: publishing or holding back may have happened
        # since it was loaded, and public points must follow what is stored.
        published = (
            Edition.objects.filter(pk=edition.pk)
            .values_list("judged_points_published", flat=True)
            .first()
        )
    challenges = list(edition.challenges.all())
    fractions = collect_judge_fractions(edition=edition, team_ids=team_ids)
    overrides = collect_overrides(edition=edition, team_ids=team_ids)
    counts = count_validated(
        challenges=challenges, edition_id=edition.pk, team_ids=team_ids, team_of=team_of
    )
    scores = {}
    for challenge in challenges:
        # Most teams have neither judges' marks nor an override: their score depends on their
        # count alone, computed once per count.
        by_count: dict[tuple[int, bool], ChallengeScore] = {}
        for team_id, track in tracks.items():
            key = (team_id, challenge.pk)
            counted = counts.get(key, 0)
            # Alignment counts only for the track (A or B) the team chose.
            eligible = bool(track) or challenge.kind != Challenge.Kind.ALIGNMENT
            judged = key in fractions or key in overrides
            score = None if judged else by_count.get((counted, eligible))
            if score is None:
                score = score_challenge(
                    scoring=challenge.scoring,
                    max_points=challenge.max_points,
                    counted=counted,
                    judge_fractions=fractions.get(key, []),
                    override=overrides.get(key),
                    eligible=eligible,
                    judged_published=published,
                )
                if not judged:
                    by_count[(counted, eligible)] = score
            scores[key] = score
    return scores


@dataclass(frozen=True)
class Recomputed:
    """What one recompute did: the teams it recomputed, the score rows it wrote and the
    score changes it recorded (a row whose public points alone change records none)."""

    teams: int
    scores: int
    changes: int


def recompute_scores(
    *, edition: Edition, team_ids: Iterable[int] | None = None, cause: str, detail: str = ""
) -> int:
    """``recompute_and_count``, returning how many scores changed."""
    return recompute_and_count(
        edition=edition, team_ids=team_ids, cause=cause, detail=detail
    ).scores


def recompute_and_count(
    *, edition: Edition, team_ids: Iterable[int] | None = None, cause: str, detail: str = ""
) -> Recomputed:
    """Bring stored scores in line with the data; record each change with its cause.

    Idempotent: what is already right is not written again. Says how many teams it
    recomputed, how many scores changed and how many changes it recorded.

    It locks before it reads: the rows of the teams it recomputes (every team of the edition
    for a whole-edition recompute), in the order of their pk, then computes and writes in the
    same transaction. A second recompute of any of those teams waits, then reads what the
    first one wrote and whatever was committed meanwhile, so the one that read older data can
    never commit last. Team rows rather than the edition's row: recomputes of different teams
    (a decision here, a judge's mark there) still run side by side, a whole-edition one still
    excludes every team's, and the edition's row stays free for the organizers' edits that
    lock it. One order (by pk) for every recompute means two of them never deadlock.
    """
    ids = None if team_ids is None else sorted(set(team_ids))
    if ids == []:
        return Recomputed(teams=0, scores=0, changes=0)
    with transaction.atomic():
        teams = Team.objects.filter(edition=edition)
        if ids is not None:
            teams = teams.filter(pk__in=ids)
        # The lock also reads what the computation needs of the teams (their tracks and
        # members) and of the edition, now: one row per member (one for a team without any).
        rows = list(
            teams.select_for_update(of=("self",))
            .order_by("pk")
            .values_list("pk", "track", "edition__judged_points_published", "memberships__user_id")
        )
        tracks = {pk: track for pk, track, _published, _member in rows}
        locked = list(tracks)
        computed = compute_scores(
            edition=edition,
            team_ids=ids,
            tracks=tracks,
            published=rows[0][2] if rows else False,
            team_of={member: pk for pk, _track, _published, member in rows if member},
        )
        # The teams' locks cover their score rows: no second lock is needed on those.
        stored_rows = TeamScore.objects.filter(challenge__edition=edition)
        if ids is not None:
            stored_rows = stored_rows.filter(team_id__in=ids)
        stored = {(row.team_id, row.challenge_id): row for row in stored_rows}
        to_create, to_update, changes = [], [], []
        for (team_id, challenge_id), score in computed.items():
            row = stored.get((team_id, challenge_id))
            values = {
                "counted": score.counted,
                "automatic_points": score.automatic,
                "judged_points": score.judged,
                "points": score.points,
                "public_points": score.public_points,
            }
            if row is None:
                if score.counted or score.points or score.judged is not None:
                    to_create.append(
                        TeamScore(team_id=team_id, challenge_id=challenge_id, **values)
                    )
                    changes.append(
                        ScoreChange(
                            team_id=team_id, challenge_id=challenge_id, old_counted=0, new_counted=score.counted,
                            old_points=Decimal(0), new_points=score.points, old_automatic=Decimal(0),
                            new_automatic=score.automatic, cause=cause, detail=detail[:300],
                        )
                    )  # fmt: skip
                continue
            if all(getattr(row, name) == value for name, value in values.items()):
                continue
            # The automatic part counts too: it is what participants see while the judged
            # points are held back, and under the challenge's cap it may move alone.
            if (
                row.points != score.points
                or row.counted != score.counted
                or row.automatic_points != score.automatic
            ):
                changes.append(
                    ScoreChange(
                        team_id=team_id, challenge_id=challenge_id, old_counted=row.counted, new_counted=score.counted,
                        old_points=row.points, new_points=score.points, old_automatic=row.automatic_points,
                        new_automatic=score.automatic, cause=cause, detail=detail[:300],
                    )
                )  # fmt: skip
            for name, value in values.items():
                setattr(row, name, value)
            to_update.append(row)
        # COPY on PostgreSQL: a recompute from empty writes a row per team and challenge.
        insert_rows(TeamScore, to_create)
        TeamScore.objects.bulk_update(
            to_update,
            [
                "counted",
                "automatic_points",
                "judged_points",
                "points",
                "public_points",
                "updated_at",
            ],
            batch_size=2000,
        )
        insert_rows(ScoreChange, changes)
        if to_create or to_update:
            transaction.on_commit(lambda: bump_leaderboard_version(edition_id=edition.pk))
    return Recomputed(
        teams=len(locked), scores=len(to_create) + len(to_update), changes=len(changes)
    )


def teams_of(*, edition_id: int, user_ids: Iterable[int]) -> list[int]:
    return list(
        Membership.objects.filter(edition_id=edition_id, user_id__in=list(user_ids)).values_list(
            "team_id", flat=True
        )
    )


# --- whole-edition recomputes, run by the worker ----------------------------------------------


def _merge_details(first: str, second: str) -> str:
    """A whole-edition recompute's detail lists what changed ("max_points, scoring")."""
    parts = {part for detail in (first, second) for part in detail.split(", ") if part}
    return ", ".join(sorted(parts))[:300]


def request_edition_recompute(
    *,
    edition: Edition,
    cause: str,
    enqueue: Callable[[int], object],
    detail: str = "",
    by=None,
) -> RecomputeRun:
    """Have the worker recompute every team of the edition once the current transaction
    commits: ``enqueue`` (the task's ``recompute_edition_scores.delay``) gets the run's id then
    (and runs it at once, in the same process, when there is no broker: eager tasks).

    A run of the edition still queued takes the request instead of a second run: it has read
    nothing yet, so it will see this change too; its detail gains this request's, its cause
    and requester stay. Requests lock the edition's row, so two at once still make one run.
    """
    with transaction.atomic():
        Edition.objects.select_for_update().filter(pk=edition.pk).first()
        queued = (
            RecomputeRun.objects.select_for_update()
            .filter(edition=edition, state=RecomputeRun.State.QUEUED)
            .first()
        )
        if queued is not None:
            merged = _merge_details(queued.detail, detail)
            if merged != queued.detail:
                queued.detail = merged
                queued.save(update_fields=["detail"])
            return queued
        run = RecomputeRun.objects.create(
            edition=edition, cause=cause, detail=detail[:300], requested_by=by
        )
        # The caller hands over its task: scoring.tasks imports this module.
        transaction.on_commit(lambda: enqueue(run.pk))
    return run


def run_recompute(*, run: RecomputeRun) -> RecomputeRun:
    """Run a requested recompute of every team of its edition: running (with how many teams),
    then done with how many score changes it recorded, or failed with the error and the
    scores as they were (the recompute and its end are one transaction).

    A run already finished is left as it is (a task delivered twice does nothing more); one
    found running (its worker died and the task came back) runs again: the recompute is
    idempotent.
    """
    with transaction.atomic():
        run = RecomputeRun.objects.select_for_update().select_related("edition").get(pk=run.pk)
        if not run.is_active:
            return run
        run.state = RecomputeRun.State.RUNNING
        run.started_at = timezone.now()
        run.teams_total = Team.objects.filter(edition=run.edition_id).count()
        run.save(update_fields=["state", "started_at", "teams_total"])
    try:
        with transaction.atomic():
            result = recompute_and_count(edition=run.edition, cause=run.cause, detail=run.detail)
            run.state = RecomputeRun.State.DONE
            run.teams_total = run.teams_done = result.teams
            run.changes = result.changes
            run.finished_at = timezone.now()
            run.save(update_fields=["state", "teams_total", "teams_done", "changes", "finished_at"])
    except Exception as error:
        logger.exception("Recompute run %s of edition %s failed", run.pk, run.edition_id)
        run.state = RecomputeRun.State.FAILED
        run.error = f"{type(error).__name__}: {error}"
        run.finished_at = timezone.now()
        run.save(update_fields=["state", "error", "finished_at"])
        return run
    # Shared leaderboard pages are rebuilt even when no score moved: the total's cap, an
    # edition field, is applied when they are built.
    transaction.on_commit(lambda: bump_leaderboard_version(edition_id=run.edition_id))
    return run


def latest_recompute(*, edition: Edition) -> RecomputeRun | None:
    """The edition's last requested whole-edition recompute, for the organizers' page."""
    return RecomputeRun.objects.filter(edition=edition).first()


# --- judging -------------------------------------------------------------------------------------


class JudgingRefused(RuleRefused):
    """A judging rule refused the action."""


def submit_review(
    *, challenge: Challenge, team: Team, judge, marks: dict[int, Decimal], comment: str = ""
):
    """A judge marks every criterion of a challenge's rubric (0-10) for a team, with a comment.

    Only judges mark, never for their own team (conflict of interest); marking again replaces
    their previous marks. The team's score is recomputed at once.
    """
    if not is_judge(judge):
        raise JudgingRefused(_("Only judges can mark projects."))
    if team.edition_id != challenge.edition_id:
        raise JudgingRefused(_("This team is not in the challenge's edition."))
    if Membership.objects.filter(team=team, user=judge).exists():
        raise JudgingRefused(_("Judges never judge their own team."))
    criteria = {
        criterion.pk: criterion for criterion in Criterion.objects.filter(challenge=challenge)
    }
    if not criteria:
        raise JudgingRefused(_("This challenge has no rubric to mark."))
    if set(marks) != set(criteria):
        raise JudgingRefused(_("Mark every criterion of the rubric."))
    if any(not (Decimal(0) <= mark <= Decimal(10)) for mark in marks.values()):
        raise JudgingRefused(_("Marks go from 0 to 10."))
    with transaction.atomic():
        review, _created = JudgeReview.objects.select_for_update().get_or_create(
            challenge=challenge, team=team, judge=judge, defaults={"comment": comment}
        )
        review.comment = comment
        review.save()
        CriterionMark.objects.filter(review=review).delete()
        CriterionMark.objects.bulk_create(
            CriterionMark(review=review, criterion_id=criterion_id, mark=mark)
            for criterion_id, mark in marks.items()
        )
        transaction.on_commit(
            lambda: recompute_scores(
                edition=challenge.edition,
                team_ids=[team.pk],
                cause=ScoreChange.Cause.JUDGING,
                detail=challenge.record_label,
            )
        )
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


def sync_rubric(*, challenge: Challenge) -> int:
    """The challenge's rubric follows its ``scoring["rubric"]`` data (edition file or admin):
    criteria are matched by position, created or relabelled and reweighted; criteria no longer
    listed are kept, since judges' marks may refer to them. Returns how many changed."""
    rubric = challenge.scoring.get("rubric") or []
    existing = {
        criterion.position: criterion for criterion in Criterion.objects.filter(challenge=challenge)
    }
    changed = 0
    for position, item in enumerate(rubric, start=1):
        values = {
            "label_es": item.get("label_es", ""),
            "label_pt": item.get("label_pt", ""),
            "label_en": item.get("label_en", ""),
            "weight": Decimal(str(item.get("weight", "1"))),
        }
        criterion = existing.get(position)
        if criterion is None:
            Criterion.objects.create(challenge=challenge, position=position, **values)
            changed += 1
        elif any(getattr(criterion, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(criterion, name, value)
            criterion.save()
            changed += 1
    return changed
