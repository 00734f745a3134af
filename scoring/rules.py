"""Scoring rules: pure functions from a challenge's scoring parameters and a count to points.

The parameters are the challenge's ``scoring`` data (see editions/*.toml):

- ``{"rule": "thresholds", "thresholds": [{"at": 100, "points": "0.5"}, {"at": 200, "points": "1"}]}``
  gives the points of the highest threshold reached;
- ``{"rule": "steps", "step": 10, "points_per_step": "0.1"}`` gives points for every full step;
- ``{"rule": "steps_plus_judged", ..., "automatic_max": "2"}`` is ``steps`` capped at
  ``automatic_max`` (the judged part is added by the judging rules);
- ``{"rule": "judged"}`` has no automatic part.

Arithmetic is exact (Decimal): ten steps of 0.1 make exactly 1.0.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

RULES = ("thresholds", "steps", "steps_plus_judged", "judged")
AGGREGATES = ("mean", "median")


@dataclass(frozen=True)
class Goal:
    """The next count that earns more points, and how many are missing."""

    target: int
    points: Decimal
    remaining: int


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _is_points(value) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return False
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return False
    return number.is_finite() and number >= 0


def find_scoring_problems(*, scoring) -> list[str]:
    """What keeps scoring parameters from being read by the rules below, worded for the
    organizer who edits them (admin or edition file); empty when they can be read. An empty
    object gives no points. Keys the rules do not read (``counts``, ``rubric``...) are free."""
    if not isinstance(scoring, dict):
        return [_('The scoring parameters must be an object, such as {"rule": "judged"}.')]
    if not scoring:
        return []
    problems = []
    rule = scoring.get("rule")
    if rule not in RULES:
        problems.append(
            _(
                "Unknown scoring rule “%(rule)s”: use thresholds, steps, steps_plus_judged or judged."
            )
            % {"rule": rule if rule is not None else ""}
        )
    if rule == "thresholds":
        thresholds = scoring.get("thresholds")
        if not isinstance(thresholds, list) or not thresholds:
            problems.append(_("The thresholds rule needs a list of thresholds."))
        else:
            for number, item in enumerate(thresholds, start=1):
                if not (
                    isinstance(item, dict)
                    and _is_count(item.get("at"))
                    and _is_points(item.get("points"))
                ):
                    problems.append(
                        _(
                            "Threshold %(number)s needs “at”, a whole number of 1 or more, and "
                            "“points”, a number of 0 or more."
                        )
                        % {"number": number}
                    )
    if rule in ("steps", "steps_plus_judged"):
        if not _is_count(scoring.get("step")):
            problems.append(_("“step” must be a whole number of 1 or more."))
        if not _is_points(scoring.get("points_per_step")):
            problems.append(_("“points_per_step” must be a number of 0 or more."))
    for key in ("automatic_max", "judged_max"):
        if key in scoring and not _is_points(scoring[key]):
            problems.append(_("“%(key)s” must be a number of 0 or more.") % {"key": key})
    if "aggregate" in scoring and scoring["aggregate"] not in AGGREGATES:
        problems.append(_("“aggregate” must be mean or median."))
    return problems


def _thresholds(scoring: dict) -> list[tuple[int, Decimal]]:
    return sorted(
        (int(item["at"]), Decimal(str(item["points"]))) for item in scoring.get("thresholds", [])
    )


def automatic_points(*, scoring: dict, count: int, cap: Decimal | None = None) -> Decimal:
    """The points ``count`` counted contributions earn under ``scoring``, capped at ``cap``."""
    rule = scoring.get("rule")
    points = Decimal("0")
    if rule == "thresholds":
        for at, value in _thresholds(scoring):
            if count >= at:
                points = value
    elif rule in ("steps", "steps_plus_judged"):
        step = int(scoring["step"])
        points = (count // step) * Decimal(str(scoring["points_per_step"]))
        if "automatic_max" in scoring:
            points = min(points, Decimal(str(scoring["automatic_max"])))
    if cap is not None:
        points = min(points, cap)
    return points


def next_goal(*, scoring: dict, count: int, cap: Decimal | None = None) -> Goal | None:
    """The smallest count above ``count`` that earns more points, or None when none does."""
    rule = scoring.get("rule")
    current = automatic_points(scoring=scoring, count=count, cap=cap)
    if rule == "thresholds":
        for at, _value in _thresholds(scoring):
            if at > count:
                points = automatic_points(scoring=scoring, count=at, cap=cap)
                if points > current:
                    return Goal(target=at, points=points, remaining=at - count)
        return None
    if rule in ("steps", "steps_plus_judged"):
        step = int(scoring["step"])
        target = (count // step + 1) * step
        points = automatic_points(scoring=scoring, count=target, cap=cap)
        if points > current:
            return Goal(target=target, points=points, remaining=target - count)
    return None


# --- judged parts ------------------------------------------------------------------------------

MARK_MAX = Decimal("10")


def judge_fraction(*, marks: list[tuple[Decimal, Decimal]]) -> Decimal:
    """One judge's result as a fraction of the maximum: the weighted mean of their 0-10 marks
    (pairs of weight and mark), divided by 10."""
    total_weight = sum((weight for weight, _mark in marks), Decimal(0))
    if not total_weight:
        return Decimal(0)
    return sum((weight * mark for weight, mark in marks), Decimal(0)) / (total_weight * MARK_MAX)


def aggregate(*, values: list[Decimal], how: str = "mean") -> Decimal | None:
    """Several judges' fractions combined by their mean or their median; None with no judge."""
    if not values:
        return None
    ordered = sorted(values)
    if how == "median":
        middle = len(ordered) // 2
        if len(ordered) % 2:
            return ordered[middle]
        return (ordered[middle - 1] + ordered[middle]) / 2
    return sum(ordered, Decimal(0)) / len(ordered)


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
    from decimal import ROUND_HALF_UP

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
    fraction = aggregate(values=judge_fractions, how=scoring.get("aggregate", "mean"))
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
