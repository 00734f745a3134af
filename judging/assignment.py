"""Assigning judges to teams: a pure function over plain data (ids, capacities, conflicts).

The rule (``assign_judges``): every team gets ``per_team`` different judges; no judge gets a team
they have a conflict of interest with; nobody goes over their capacity; judges' loads differ by
at most one, as far as the conflicts and capacities allow; the same data and seed give the same
assignment. It runs in memory: 200 teams × 3 judges among 40 judges take a few milliseconds
(``bench/judging.py``).

How: the teams with the fewest possible judges first, each slot to the least loaded judge who
may take it (ties broken by an order drawn from the seed); a team left short frees a slot by
moving one of a full judge's teams to a judge with room; then loads are levelled by moving
teams along chains of judges (``_level``) until no judge has two more than another one who
could take part of their load.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field

# Why a team could not get all its judges.
NOT_ENOUGH_FREE = "conflicts"  # fewer judges without a conflict than judges per team
NO_CAPACITY = "capacity"  # enough judges without a conflict, but they are full


@dataclass(frozen=True)
class Problem:
    """What the assignment is asked: teams, judges with their capacity, the pairs in
    conflict, how many judges each team needs, and assignments kept as they are (marked
    already, or made by hand)."""

    teams: list[int]
    capacities: dict[int, int]  # judge id -> at most this many teams
    conflicts: frozenset[tuple[int, int]]  # (judge id, team id)
    per_team: int
    fixed: frozenset[tuple[int, int]] = frozenset()  # (judge id, team id), kept


@dataclass
class Result:
    pairs: set[tuple[int, int]] = field(default_factory=set)  # (judge id, team id)
    loads: dict[int, int] = field(default_factory=dict)
    unserved: dict[int, str] = field(
        default_factory=dict
    )  # team id -> NOT_ENOUGH_FREE | NO_CAPACITY
    conflicts_avoided: int = 0  # conflicting pairs among the teams and judges, never assigned

    def summary(self, *, teams: int) -> dict:
        loads = list(self.loads.values())
        return {
            "teams": teams,
            "judges": len(self.loads),
            "assignments": len(self.pairs),
            "min_load": min(loads, default=0),
            "max_load": max(loads, default=0),
            "conflicts_avoided": self.conflicts_avoided,
            "teams_not_served": [
                {"team": team, "why": why} for team, why in sorted(self.unserved.items())
            ],
        }


def assign_judges(*, problem: Problem, seed: int = 0) -> Result:
    """Judges for every team of ``problem`` (see the module's docstring for the rule)."""
    rng = random.Random(seed)
    judges = sorted(problem.capacities)
    tie = {judge: rank for rank, judge in enumerate(rng.sample(judges, len(judges)))}
    team_set = set(problem.teams)
    teams = sorted(team_set)
    rng.shuffle(teams)
    blocked: dict[int, set[int]] = {team: set() for team in teams}
    for judge, team in problem.conflicts:
        if team in blocked and judge in problem.capacities:
            blocked[team].add(judge)
    result = Result(loads=dict.fromkeys(judges, 0))
    panel: dict[int, set[int]] = {team: set() for team in teams}
    for judge, team in sorted(problem.fixed):
        if team in panel and judge in result.loads:
            panel[team].add(judge)
            result.loads[judge] += 1
    capacity = problem.capacities
    free = {team: [j for j in judges if j not in blocked[team]] for team in teams}
    # The most constrained teams first; the seed orders the others.
    teams.sort(key=lambda team: len(free[team]))
    for _round in range(problem.per_team):
        for team in teams:
            if len(panel[team]) >= problem.per_team:
                continue
            candidates = [
                j for j in free[team] if j not in panel[team] and result.loads[j] < capacity[j]
            ]
            if not candidates and not _free_a_slot(team, free, panel, result.loads, capacity):
                continue
            if not candidates:
                candidates = [
                    j for j in free[team] if j not in panel[team] and result.loads[j] < capacity[j]
                ]
            best = min(candidates, key=lambda j: (result.loads[j], tie[j]))
            panel[team].add(best)
            result.loads[best] += 1
    fixed = {(judge, team) for judge, team in problem.fixed}
    _level(teams, free, panel, result.loads, capacity, tie, fixed)
    for team in teams:
        for judge in panel[team]:
            result.pairs.add((judge, team))
        if len(panel[team]) < problem.per_team:
            result.unserved[team] = (
                NOT_ENOUGH_FREE if len(free[team]) < problem.per_team else NO_CAPACITY
            )
    result.conflicts_avoided = sum(len(blocked[team]) for team in teams)
    return result


def _free_a_slot(team, free, panel, loads, capacity) -> bool:
    """A full judge who may take ``team`` hands one of their teams to a judge with room."""
    for full in free[team]:
        if full in panel[team] or loads[full] < capacity[full]:
            continue
        for other in sorted(t for t, members in panel.items() if full in members):
            for spare in free[other]:
                if spare not in panel[other] and loads[spare] < capacity[spare]:
                    panel[other].discard(full)
                    panel[other].add(spare)
                    loads[full] -= 1
                    loads[spare] += 1
                    return True
    return False


def _level(teams, free, panel, loads, capacity, tie, fixed) -> None:
    """Move teams from the most loaded judges along chains of judges to one with at least two
    fewer (and room), until no such chain exists. Each move keeps every team's judge count,
    never adds a conflict and never touches a kept assignment."""
    free_sets = {team: set(members) for team, members in free.items()}
    order = sorted(loads, key=lambda j: tie[j])
    for _guard in range(len(teams) * max(1, len(loads))):
        moved = False
        lowest = min((loads[j] for j in loads if loads[j] < capacity[j]), default=None)
        if lowest is None:
            return
        for start in sorted(order, key=lambda j: -loads[j]):
            if loads[start] < lowest + 2:
                break
            path = _chain(start, teams, free_sets, panel, loads, capacity, fixed, order)
            if path is None:
                continue
            for giver, team, taker in path:
                panel[team].discard(giver)
                panel[team].add(taker)
            loads[start] -= 1
            loads[path[-1][2]] += 1
            moved = True
            break
        if not moved:
            return


def _chain(start, teams, free_sets, panel, loads, capacity, fixed, order):
    """The shortest chain start → … → end of (giver, team, taker) moves where ``end`` has at
    least two teams fewer than ``start`` and room for one more; None when there is none."""
    held: dict[int, list[int]] = {judge: [] for judge in loads}
    for team in teams:
        for judge in panel[team]:
            if (judge, team) not in fixed:
                held[judge].append(team)
    previous: dict[int, tuple[int, int]] = {}
    seen = {start}
    queue = deque([start])
    while queue:
        giver = queue.popleft()
        for team in held[giver]:
            for taker in order:
                if taker in seen or taker in panel[team] or taker not in free_sets[team]:
                    continue
                seen.add(taker)
                previous[taker] = (giver, team)
                if loads[taker] + 2 <= loads[start] and loads[taker] < capacity[taker]:
                    path = []
                    node = taker
                    while node != start:
                        giver_of, team_of = previous[node]
                        path.append((giver_of, team_of, node))
                        node = giver_of
                    return list(reversed(path))
                queue.append(taker)
    return None
