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

from django.db import connection, transaction
from django.utils import timezone

from challenges.intake import get_intake
from challenges.models import Challenge, ContributionStatus, Edition
from hackathon.bulk import copy_rows
from hackathon.errors import RuleRefused
from scoring.models import (
    CriterionMark,
    JudgedOverride,
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
from scoring.rules import ChallengeScore, judge_fraction, score_challenge, standardize_by_judge
from teams.models import Membership, Team

logger = logging.getLogger(__name__)

# Up to this many changed score rows, one UPDATE each rather than one bulk_update.
FEW_UPDATES = 2
# The columns of the score rows and changes a recompute writes, in the order it gives them.
SCORE_FIELDS = ("team_id", "challenge_id", "counted", "automatic_points", "judged_points",
                "points", "public_points")  # fmt: skip
CHANGE_FIELDS = ("team_id", "challenge_id", "old_counted", "new_counted", "old_points",
                 "new_points", "old_automatic", "new_automatic", "cause", "detail")  # fmt: skip


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
    # Written out rather than composed with the ORM: compiling four querysets and their union
    # took more of a one-team recompute's processor time than any of its other queries.
    quote = connection.ops.quote_name
    parts, params = [], []
    for challenge in challenges:
        intake = get_intake(challenge.kind)
        if intake is None:
            continue
        meta = intake.model._meta
        challenge_column, author_column, status_column = (
            quote(meta.get_field(name).column) for name in ("challenge", "author", "status")
        )
        part = (
            f"SELECT {challenge_column}, {author_column}, COUNT(*) FROM {quote(meta.db_table)}"
            f" WHERE {challenge_column} = %s AND {status_column} = %s"
        )
        params += [challenge.pk, str(ContributionStatus.VALIDATED)]
        if team_ids is not None:
            part += f" AND {author_column} IN ({', '.join(['%s'] * len(team_of))})"
            params += list(team_of)
        parts.append(f"{part} GROUP BY 1, 2")
    if not parts:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    totals: dict[tuple[int, int], int] = defaultdict(int)
    for challenge_id, author_id, total in rows:
        team_id = team_of.get(author_id)
        if team_id is not None:
            totals[(team_id, challenge_id)] += total
    return dict(totals)


def collect_judge_results(
    *, edition: Edition, team_ids: list[int] | None, challenge_ids: list[int] | None = None
) -> dict[tuple[int, int], dict[int, Decimal]]:
    """Each judge's weighted result per (team, challenge), as fractions of the maximum:
    {(team, challenge): {judge: fraction}} (one query). Only submitted marks count."""
    marks = CriterionMark.objects.filter(review__challenge__edition=edition)
    if team_ids is not None:
        marks = marks.filter(review__team_id__in=team_ids)
    if challenge_ids is not None:
        marks = marks.filter(review__challenge_id__in=challenge_ids)
    by_review: dict[tuple[int, int, int], list[tuple[Decimal, Decimal, int]]] = defaultdict(list)
    for team_id, challenge_id, judge_id, weight, mark, scale in marks.values_list(
        "review__team_id", "review__challenge_id", "review__judge_id", "criterion__weight",
        "mark", "criterion__scale",
    ):  # fmt: skip
        by_review[(team_id, challenge_id, judge_id)].append((weight, mark, scale))
    results: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)
    for (team_id, challenge_id, judge_id), triples in by_review.items():
        results[(team_id, challenge_id)][judge_id] = judge_fraction(marks=triples)
    return results


def collect_judge_fractions(
    *, edition: Edition, team_ids: list[int] | None
) -> dict[tuple[int, int], list[Decimal]]:
    """Each judge's weighted result per (team, challenge), as fractions of the maximum (one query)."""
    return {
        key: [by_judge[judge] for judge in sorted(by_judge)]
        for key, by_judge in collect_judge_results(edition=edition, team_ids=team_ids).items()
    }


