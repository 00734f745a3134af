"""The assignment's rule over random instances (hypothesis): every team served when it can
be, never a conflict, never over capacity, loads balanced, the same result for the same seed."""

from hypothesis import given, settings
from hypothesis import strategies as st

from judging.assignment import NO_CAPACITY, NOT_ENOUGH_FREE, Problem, assign_judges


@st.composite
def problems(draw, *, sparse: bool = False):
    judges = draw(st.integers(min_value=1, max_value=12))
    teams = draw(st.integers(min_value=0, max_value=30))
    per_team = draw(st.integers(min_value=1, max_value=4))
    judge_ids = list(range(1, judges + 1))
    team_ids = list(range(100, 100 + teams))
    if sparse:
        # Room for everyone: the even share plus some, two judges more than a team needs,
        # and at most one conflict per judge and per team.
        judge_ids = list(range(1, max(judges, per_team + 2) + 1))
        share = -(-teams * per_team // len(judge_ids))
        capacities = {j: share + draw(st.integers(0, 3)) for j in judge_ids}
        conflicts, taken = set(), set()
        for j in judge_ids:
            if team_ids and draw(st.booleans()):
                team = draw(st.sampled_from(team_ids))
                if team not in taken:
                    taken.add(team)
                    conflicts.add((j, team))
    else:
        capacities = {j: draw(st.integers(min_value=0, max_value=12)) for j in judge_ids}
        pairs = [(j, t) for j in judge_ids for t in team_ids]
        conflicts = set(draw(st.lists(st.sampled_from(pairs), max_size=40))) if pairs else set()
    return Problem(
        teams=team_ids, capacities=capacities, conflicts=frozenset(conflicts), per_team=per_team
    )


def panels(result):
    by_team = {}
    for judge, team in result.pairs:
        by_team.setdefault(team, set()).add(judge)
    return by_team


@settings(max_examples=300, deadline=None)
@given(problem=problems(), seed=st.integers(min_value=0, max_value=2**16))
def test_never_a_conflict_never_over_capacity_never_twice(problem, seed):
    result = assign_judges(problem=problem, seed=seed)
    assert not result.pairs & problem.conflicts
    loads = {j: 0 for j in problem.capacities}
    for judge, _team in result.pairs:
        loads[judge] += 1
    assert loads == result.loads
    assert all(loads[j] <= problem.capacities[j] for j in loads)
    by_team = panels(result)
    for team in problem.teams:
        served = len(by_team.get(team, ()))
        assert served <= problem.per_team
        if served < problem.per_team:
            assert result.unserved[team] in (NOT_ENOUGH_FREE, NO_CAPACITY)
            free = [j for j in problem.capacities if (j, team) not in problem.conflicts]
            if result.unserved[team] == NOT_ENOUGH_FREE:
                assert len(free) < problem.per_team
            else:  # every judge who could take it is full
                assert all(
                    loads[j] == problem.capacities[j]
                    for j in free
                    if j not in by_team.get(team, ())
                )
        else:
            assert team not in result.unserved


@settings(max_examples=200, deadline=None)
@given(problem=problems(), seed=st.integers(min_value=0, max_value=2**16))
def test_the_same_seed_gives_the_same_assignment(problem, seed):
    first = assign_judges(problem=problem, seed=seed)
    again = assign_judges(problem=problem, seed=seed)
    assert first.pairs == again.pairs and first.unserved == again.unserved


@settings(max_examples=300, deadline=None)
@given(problem=problems(sparse=True), seed=st.integers(min_value=0, max_value=2**16))
def test_with_room_everyone_is_served_and_loads_differ_by_at_most_one(problem, seed):
    result = assign_judges(problem=problem, seed=seed)
    assert not result.unserved
    loads = list(result.loads.values())
    assert max(loads) - min(loads) <= 1


def test_kept_assignments_stay_and_count_in_the_load():
    problem = Problem(
        teams=[1, 2, 3, 4], capacities={10: 4, 20: 4}, conflicts=frozenset({(20, 1)}),
        per_team=1, fixed=frozenset({(10, 2), (10, 3)}),
    )  # fmt: skip
    result = assign_judges(problem=problem, seed=3)
    assert {(10, 2), (10, 3)} <= result.pairs
    assert (10, 1) in result.pairs  # 20 has a conflict with team 1
    assert result.loads == {10: 3, 20: 1}
    assert result.summary(teams=4)["conflicts_avoided"] == 1


def test_a_team_nobody_free_can_judge_is_reported_with_why():
    problem = Problem(
        teams=[1, 2], capacities={10: 5, 20: 5}, conflicts=frozenset({(10, 1), (20, 1)}),
        per_team=1,
    )  # fmt: skip
    summary = assign_judges(problem=problem, seed=0).summary(teams=2)
    assert summary["teams_not_served"] == [{"team": 1, "why": NOT_ENOUGH_FREE}]
    full = Problem(teams=[1, 2, 3], capacities={10: 1, 20: 1}, conflicts=frozenset(), per_team=1)
    assert assign_judges(problem=full, seed=0).unserved == {
        team: NO_CAPACITY
        for team in [1, 2, 3]
        if team not in {t for _j, t in assign_judges(problem=full, seed=0).pairs}
    }
