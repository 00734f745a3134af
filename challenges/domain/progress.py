"""Progress of a person or a team in a challenge: counts per status and the next threshold."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from challenges.domain.contributions import count_by_status
from challenges.intake import get_intake
from challenges.models import Challenge, ContributionStatus
from challenges.rules import Goal, automatic_points, next_goal


@dataclass(frozen=True)
class Progress:
    counts: dict[str, int]
    counted: int
    points: Decimal
    goal: Goal | None

    @property
    def percent(self) -> int:
        """How far toward the next goal, from the previous one, 0-100."""
        if self.goal is None:
            return 100
        return min(100, round(100 * self.counted / self.goal.target)) if self.goal.target else 100


def build_progress(*, challenge: Challenge, author_ids: Iterable[int]) -> Progress | None:
    """Counts of the given people's contributions and what the validated ones earn.

    Only validated (accepted) contributions count; None when the challenge collects nothing.
    """
    intake = get_intake(challenge.kind)
    if intake is None:
        return None
    counts = count_by_status(model=intake.model, challenge=challenge, author_ids=author_ids)
    counted = counts[ContributionStatus.VALIDATED]
    cap = challenge.max_points
    return Progress(
        counts=counts,
        counted=counted,
        points=automatic_points(scoring=challenge.scoring, count=counted, cap=cap),
        goal=next_goal(scoring=challenge.scoring, count=counted, cap=cap),
    )
