"""Automatic scoring rules: pure functions from a challenge's scoring parameters and a count to
points, and the check of those parameters.

The parameters are the challenge's ``scoring`` data (see editions/*.toml):

- ``{"rule": "thresholds", "thresholds": [{"at": 100, "points": "0.5"}, {"at": 200, "points": "1"}]}``
  gives the points of the highest threshold reached;
- ``{"rule": "steps", "step": 10, "points_per_step": "0.1"}`` gives points for every full step;
- ``{"rule": "steps_plus_judged", ..., "automatic_max": "2"}`` is ``steps`` capped at
  ``automatic_max`` (the judged part is added by the judging rules, ``scoring.rules``);
- ``{"rule": "judged"}`` has no automatic part.

Arithmetic is exact (Decimal): ten steps of 0.1 make exactly 1.0.

They live with the challenges because the challenge model validates its parameters with them
and a participant's progress shows the next goal; they read plain data, never the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

RULES = ("thresholds", "steps", "steps_plus_judged", "judged")
AGGREGATES = ("mean", "median", "trimmed", "zscore")


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
    organizer who edits them (admin or edition file); empty when they can be read. It checks the
    judged rules' keys too (``judged_max``, ``aggregate``, read by ``scoring.rules``). An empty
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
        problems.append(_("“aggregate” must be mean, median, trimmed or zscore."))
    problems.extend(_rubric_problems(scoring.get("rubric")))
    return problems


def _rubric_problems(rubric) -> list[str]:
    """A judged challenge's rubric (read by ``scoring.judged.sync_rubric``): a list of criteria,
    each with a Spanish label, a weight above 0 and, when given, a whole scale from 1 to 10."""
    if rubric is None:
        return []
    if not isinstance(rubric, list):
        return [_("The rubric must be a list of criteria.")]
    problems = []
    for number, item in enumerate(rubric, start=1):
        scale = item.get("scale", 10) if isinstance(item, dict) else None
        if not (
            isinstance(item, dict)
            and str(item.get("label_es", "")).strip()
            and _is_points(item.get("weight", "1"))
            and Decimal(str(item.get("weight", "1"))) > 0
            and isinstance(scale, int)
            and not isinstance(scale, bool)
            and 1 <= scale <= 10
        ):
            problems.append(
                _(
                    "Rubric criterion %(number)s needs “label_es”, a “weight” above 0 and, if "
                    "given, a whole “scale” from 1 to 10."
                )
                % {"number": number}
            )
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
