"""Scores follow every kind of change at once, and a full recompute gives the same result."""

from decimal import Decimal

import pytest

from challenges.domain import decide_contributions
from challenges.models import ContributionStatus
from scoring.domain import recompute_scores
from scoring.gates import credits_gates, personal_incentives
from scoring.models import Grant, ScoreChange, TeamScore
from teams import domain as teams
from tests.challenges.include.factories import (
    ExamFactory,
    ExamQuestionFactory,
    IncludeChallengeFactory,
)
from tests.challenges.preferences.factories import (
    PreferencesChallengeFactory,
    PromptFactory,
    pass_quiz,
)
from tests.factories import UserFactory, make_team

pytestmark = pytest.mark.django_db
D = Decimal
THRESHOLDS = {
    "rule": "thresholds",
    "thresholds": [{"at": 100, "points": "0.5"}, {"at": 200, "points": "1"}],
}


@pytest.fixture
def include(edition):
    return IncludeChallengeFactory(edition=edition, max_points=D(1), scoring=THRESHOLDS)


def questions(include, author, count, status=ContributionStatus.PENDING):
    exam = ExamFactory(challenge=include, author=author)
    return ExamQuestionFactory.create_batch(count, exam=exam, status=status)


def score_of(team, challenge):
    row = TeamScore.objects.filter(team=team, challenge=challenge).first()
    return (row.counted, row.points) if row else (0, D(0))


def test_an_acceptance_changes_the_team_score_at_once(
    edition, include, organizer, django_capture_on_commit_callbacks
):
    team = make_team(edition=edition, members=2)
    first, second = [m.user for m in team.memberships.all()]
    questions(include, first, 60, ContributionStatus.VALIDATED)
    pending = questions(include, second, 40)
    recompute_scores(edition=edition, cause=ScoreChange.Cause.RECOMPUTE)
    assert score_of(team, include) == (60, D(0))
    with django_capture_on_commit_callbacks(execute=True):
        decide_contributions(
            model=type(pending[0]),
            challenge=include,
            ids=[q.pk for q in pending],
            status=ContributionStatus.VALIDATED,
            by=organizer,
        )
    assert score_of(team, include) == (100, D("0.5"))
    change = ScoreChange.objects.filter(team=team).first()
    assert change.cause == ScoreChange.Cause.CONTRIBUTIONS and (
        change.old_points,
        change.new_points,
    ) == (D(0), D("0.5"))


def test_an_invalidation_takes_points_back(
    edition, include, organizer, django_capture_on_commit_callbacks
):
    team = make_team(edition=edition)
    accepted = questions(include, team.memberships.get().user, 100, ContributionStatus.VALIDATED)
    recompute_scores(edition=edition, cause=ScoreChange.Cause.RECOMPUTE)
    with django_capture_on_commit_callbacks(execute=True):
        decide_contributions(
            model=type(accepted[0]), challenge=include, ids=[accepted[0].pk], status=ContributionStatus.INVALIDATED,
            reason="Copiado", by=organizer,
        )  # fmt: skip
    assert score_of(team, include) == (99, D(0))


def test_work_done_before_joining_counts_for_the_new_team(
    edition, include, django_capture_on_commit_callbacks
):
    team = make_team(edition=edition)
    newcomer = UserFactory()
    questions(include, newcomer, 100, ContributionStatus.VALIDATED)
    recompute_scores(edition=edition, cause=ScoreChange.Cause.RECOMPUTE)
    assert score_of(team, include) == (0, D(0))
    with django_capture_on_commit_callbacks(execute=True):
        teams.join_team(user=newcomer, invite_token=team.invite_token)
    assert score_of(team, include) == (100, D("0.5"))
    with django_capture_on_commit_callbacks(execute=True):
        teams.leave_team(team=team, user=newcomer)
    assert score_of(team, include) == (0, D(0))
    assert list(ScoreChange.objects.filter(team=team).values_list("cause", flat=True)) == [
        "membership",
        "membership",
    ]


def test_a_rule_edit_recomputes_every_team(edition, include, django_capture_on_commit_callbacks):
    from challenges.domain import record_changes, take_snapshot
    from challenges.models import ChangeRecord

    team = make_team(edition=edition)
    questions(include, team.memberships.get().user, 120, ContributionStatus.VALIDATED)
    recompute_scores(edition=edition, cause=ScoreChange.Cause.RECOMPUTE)
    assert score_of(team, include) == (120, D("0.5"))
    before = take_snapshot(instance=include, fields=["scoring"])
    include.scoring = {"rule": "thresholds", "thresholds": [{"at": 100, "points": "1"}]}
    include.save()
    with django_capture_on_commit_callbacks(execute=True):
        record_changes(
            edition=edition, instance=include, before=before, source=ChangeRecord.Source.ADMIN
        )
    assert score_of(team, include) == (120, D(1))
    assert ScoreChange.objects.filter(team=team, cause=ScoreChange.Cause.RULES).exists()


