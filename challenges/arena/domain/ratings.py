"""How the arena's models rank: a Bradley–Terry fit over the battles, with bootstrap confidence
intervals, as FastChat and LM Arena compute them (on their Elo-like scale: 1000 for the
average model, 400 points for ten-to-one odds)."""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# A vote's outcome for model A: a win, a loss, or a tie (both good or both bad), worth half.
WIN_A, WIN_B, TIE = "model_a", "model_b", "tie"
SCALE, BASE = 400.0, 1000.0


@dataclass(frozen=True)
class BattleOutcome:
    model_a: str
    model_b: str
    winner: str  # WIN_A, WIN_B or TIE


@dataclass(frozen=True)
class Rating:
    model: str
    rating: float
    lower: float
    upper: float
    battles: int
    wins: float


def fit_bradley_terry(
    *, outcomes: Sequence[BattleOutcome], iterations: int = 200, tolerance: float = 1e-9
) -> dict[str, float]:
    """Each model's strength on the Elo-like scale, by maximum likelihood (Hunter's MM
    algorithm); a tie counts half a win for each side. Strengths are centred so that their
    geometric mean is 1 (a rating of 1000). A model that never won (or never lost) would run
    off to infinity: a tenth of a virtual tie against every other model keeps it finite."""
    models = sorted({o.model_a for o in outcomes} | {o.model_b for o in outcomes})
    if not models:
        return {}
    index = {model: i for i, model in enumerate(models)}
    size = len(models)
    wins = [0.0] * size
    games = [[0.0] * size for _ in range(size)]
    for outcome in outcomes:
        a, b = index[outcome.model_a], index[outcome.model_b]
        if a == b:
            continue
        games[a][b] += 1
        games[b][a] += 1
        if outcome.winner == WIN_A:
            wins[a] += 1
        elif outcome.winner == WIN_B:
            wins[b] += 1
        else:
            wins[a] += 0.5
            wins[b] += 0.5
    prior = 0.1
    for a in range(size):
        for b in range(size):
            if a != b:
                games[a][b] += prior
        wins[a] += prior * (size - 1) / 2
    strength = [1.0] * size
    for _ in range(iterations):
        updated = []
        for a in range(size):
            denominator = sum(
                games[a][b] / (strength[a] + strength[b]) for b in range(size) if b != a
            )
            updated.append(wins[a] / denominator if denominator else strength[a])
        centre = math.exp(sum(math.log(value) for value in updated) / size)
        updated = [value / centre for value in updated]
        change = max(abs(new - old) for new, old in zip(updated, strength, strict=True))
        strength = updated
        if change < tolerance:
            break
    return {model: BASE + SCALE * math.log10(strength[index[model]]) for model in models}


def rate_models(
    *, outcomes: Sequence[BattleOutcome], rounds: int = 200, seed: int = 0
) -> list[Rating]:
    """Every model's rating with a 95% interval from ``rounds`` bootstrap resamples of the
    battles (the same seed gives the same intervals), best first."""
    point = fit_bradley_terry(outcomes=outcomes)
    if not point:
        return []
    rng = random.Random(seed)
    samples: dict[str, list[float]] = {model: [] for model in point}
    for _ in range(rounds if len(outcomes) > 1 else 0):
        resample = [outcomes[rng.randrange(len(outcomes))] for _ in outcomes]
        fitted = fit_bradley_terry(outcomes=resample, iterations=100, tolerance=1e-6)
        for model in point:
            if model in fitted:
                samples[model].append(fitted[model])
    battles: dict[str, int] = dict.fromkeys(point, 0)
    won: dict[str, float] = dict.fromkeys(point, 0.0)
    for outcome in outcomes:
        battles[outcome.model_a] += 1
        battles[outcome.model_b] += 1
        if outcome.winner == WIN_A:
            won[outcome.model_a] += 1
        elif outcome.winner == WIN_B:
            won[outcome.model_b] += 1
        else:
            won[outcome.model_a] += 0.5
            won[outcome.model_b] += 0.5
    ratings = []
    for model, rating in point.items():
        values = sorted(samples[model])
        lower = values[int(0.025 * (len(values) - 1))] if values else rating
        upper = values[int(math.ceil(0.975 * (len(values) - 1)))] if values else rating
        ratings.append(Rating(model, rating, lower, upper, battles[model], won[model]))
    return sorted(ratings, key=lambda r: (-r.rating, r.model))


def rate_by_group(
    *, outcomes: Iterable[tuple[str, BattleOutcome]], rounds: int = 200, seed: int = 0
) -> dict[str, list[Rating]]:
    """Ratings per group (a country, a language): ``outcomes`` pairs each battle with its
    group; groups come back in alphabetical order."""
    groups: dict[str, list[BattleOutcome]] = {}
    for group, outcome in outcomes:
        groups.setdefault(group, []).append(outcome)
    return {
        group: rate_models(outcomes=groups[group], rounds=rounds, seed=seed)
        for group in sorted(groups)
    }
