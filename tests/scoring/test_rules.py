from decimal import Decimal

import pytest

from scoring.rules import Goal, automatic_points, find_scoring_problems, next_goal

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


from scoring.rules import aggregate, judge_fraction, rank, score_challenge, team_total  # noqa: E402 - grouped by topic

D = Decimal


def test_judge_fraction_is_the_weighted_mean_over_ten():
    assert judge_fraction(marks=[(D(2), D(10)), (D(1), D(4))]) == D(24) / D(30)
    assert judge_fraction(marks=[]) == 0


@pytest.mark.parametrize(
    ("values", "how", "expected"),
    [([D("0.2"), D("0.4"), D("0.9")], "mean", D("0.5")), ([D("0.2"), D("0.4"), D("0.9")], "median", D("0.4")),
     ([D("0.2"), D("0.4")], "median", D("0.3")), ([], "mean", None)],
)  # fmt: skip
def test_aggregation(values, how, expected):
    assert aggregate(values=values, how=how) == expected


def test_preferences_combine_automatic_and_judged_under_the_cap():
    score = score_challenge(
        scoring=PREFERENCES | {"judged_max": "1"},
        max_points=D(3),
        counted=250,
        judge_fractions=[D("0.5")],
    )
    assert (score.automatic, score.judged, score.points) == (D(2), D("0.500"), D("2.5"))
    full = score_challenge(
        scoring=PREFERENCES | {"judged_max": "1"},
        max_points=D(3),
        counted=1000,
        judge_fractions=[D(1)],
    )
    assert full.points == D(3)


def test_judged_points_stay_hidden_until_published():
    score = score_challenge(
        scoring=PREFERENCES | {"judged_max": "1"},
        max_points=D(3),
        counted=100,
        judge_fractions=[D(1)],
        judged_published=False,
    )
    assert score.points == D(2) and score.public_points == D(1)


def test_an_override_replaces_the_judges():
    score = score_challenge(
        scoring={"rule": "judged"},
        max_points=D(3),
        counted=0,
        judge_fractions=[D("0.1")],
        override=D("2.5"),
    )
    assert score.judged == D("2.5") and score.points == D("2.5")


def test_alignment_without_a_track_earns_nothing():
    score = score_challenge(
        scoring={"rule": "judged"},
        max_points=D(3),
        counted=0,
        judge_fractions=[D(1)],
        eligible=False,
    )
    assert score.points == 0


def test_team_total_is_capped_at_ten_and_keeps_the_sum():
    assert team_total(
        points=[D(1), D(1), D(2), D(3), D(3), D("0.5"), D("0.5"), D("0.5")], cap=D(10)
    ) == (D("11.5"), D(10))
    assert team_total(points=[D("0.1")] * 10, cap=D(10)) == (D("1.0"), D("1.0"))


def test_equal_totals_share_a_rank_in_a_stable_order():
    ranking = rank(totals=[(D(5), "beta", 2), (D(7), "zeta", 9), (D(5), "Alfa", 3), (D(1), "x", 4)])
    assert ranking == [(1, 9), (2, 3), (2, 2), (4, 4)]


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
        ({"rule": "judged", "aggregate": "mode"}, "“aggregate” must be mean or median"),
    ],
)  # fmt: skip
def test_parameters_the_rules_cannot_read_are_explained(scoring, problem):
    problems = find_scoring_problems(scoring=scoring)
    assert any(problem in text for text in problems), problems


def test_every_problem_is_reported_at_once():
    problems = find_scoring_problems(scoring={"rule": "steps", "step": 0, "aggregate": "mode"})
    assert len(problems) == 3
