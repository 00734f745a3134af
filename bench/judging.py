"""Assigning judges at the scale the issue asks: 200 teams × 3 judges among 40 judges, with
conflicts of interest. Runs the assignment's pure function (``judging.assignment``) in memory,
no database: what ``assign_judges`` and the organizers' button run once they read the data
(a handful of queries). Prints one JSON line.

    .venv/bin/python bench/judging.py [--teams 200] [--judges 40] [--per-team 3] [--conflicts 8]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import report  # noqa: E402 -- the project's root is on the path first
from judging.assignment import Problem, assign_judges  # noqa: E402 -- idem


def build(*, teams: int, judges: int, per_team: int, conflicts: int, seed: int) -> Problem:
    """Judges with a capacity of a quarter more than the even share, each in conflict with
    ``conflicts`` random teams (their own, commits, declared, country); a few judges with a
    small capacity."""
    rng = random.Random(seed)
    share = -(-teams * per_team // judges)
    capacities = {judge: share + max(1, share // 4) for judge in range(1, judges + 1)}
    for judge in rng.sample(sorted(capacities), judges // 10):
        capacities[judge] = max(1, share // 2)
    team_ids = list(range(1001, 1001 + teams))
    pairs = {(judge, team) for judge in capacities for team in rng.sample(team_ids, conflicts)}
    return Problem(
        teams=team_ids, capacities=capacities, conflicts=frozenset(pairs), per_team=per_team
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--judges", type=int, default=40)
    parser.add_argument("--per-team", type=int, default=3)
    parser.add_argument("--conflicts", type=int, default=8, help="conflicts per judge")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    times, result, problem = [], None, None
    for run in range(args.runs):
        problem = build(
            teams=args.teams, judges=args.judges, per_team=args.per_team,
            conflicts=args.conflicts, seed=run,
        )  # fmt: skip
        started = time.perf_counter()
        result = assign_judges(problem=problem, seed=run)
        times.append(time.perf_counter() - started)
    summary = result.summary(teams=args.teams)
    assert not (result.pairs & problem.conflicts)
    report(
        "judging",
        {
            "path": "pure function in memory (judging.assignment.assign_judges), no database",
            "teams": args.teams,
            "judges": args.judges,
            "per_team": args.per_team,
            "conflicts": len(problem.conflicts),
            "runs": args.runs,
            "seconds_median": round(statistics.median(times), 4),
            "seconds_max": round(max(times), 4),
            "assignments": summary["assignments"],
            "min_load": summary["min_load"],
            "max_load": summary["max_load"],
            "teams_not_served": len(summary["teams_not_served"]),
        },
    )


if __name__ == "__main__":
    main()
