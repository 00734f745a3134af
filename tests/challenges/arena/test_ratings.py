"""Bradley–Terry ratings and the pair drawing, as pure functions."""

import math
import random
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from challenges.arena.domain.pairing import draw_pair
from challenges.arena.domain.ratings import (
    TIE,
    WIN_A,
    WIN_B,
    BattleOutcome,
    fit_bradley_terry,
    rate_by_group,
    rate_models,
)

STRENGTHS = {"fuerte": 4.0, "medio": 2.0, "debil": 1.0}


def simulated(n: int, seed: int = 1) -> list[BattleOutcome]:
    rng = random.Random(seed)
    names = list(STRENGTHS)
    outcomes = []
    for _ in range(n):
        a, b = rng.sample(names, 2)
        p = STRENGTHS[a] / (STRENGTHS[a] + STRENGTHS[b])
        outcomes.append(BattleOutcome(a, b, WIN_A if rng.random() < p else WIN_B))
    return outcomes


def test_the_fit_recovers_known_strengths():
    ratings = fit_bradley_terry(outcomes=simulated(6000))
    # log10(4/2) * 400 = 120 points between each step.
    assert abs((ratings["fuerte"] - ratings["medio"]) - 120.4) < 25
    assert abs((ratings["medio"] - ratings["debil"]) - 120.4) < 25
    centre = sum(ratings.values()) / 3
    assert abs(centre - 1000) < 1e-6


def test_a_hand_built_set():
    # A beats B 3 times out of 4: B has a quarter of the strength... of A, up to the prior.
    outcomes = [BattleOutcome("A", "B", WIN_A)] * 30 + [BattleOutcome("A", "B", WIN_B)] * 10
    ratings = fit_bradley_terry(outcomes=outcomes)
    assert abs((ratings["A"] - ratings["B"]) - 400 * math.log10(3)) < 5


def test_ties_count_half_and_a_model_that_never_loses_stays_finite():
    assert fit_bradley_terry(outcomes=[BattleOutcome("A", "B", TIE)] * 10) == {
        "A": 1000.0,
        "B": 1000.0,
    }
    ratings = fit_bradley_terry(outcomes=[BattleOutcome("A", "B", WIN_A)] * 5)
    assert math.isfinite(ratings["A"]) and ratings["A"] > ratings["B"]


def test_intervals_hold_the_rating_and_are_the_same_for_the_same_seed():
    outcomes = simulated(300)
    first = rate_models(outcomes=outcomes, rounds=50, seed=3)
    assert [r.model for r in first] == ["fuerte", "medio", "debil"]
    for rating in first:
        assert rating.lower <= rating.rating <= rating.upper
    assert first == rate_models(outcomes=outcomes, rounds=50, seed=3)
    assert sum(r.battles for r in first) == 600


def test_per_group():
    outcomes = simulated(60)
    grouped = rate_by_group(
        outcomes=[("PE" if i % 2 else "MX", o) for i, o in enumerate(outcomes)], rounds=10
    )
    assert list(grouped) == ["MX", "PE"]


def test_no_battles_no_ratings():
    assert rate_models(outcomes=[]) == []


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=2, max_value=7), st.integers(min_value=1, max_value=60), st.integers())
def test_drawing_keeps_every_pair_within_one_battle(models, battles, seed):
    rng = random.Random(seed)
    ids = list(range(1, models + 1))
    counts: Counter = Counter()
    for _ in range(battles):
        a, b = draw_pair(model_ids=ids, battles_per_pair=counts, rng=rng)
        assert a != b and a in ids and b in ids
        counts[frozenset((a, b))] += 1
    pairs = models * (models - 1) // 2
    values = [counts.get(frozenset((a, b)), 0) for a in ids for b in ids if a < b]
    assert len(values) == pairs and max(values) - min(values) <= 1


def test_drawing_needs_two_models():
    assert draw_pair(model_ids=[1], battles_per_pair={}) is None
    assert draw_pair(model_ids=[1, 1], battles_per_pair={}) is None


def test_both_sides_are_drawn():
    rng = random.Random(0)
    firsts = Counter(
        draw_pair(model_ids=[1, 2], battles_per_pair={}, rng=rng)[0] for _ in range(200)
    )
    assert firsts[1] > 50 and firsts[2] > 50
