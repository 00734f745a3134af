from decimal import Decimal

import pytest

from challenges.rules import Goal, automatic_points, find_scoring_problems, next_goal

INCLUDE = {
    "rule": "thresholds",
    "thresholds": [{"at": 100, "points": "0.5"}, {"at": 200, "points": "1"}],
}
STEREOTYPES = {"rule": "steps", "step": 10, "points_per_step": "0.1"}
BLEND = {"rule": "steps", "step": 50, "points_per_step": "0.5"}
PREFERENCES = {
    "rule": "steps_plus_judged",
    "step": 50,
    "points_per_step": "0.5",
    "automatic_max": "2",
}


@pytest.mark.parametrize(
    ("count", "points"),
    [
        (0, "0"),
        (99, "0"),
        (100, "0.5"),
        (101, "0.5"),
        (199, "0.5"),
        (200, "1"),
        (201, "1"),
        (5000, "1"),
    ],
)
def test_include_thresholds(count, points):
    assert automatic_points(scoring=INCLUDE, count=count) == Decimal(points)


@pytest.mark.parametrize(
    ("count", "points"), [(9, "0"), (10, "0.1"), (19, "0.1"), (20, "0.2"), (100, "1.0")]
)
def test_stereotype_steps_are_exact(count, points):
    result = automatic_points(scoring=STEREOTYPES, count=count)
    assert result == Decimal(points)
    assert str(automatic_points(scoring=STEREOTYPES, count=100)) == "1.0"


def test_ten_steps_of_a_tenth_make_exactly_one():
    assert sum(
        (automatic_points(scoring=STEREOTYPES, count=10) for _ in range(10)), Decimal(0)
    ) == Decimal("1")


@pytest.mark.parametrize(
    ("count", "points"), [(49, "0"), (50, "0.5"), (99, "0.5"), (100, "1"), (200, "2"), (250, "2.5")]
)
def test_blend_steps_before_the_cap(count, points):
    assert automatic_points(scoring=BLEND, count=count) == Decimal(points)


def test_challenge_cap_applies():
    assert automatic_points(scoring=BLEND, count=1000, cap=Decimal("2")) == Decimal("2")
    assert automatic_points(scoring=STEREOTYPES, count=1000, cap=Decimal("1")) == Decimal("1")


@pytest.mark.parametrize(("count", "points"), [(199, "1.5"), (200, "2"), (400, "2")])
def test_preferences_automatic_part_is_capped_at_two(count, points):
    assert automatic_points(scoring=PREFERENCES, count=count) == Decimal(points)


def test_judged_only_challenges_have_no_automatic_points():
    assert automatic_points(scoring={"rule": "judged"}, count=500) == Decimal("0")
    assert next_goal(scoring={"rule": "judged"}, count=0) is None


@pytest.mark.parametrize(
    ("scoring", "count", "goal"),
    [
        (INCLUDE, 0, Goal(100, Decimal("0.5"), 100)),
        (INCLUDE, 150, Goal(200, Decimal("1"), 50)),
        (INCLUDE, 200, None),
        (STEREOTYPES, 13, Goal(20, Decimal("0.2"), 7)),
        (PREFERENCES, 199, Goal(200, Decimal("2"), 1)),
        (PREFERENCES, 200, None),
    ],
)
def test_next_goal(scoring, count, goal):
    assert next_goal(scoring=scoring, count=count) == goal


def test_no_goal_past_the_challenge_cap():
    assert next_goal(scoring=STEREOTYPES, count=100, cap=Decimal("1")) is None


# --- scoring parameters organizers edit -------------------------------------------------------


@pytest.mark.parametrize(
    "scoring",
    [{}, INCLUDE, STEREOTYPES, BLEND, PREFERENCES | {"judged_max": "1", "aggregate": "median"},
     {"rule": "judged", "tracks": ["A", "B"], "rubric": [], "aggregate": "mean"},
     {"rule": "steps", "step": 10, "points_per_step": 0.1, "counts": "validated_ratings"}],
)  # fmt: skip
def test_parameters_the_rules_can_read(scoring):
    assert find_scoring_problems(scoring=scoring) == []


@pytest.mark.parametrize(
    ("scoring", "problem"),
    [
        ([], "must be an object"),
        ("judged", "must be an object"),
        ({"step": 10}, "Unknown scoring rule “”"),
        ({"rule": "percent"}, "Unknown scoring rule “percent”"),
        ({"rule": "thresholds"}, "needs a list of thresholds"),
        ({"rule": "thresholds", "thresholds": []}, "needs a list of thresholds"),
        ({"rule": "thresholds", "thresholds": [{"at": 100}]}, "Threshold 1 needs “at”"),
        ({"rule": "thresholds", "thresholds": [{"at": 100, "points": "1"}, {"at": 0, "points": "2"}]},
         "Threshold 2 needs “at”"),
        ({"rule": "thresholds", "thresholds": [{"at": "100", "points": "1"}]}, "Threshold 1"),
        ({"rule": "thresholds", "thresholds": [{"at": 100, "points": "-1"}]}, "Threshold 1"),
        ({"rule": "thresholds", "thresholds": [{"at": 100, "points": "NaN"}]}, "Threshold 1"),
        ({"rule": "steps", "step": 0, "points_per_step": "0.1"}, "“step” must be a whole number"),
        ({"rule": "steps", "step": True, "points_per_step": "0.1"}, "“step” must be a whole number"),
        ({"rule": "steps", "step": 10}, "“points_per_step” must be a number"),
        ({"rule": "steps", "step": 10, "points_per_step": "a tenth"}, "“points_per_step”"),
        (PREFERENCES | {"automatic_max": "two"}, "“automatic_max” must be a number"),
        (PREFERENCES | {"judged_max": -1}, "“judged_max” must be a number"),
        ({"rule": "judged", "aggregate": "mode"}, "“aggregate” must be mean, median, trimmed or zscore"),
    ],
)  # fmt: skip
def test_parameters_the_rules_cannot_read_are_explained(scoring, problem):
    problems = find_scoring_problems(scoring=scoring)
    assert any(problem in text for text in problems), problems


def test_every_problem_is_reported_at_once():
    problems = find_scoring_problems(scoring={"rule": "steps", "step": 0, "aggregate": "mode"})
    assert len(problems) == 3
