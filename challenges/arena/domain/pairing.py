"""Which two models answer a battle: the pair that has had the fewest battles."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from itertools import combinations


def draw_pair(
    *,
    model_ids: Sequence[int],
    battles_per_pair: Mapping[frozenset[int], int],
    rng: random.Random | None = None,
) -> tuple[int, int] | None:
    """Two different models for a battle, as (A, B), or None with fewer than two models.

    The rule: among every pair of the models offered, take one of those with the fewest battles
    so far (at random among them), so that every pair gets battles and none gets far ahead;
    which of the two sits on the left is drawn too, so that no model is always A."""
    rng = rng or random.Random()
    candidates = sorted(set(model_ids))
    if len(candidates) < 2:
        return None
    pairs = list(combinations(candidates, 2))
    fewest = min(battles_per_pair.get(frozenset(pair), 0) for pair in pairs)
    first, second = rng.choice(
        [pair for pair in pairs if battles_per_pair.get(frozenset(pair), 0) == fewest]
    )
    return (first, second) if rng.random() < 0.5 else (second, first)
