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
from decimal import Decimal


@dataclass(frozen=True)
class Goal:
    """The next count that earns more points, and how many are missing."""

    target: int
    points: Decimal
    remaining: int


def _thresholds(scoring: dict) -> list[tuple[int, Decimal]]:
    return sorted((int(item["at"]), Decimal(str(item["points"]))) for item in scoring.get("thresholds", []))


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
