"""Judged and aggregated scoring rules: pure functions from judges' marks, counts and caps to a
team's points in a challenge, its total and its rank.

The automatic part (thresholds, steps) and the check of the parameters are the challenges' own
rules (``challenges.rules``); ``score_challenge`` adds the judged part to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from challenges.rules import automatic_points

MARK_MAX = Decimal("10")


def judge_fraction(*, marks: list[tuple]) -> Decimal:
    """One judge's result as a fraction of the maximum: the weighted mean of their marks, each
    divided by its criterion's scale. ``marks`` holds (weight, mark) pairs, marked out of 10, or
    (weight, mark, scale) triples. Optional criteria left unmarked are simply not in the list."""
    total_weight = sum((item[0] for item in marks), Decimal(0))
    if not total_weight:
        return Decimal(0)
    total = sum(
        (item[0] * item[1] / Decimal(item[2] if len(item) > 2 else MARK_MAX) for item in marks),
        Decimal(0),
    )
    return total / total_weight


def aggregate(*, values: list[Decimal], how: str = "mean") -> Decimal | None:
    """Several judges' fractions combined by their mean, their median or their trimmed mean
    (without the highest and the lowest once there are three judges or more); None with no
    judge. Standardized marks (``zscore``) are standardized beforehand
    (``standardize_by_judge``), then averaged."""
    if not values:
        return None
    ordered = sorted(values)
    if how == "trimmed" and len(ordered) >= 3:
        ordered = ordered[1:-1]
    if how == "median":
        middle = len(ordered) // 2
        if len(ordered) % 2:
            return ordered[middle]
        return (ordered[middle - 1] + ordered[middle]) / 2
    return sum(ordered, Decimal(0)) / len(ordered)


def standardize_by_judge(
    *, fractions: dict[tuple[int, int], Decimal]
) -> dict[tuple[int, int], Decimal]:
    """Each judge's results turned into z-scores over the teams they marked, then rescaled to
    the rubric's range (0 to 1): ``mean + z × deviation`` of all the challenge's results,
    clipped to 0..1. A harsh judge's 4 becomes as good as a lenient judge's 8 when both are
    that judge's average. A judge with a single result, or the same result everywhere, has
    z = 0 for it: their results become the overall mean. Takes and returns
    {(judge id, team id): fraction}; population standard deviations (divided by n)."""
    if not fractions:
        return {}
    values = list(fractions.values())
    overall_mean = sum(values, Decimal(0)) / len(values)
    overall_sd = _deviation(values, overall_mean)
    by_judge: dict[int, list[Decimal]] = {}
    for (judge, _team), value in fractions.items():
        by_judge.setdefault(judge, []).append(value)
    stats = {}
    for judge, own in by_judge.items():
        mean = sum(own, Decimal(0)) / len(own)
        stats[judge] = (mean, _deviation(own, mean))
    standardized = {}
    for (judge, team), value in fractions.items():
        mean, deviation = stats[judge]
        z = (value - mean) / deviation if deviation else Decimal(0)
        standardized[(judge, team)] = min(
            Decimal(1), max(Decimal(0), overall_mean + z * overall_sd)
        )
    return standardized


def _deviation(values: list[Decimal], mean: Decimal) -> Decimal:
    return (sum(((value - mean) ** 2 for value in values), Decimal(0)) / len(values)).sqrt()


def find_outliers(*, values: list[Decimal], spread: Decimal = Decimal("0.25")) -> list[int]:
    """Which of a team's judges' results (by position) stand apart: more than ``spread`` (a
    quarter of the range) from the median of all of them. Needs three results or more."""
    if len(values) < 3:
        return []
    middle = aggregate(values=values, how="median")
    return [index for index, value in enumerate(values) if abs(value - middle) > spread]


def judged_maximum(*, scoring: dict, max_points: Decimal) -> Decimal:
    """How many points the judged part of a challenge can give."""
    rule = scoring.get("rule")
    if rule == "judged":
        return max_points
    if rule == "steps_plus_judged":
        return Decimal(str(scoring.get("judged_max", "0")))
    return Decimal(0)


def quantize(points: Decimal) -> Decimal:
    """Points are kept to three decimals, rounding half up (1/3 of 1 point is 0.333)."""
    return points.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ChallengeScore:
    counted: int
    automatic: Decimal
    judged: Decimal | None
    points: Decimal  # automatic + judged, capped at the challenge's maximum
    public_points: Decimal  # the same without the judged part while it is not published


def score_challenge(
    *,
    scoring: dict,
    max_points: Decimal,
    counted: int,
    judge_fractions: list[Decimal],
    override: Decimal | None = None,
    eligible: bool = True,
    judged_published: bool = True,
) -> ChallengeScore:
    """A team's points in one challenge.

    The automatic part comes from the count; the judged part is the judges' aggregated fraction
    (mean or median, per ``scoring["aggregate"]``) of the judged maximum, unless organizers
    overrode it; the sum is capped at the challenge's maximum. A team not eligible (alignment
    without a chosen track) gets nothing.
    """
    if not eligible:
        return ChallengeScore(counted, Decimal(0), None, Decimal(0), Decimal(0))
    automatic = automatic_points(scoring=scoring, count=counted, cap=max_points)
    judged = None
    how = scoring.get("aggregate", "mean")
    # z-scores come standardized already (``standardize_by_judge``): they are averaged.
    fraction = aggregate(values=judge_fractions, how="mean" if how == "zscore" else how)
    if override is not None:
        judged = override
    elif fraction is not None:
        judged = quantize(fraction * judged_maximum(scoring=scoring, max_points=max_points))
    if judged is not None:
        judged = min(judged, judged_maximum(scoring=scoring, max_points=max_points))
    points = min(automatic + (judged or 0), max_points)
    public = points if judged_published else min(automatic, max_points)
    return ChallengeScore(counted, automatic, judged, points, public)


def team_total(*, points: list[Decimal], cap: Decimal) -> tuple[Decimal, Decimal]:
    """The uncapped sum of a team's challenge points, and the total capped at the edition's maximum."""
    total = sum(points, Decimal(0))
    return total, min(total, cap)


def rank(*, totals: list[tuple[Decimal, str, int]]) -> list[tuple[int, int]]:
    """Competition ranking: equal totals share a rank (1, 1, 3); among them the order is stable
    (by name, then id). Takes (total, name, id) and returns (rank, id) in order."""
    ordered = sorted(totals, key=lambda row: (-row[0], row[1].casefold(), row[2]))
    ranks, previous, current = [], None, 0
    for position, (total, _name, identifier) in enumerate(ordered, start=1):
        if total != previous:
            current, previous = position, total
        ranks.append((current, identifier))
    return ranks
