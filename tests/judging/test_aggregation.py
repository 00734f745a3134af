"""Aggregation per challenge: trimmed mean, and z-scores per judge rescaled to the rubric's
range, against values computed by hand; the organizers' page shows the spread and outliers."""

from decimal import Decimal

import pytest

from scoring.models import Criterion, TeamScore
from scoring.rules import aggregate, find_outliers, judge_fraction, standardize_by_judge
from tests.factories import ChallengeFactory, UserFactory, assign_judge, make_team

D = Decimal

# Judge 1 marked teams 1, 2, 3 with 2, 4, 6 (of 10); judge 2 marked teams 1, 2 with 6, 8.
# Judge 1: mean 0.4, deviation sqrt(0.08 / 3) = 0.163299; judge 2: mean 0.7, deviation 0.1.
# All five: mean 0.52, deviation sqrt(0.208 / 5) = 0.203961.
# Judge 1, team 1: z = -0.2 / 0.163299 = -1.224745 → 0.52 - 1.224745 × 0.203961 = 0.270200.
# Judge 2, team 1: z = -1 → 0.52 - 0.203961 = 0.316039; team 2: z = +1 → 0.723961.
HAND = {
    (1, 1): D("0.270200"), (1, 2): D("0.52"), (1, 3): D("0.769800"),
    (2, 1): D("0.316039"), (2, 2): D("0.723961"),
}  # fmt: skip


def test_z_scores_match_the_hand_computed_values():
    fractions = {
        (1, 1): D("0.2"), (1, 2): D("0.4"), (1, 3): D("0.6"), (2, 1): D("0.6"), (2, 2): D("0.8"),
    }  # fmt: skip
    standardized = standardize_by_judge(fractions=fractions)
    assert set(standardized) == set(HAND)
    for key, value in HAND.items():
        assert abs(standardized[key] - value) < D("0.000001"), key


def test_a_judge_with_one_result_or_all_equal_gets_the_overall_mean():
    standardized = standardize_by_judge(
        fractions={(1, 1): D("0.9"), (2, 1): D("0.5"), (2, 2): D("0.5"), (3, 2): D("0.1")}
    )
    assert standardized[(1, 1)] == standardized[(2, 1)] == standardized[(3, 2)] == D("0.5")


def test_trimmed_mean_drops_the_highest_and_lowest_from_three_judges():
    assert aggregate(values=[D(1), D("0.5"), D("0.4")], how="trimmed") == D("0.5")
    assert aggregate(values=[D(1), D("0.5")], how="trimmed") == D("0.75")
    assert find_outliers(values=[D("0.9"), D("0.4"), D("0.45")]) == [0]


def test_marks_are_read_on_their_criterion_scale():
    # 4 of 5 (weight 1) and 5 of 10 (weight 3): (0.8 + 3 × 0.5) / 4.
    assert judge_fraction(marks=[(D(1), D(4), 5), (D(3), D(5), 10)]) == D("0.575")


@pytest.mark.django_db
def test_a_z_score_challenge_stores_the_standardized_points(
    edition, roles, django_capture_on_commit_callbacks, client, organizer
):
    from judging.domain.marking import submit_marks

    challenge = ChallengeFactory(
        edition=edition, slug="demo", kind="demo", category="deliverable", max_points=D("0.5"),
        scoring={"rule": "judged", "aggregate": "zscore"},
    )  # fmt: skip
    criterion = Criterion.objects.create(challenge=challenge, label_es="Todo", position=1)
    teams = [make_team(edition=edition, name=f"Equipo {n}") for n in (1, 2, 3)]
    judges = [UserFactory(), UserFactory()]
    for person in judges:
        person.groups.add(roles["judges"])
    marks = {0: [2, 4, 6], 1: [6, 8]}
    with django_capture_on_commit_callbacks(execute=True):
        for index, person in enumerate(judges):
            for team, mark in zip(teams, marks[index], strict=False):
                assign_judge(challenge=challenge, team=team, judge=person)
                submit_marks(
                    challenge=challenge, team=team, judge=person,
                    marks={criterion.pk: D(mark)}, comment="",
                )  # fmt: skip
    points = dict(
        TeamScore.objects.filter(challenge=challenge).values_list("team__name", "judged_points")
    )
    # Team 1: (0.270200 + 0.316039) / 2 × 0.5 = 0.14656; team 2: (0.52 + 0.723961) / 2 × 0.5;
    # team 3: 0.769800 × 0.5.
    assert points == {"Equipo 1": D("0.147"), "Equipo 2": D("0.311"), "Equipo 3": D("0.385")}
    client.force_login(organizer)
    page = client.get(f"/organize/judging/{challenge.slug}/", HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert "standardized per judge" in text and ": 2</span>" not in text  # 2 → 2.7
    assert "2 → 2.7" in text and "<td>0.147</td>" in text
