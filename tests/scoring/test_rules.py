from decimal import Decimal

import pytest

from scoring.rules import aggregate, judge_fraction, rank, score_challenge, team_total
from tests.challenges.test_rules import PREFERENCES

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