def standardized_fractions(
    *, edition: Edition, challenges: list[Challenge]
) -> dict[tuple[int, int], list[Decimal]]:
    """For the challenges aggregated by z-scores: every judge's standardized result per
    (team, challenge). Standardizing reads every team the judge marked in the challenge,
    whichever teams are recomputed (one query, only when such a challenge exists)."""
    ids = [c.pk for c in challenges if c.scoring.get("aggregate") == "zscore"]
    if not ids:
        return {}
    results = collect_judge_results(edition=edition, team_ids=None, challenge_ids=ids)
    standardized: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    for challenge_id in ids:
        flat = {
            (judge, team): value
            for (team, challenge), by_judge in results.items()
            if challenge == challenge_id
            for judge, value in by_judge.items()
        }
        for (_judge, team), value in sorted(standardize_by_judge(fractions=flat).items()):
            standardized[(team, challenge_id)].append(value)
    return standardized


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
    fractions.update(standardized_fractions(edition=edition, challenges=challenges))
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
    *,
    edition: Edition,
    team_ids: Iterable[int] | None = None,
    author_ids: Iterable[int] | None = None,
    cause: str,
    detail: str = "",
) -> int:
    """``recompute_and_count``, returning how many scores changed."""
    return recompute_and_count(
        edition=edition, team_ids=team_ids, author_ids=author_ids, cause=cause, detail=detail
    ).scores


def recompute_and_count(
    *,
    edition: Edition,
    team_ids: Iterable[int] | None = None,
    author_ids: Iterable[int] | None = None,
    cause: str,
    detail: str = "",
) -> Recomputed:
    """Bring stored scores in line with the data; record each change with its cause.

    Idempotent: what is already right is not written again. Says how many teams it
    recomputed, how many scores changed and how many changes it recorded. ``author_ids``
    instead of ``team_ids``: the teams these people are in, found by the query that locks them.

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
    authors = None if author_ids is None else sorted(set(author_ids))
    if ids == [] or authors == []:
        return Recomputed(teams=0, scores=0, changes=0)
    with transaction.atomic():
        teams = Team.objects.filter(edition=edition)
        if ids is not None:
            teams = teams.filter(pk__in=ids)
        if authors is not None:
            teams = teams.filter(
                pk__in=Membership.objects.filter(edition=edition, user_id__in=authors).values(
                    "team_id"
                )
            )
        # The lock also reads what the computation needs of the teams (their tracks and
        # members) and of the edition, now: one row per member (one for a team without any).
        rows = list(
            teams.select_for_update(of=("self",))
            .order_by("pk")
            .values_list("pk", "track", "edition__judged_points_published", "memberships__user_id")
        )
        tracks = {pk: track for pk, track, _published, _member in rows}
        locked = list(tracks)
        if authors is not None:
            ids = locked
            if not ids:
                return Recomputed(teams=0, scores=0, changes=0)
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
                    to_create.append((team_id, challenge_id, *values.values()))
                    changes.append(
                        (team_id, challenge_id, 0, score.counted, Decimal(0), score.points,
                         Decimal(0), score.automatic, cause, detail[:300])
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
                    (team_id, challenge_id, row.counted, score.counted, row.points, score.points,
                     row.automatic_points, score.automatic, cause, detail[:300])
                )  # fmt: skip
            for name, value in values.items():
                setattr(row, name, value)
            to_update.append(row)
        # Plain rows by COPY: a recompute from empty writes a row per team and challenge.
        copy_rows(TeamScore, SCORE_FIELDS, to_create)
        updated = ["counted", "automatic_points", "judged_points", "points", "public_points",
                   "updated_at"]  # fmt: skip
        if len(to_update) <= FEW_UPDATES:
            # A decision moves a row or two: building bulk_update's CASE for them costs more
            # than one UPDATE each (the same values written).
            for row in to_update:
                TeamScore.objects.filter(pk=row.pk).update(
                    **{name: getattr(row, name) for name in updated}
                )
        else:
            TeamScore.objects.bulk_update(to_update, updated, batch_size=2000)
        copy_rows(ScoreChange, CHANGE_FIELDS, changes)
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