def test_full_recompute_matches_the_incremental_one(
    edition, include, organizer, django_capture_on_commit_callbacks
):
    teams_ = [make_team(edition=edition, members=2) for _ in range(3)]
    for index, team in enumerate(teams_):
        for member in team.memberships.all():
            questions(include, member.user, 40 * (index + 1), ContributionStatus.VALIDATED)
    recompute_scores(edition=edition, cause=ScoreChange.Cause.RECOMPUTE)
    incremental = {
        (s.team_id, s.challenge_id): (s.counted, s.points) for s in TeamScore.objects.all()
    }
    TeamScore.objects.all().delete()
    recompute_scores(edition=edition, cause=ScoreChange.Cause.RECOMPUTE)
    assert {
        (s.team_id, s.challenge_id): (s.counted, s.points) for s in TeamScore.objects.all()
    } == incremental
    assert incremental[(teams_[2].pk, include.pk)] == (240, D(1))
    assert recompute_scores(edition=edition, cause=ScoreChange.Cause.RECOMPUTE) == 0


def test_the_recompute_command_prints_one_json_line(edition, include, capsys):
    import json

    from django.core.management import call_command

    make_team(edition=edition)
    call_command("recompute_scores")
    line = json.loads(capsys.readouterr().out)
    assert line["edition"] == edition.slug and "seconds" in line


def test_alignment_counts_only_for_a_chosen_track(
    edition, judge, django_capture_on_commit_callbacks
):
    from scoring.judged import submit_review
    from scoring.models import Criterion
    from tests.factories import ChallengeFactory

    alignment = ChallengeFactory(
        edition=edition,
        slug="alignment",
        kind="alignment",
        max_points=D(3),
        scoring={"rule": "judged"},
    )
    criterion = Criterion.objects.create(challenge=alignment, label_es="Calidad", weight=D(1))
    team = make_team(edition=edition)
    with django_capture_on_commit_callbacks(execute=True):
        submit_review(challenge=alignment, team=team, judge=judge, marks={criterion.pk: D(10)})
    assert score_of(team, alignment)[1] == 0
    team.track = "A"
    team.save()
    recompute_scores(edition=edition, cause=ScoreChange.Cause.RECOMPUTE)
    assert score_of(team, alignment)[1] == D(3)


# --- gates and incentives -------------------------------------------------------------------------


def test_credits_gate_lists_what_is_missing(edition, organizer):
    edition.gates = {"credits": {"validated_prompts": 100, "validated_blend_answers": 200}}
    edition.save()
    preferences = PreferencesChallengeFactory(edition=edition)
    from tests.factories import ChallengeFactory

    blend = ChallengeFactory(edition=edition, slug="blend", kind="blend")
    team = make_team(edition=edition, members=2)
    first, second = [m.user for m in team.memberships.all()]
    PromptFactory(challenge=preferences, author=first)
    PromptFactory(challenge=preferences, author=second)
    pass_quiz(challenge=preferences, user=first)
    TeamScore.objects.create(team=team, challenge=preferences, counted=100)
    TeamScore.objects.create(team=team, challenge=blend, counted=199)
    state = credits_gates(edition=edition, teams=[team])[0]
    assert not state.open
    assert {check.key for check in state.missing} == {"blend", "quiz", "registered"}
    pass_quiz(challenge=preferences, user=second)
    TeamScore.objects.filter(challenge=blend).update(counted=200)
    teams.register_team(team=team, by=first)
    team.refresh_from_db()
    assert credits_gates(edition=edition, teams=[team])[0].open


def test_organizers_grant_credits_once(client, edition, organizer, participant):
    team = make_team(edition=edition)
    client.force_login(participant)
    assert client.get("/organize/gates/").status_code == 403
    assert client.post(f"/organize/gates/{team.pk}/credits/").status_code == 403
    client.force_login(organizer)
    assert client.get("/organize/gates/").status_code == 200
    # One click is not enough: a reason and a confirmation.
    response = client.post(f"/organize/gates/{team.pk}/credits/", follow=True)
    assert not Grant.objects.exists()
    assert "Say why" in response.content.decode() or "Di por qué" in response.content.decode()
    client.post(f"/organize/gates/{team.pk}/credits/", {"reason": "Umbral alcanzado"})
    assert not Grant.objects.exists()
    confirmed = {"reason": "Umbral alcanzado", "confirm": "on"}
    client.post(f"/organize/gates/{team.pk}/credits/", confirmed)
    client.post(f"/organize/gates/{team.pk}/credits/", confirmed)
    client.post(f"/organize/gates/{team.pk}/nonsense/", confirmed)
    assert list(Grant.objects.values_list("kind", "reason")) == [("credits", "Umbral alcanzado")]


def test_a_gpu_grant_also_needs_a_reason_and_a_confirmation(client, edition, organizer):
    team = make_team(edition=edition)
    client.force_login(organizer)
    client.post(f"/organize/gates/{team.pk}/gpu/")
    client.post(f"/organize/gates/{team.pk}/gpu/", {"reason": "Demo con modelo grande"})
    client.post(f"/organize/gates/{team.pk}/gpu/", {"confirm": "on"})
    assert not Grant.objects.exists()
    client.post(
        f"/organize/gates/{team.pk}/gpu/", {"reason": "Demo con modelo grande", "confirm": "on"}
    )
    assert list(Grant.objects.values_list("kind", "reason")) == [("gpu", "Demo con modelo grande")]


def test_organizers_see_what_keeps_each_team_from_prizes(client, edition, organizer):
    from challenges.projects.models import ProjectSubmission
    from hub.models import HubRepo, RepoType, SyncRun

    team = make_team(edition=edition, name="Quetzal")
    ProjectSubmission.objects.create(team=team, demo_space="org/demo")
    SyncRun.objects.create(edition=edition, status=SyncRun.Status.DONE)
    HubRepo.objects.create(
        edition=edition, repo_type=RepoType.SPACE, repo_id="org/demo", runtime_stage="STOPPED"
    )
    client.force_login(organizer)
    page = client.get("/organize/gates/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Not eligible" in page
    assert "The demo Space “org/demo” is not running (STOPPED)." in page
    assert "No video is declared." in page


def test_gates_page_query_count_is_constant(client, edition, organizer, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    PreferencesChallengeFactory(edition=edition)
    make_team(edition=edition)
    client.force_login(organizer)
    with CaptureQueriesContext(connection) as one:
        client.get("/organize/gates/")
    make_team(edition=edition, members=3)
    make_team(edition=edition, members=2)
    with django_assert_num_queries(len(one)):
        client.get("/organize/gates/")


def test_personal_incentives(edition, include, client, organizer):
    include.scoring = THRESHOLDS | {"incentives": {"voucher_every": 100, "coauthorship_at": 300}}
    include.save()
    prolific, modest = UserFactory(), UserFactory()
    questions(include, prolific, 310, ContributionStatus.VALIDATED)
    questions(include, modest, 150, ContributionStatus.VALIDATED)
    questions(include, modest, 100)  # pending: never counts
    rows = {row.author_id: row.values for row in personal_incentives(edition=edition)}
    slug = include.slug
    assert (rows[prolific.pk][f"{slug}_vouchers"], rows[prolific.pk][f"{slug}_coauthor"]) == (
        3,
        True,
    )
    assert (
        rows[modest.pk][f"{slug}_accepted"],
        rows[modest.pk][f"{slug}_vouchers"],
        rows[modest.pk][f"{slug}_coauthor"],
    ) == (150, 1, False)
    client.force_login(organizer)
    content = b"".join(client.get("/organize/incentives.csv").streaming_content).decode("utf-8-sig")
    assert prolific.profile.display_name in content and prolific.email not in content
    header = content.splitlines()[0].split(",")
    assert header == ["author_id", "display_name", "hub_username"] + [
        f"{slug}_accepted",
        f"{slug}_vouchers",
        f"{slug}_coauthor",
    ]


def test_the_edition_file_brings_the_rubrics(db):
    from pathlib import Path

    from challenges.domain import load_edition, read_edition_file
    from scoring.models import Criterion

    path = Path(__file__).resolve().parents[2] / "editions" / "somosnlp-2025.toml"
    data = read_edition_file(path)
    load_edition(data=data)
    labels = list(
        Criterion.objects.filter(challenge__slug="alignment").values_list("label_en", "weight")
    )
    assert labels[0] == ("Dataset quality", D(2)) and len(labels) == 6
    assert Criterion.objects.filter(challenge__slug="demo").count() == 2
    # An edited weight follows; a second load changes nothing more.
    alignment = next(c for c in data["challenges"] if c["slug"] == "alignment")
    alignment["scoring"]["rubric"][0]["weight"] = "3"
    load_edition(data=data)
    assert Criterion.objects.get(challenge__slug="alignment", position=1).weight == D(3)
    assert Criterion.objects.filter(challenge__slug="alignment").count() == 6
