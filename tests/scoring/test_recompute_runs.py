"""A whole-edition recompute is a run the worker does: requested on commit, coalesced while
queued, done with its changes or failed with its error, and shown on the organize page."""

from decimal import Decimal

import pytest

from challenges.models import ContributionStatus
from scoring import domain
from scoring.domain import recompute_scores, request_edition_recompute, run_recompute
from scoring.models import RecomputeRun, ScoreChange, TeamScore
from scoring.tasks import recompute_edition_scores
from tests.challenges.include.factories import (
    ExamFactory,
    ExamQuestionFactory,
    IncludeChallengeFactory,
)
from tests.challenges.test_load_edition import admin_form_data
from tests.factories import make_team

pytestmark = pytest.mark.django_db
D = Decimal
RULES = ScoreChange.Cause.RULES
THRESHOLDS = {
    "rule": "thresholds",
    "thresholds": [{"at": 100, "points": "0.5"}, {"at": 200, "points": "1"}],
}
EASIER = {"rule": "thresholds", "thresholds": [{"at": 100, "points": "1"}]}


def ENQUEUE(run_id):  # noqa: N802 -- named like the constant it stands for in the calls
    """What the receiver hands over: the task's delay, looked up when called (``sent``
    replaces it)."""
    return recompute_edition_scores.delay(run_id)


@pytest.fixture
def sent(monkeypatch):
    """The run ids given to the task, which is sent and not run."""
    ids = []
    monkeypatch.setattr(recompute_edition_scores, "delay", ids.append)
    return ids


@pytest.fixture
def include(edition):
    return IncludeChallengeFactory(edition=edition, max_points=D(1), scoring=THRESHOLDS)


@pytest.fixture
def teams(edition, include):
    """Two teams with 120 validated questions each, scored by the current rules."""
    made = [make_team(edition=edition, name=name) for name in ("Alpaca", "Quetzal")]
    for team in made:
        exam = ExamFactory(challenge=include, author=team.memberships.get().user)
        ExamQuestionFactory.create_batch(120, exam=exam, status=ContributionStatus.VALIDATED)
    recompute_scores(edition=edition, cause=ScoreChange.Cause.RECOMPUTE)
    return made


def points(team, challenge):
    return TeamScore.objects.get(team=team, challenge=challenge).points


def test_a_request_queues_a_run_sent_to_the_worker_on_commit_only(
    edition, organizer, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        run = request_edition_recompute(
            edition=edition, cause=RULES, enqueue=ENQUEUE, detail="scoring", by=organizer
        )
    assert (run.state, run.cause, run.detail, run.requested_by) == (
        RecomputeRun.State.QUEUED,
        RULES,
        "scoring",
        organizer,
    )
    assert sent == [] and len(callbacks) == 1
    callbacks[0]()
    assert sent == [run.pk]


def test_requests_while_a_run_is_queued_join_it(edition, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = request_edition_recompute(
            edition=edition, cause=RULES, enqueue=ENQUEUE, detail="scoring"
        )
        again = request_edition_recompute(
            edition=edition, cause=RULES, enqueue=ENQUEUE, detail="max_points"
        )
    assert again == first and len(callbacks) == 1 and sent == [first.pk]
    assert RecomputeRun.objects.get().detail == "max_points, scoring"
    # Once it has started it may have read the data already: the next request queues a run.
    RecomputeRun.objects.update(state=RecomputeRun.State.RUNNING)
    with django_capture_on_commit_callbacks(execute=True):
        later = request_edition_recompute(
            edition=edition, cause=RULES, enqueue=ENQUEUE, detail="scoring"
        )
    assert later != first and sent == [first.pk, later.pk]


def test_a_run_recomputes_every_team_and_counts_its_changes(
    edition, include, teams, sent, django_capture_on_commit_callbacks
):
    include.scoring = EASIER
    include.save()
    with django_capture_on_commit_callbacks(execute=True):
        run = request_edition_recompute(
            edition=edition, cause=RULES, enqueue=ENQUEUE, detail="scoring"
        )
    assert [points(team, include) for team in teams] == [D("0.5"), D("0.5")]  # not yet
    run = run_recompute(run=run)
    assert run.state == RecomputeRun.State.DONE
    assert (run.teams_total, run.teams_done, run.changes) == (2, 2, 2)
    assert run.started_at <= run.finished_at
    assert [points(team, include) for team in teams] == [D(1), D(1)]
    assert list(ScoreChange.objects.filter(cause=RULES).values_list("detail", flat=True)) == [
        "scoring",
        "scoring",
    ]


def test_a_failed_run_keeps_its_error_and_the_scores(
    edition, include, teams, sent, monkeypatch, django_capture_on_commit_callbacks
):
    include.scoring = EASIER
    include.save()
    with django_capture_on_commit_callbacks(execute=True):
        run = request_edition_recompute(
            edition=edition, cause=RULES, enqueue=ENQUEUE, detail="scoring"
        )

    def fail(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(domain, "recompute_and_count", fail)
    run = run_recompute(run=run)
    assert run.state == RecomputeRun.State.FAILED and run.finished_at is not None
    assert run.error == "RuntimeError: the database went away"
    assert [points(team, include) for team in teams] == [D("0.5"), D("0.5")]


def test_the_task_returns_quietly_for_a_run_gone_or_finished(
    edition, include, teams, monkeypatch, django_capture_on_commit_callbacks
):
    assert recompute_edition_scores(run_id=987654) is None
    with django_capture_on_commit_callbacks(execute=True):  # eager: the task runs it
        run = request_edition_recompute(
            edition=edition, cause=RULES, enqueue=ENQUEUE, detail="scoring"
        )
    run.refresh_from_db()
    assert run.state == RecomputeRun.State.DONE

    def never(**kwargs):
        raise AssertionError("a finished run is not recomputed again")

    monkeypatch.setattr(domain, "recompute_and_count", never)
    assert recompute_edition_scores(run_id=run.pk) == RecomputeRun.State.DONE
    run.state = RecomputeRun.State.FAILED
    run.save()
    assert recompute_edition_scores(run_id=run.pk) == RecomputeRun.State.FAILED


def edit_scoring_in_the_admin(client, organizer, challenge, scoring):
    import json

    client.force_login(organizer)
    url = f"/admin/challenges/challenge/{challenge.pk}/change/"
    data = admin_form_data(client, url)
    data["scoring"] = json.dumps(scoring)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors


def test_an_admin_scoring_edit_asks_the_worker_and_computes_nothing_itself(
    client, edition, include, teams, organizer, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        edit_scoring_in_the_admin(client, organizer, include, EASIER)
    run = RecomputeRun.objects.get()
    assert (run.state, run.cause, run.detail, run.requested_by) == (
        RecomputeRun.State.QUEUED,
        RULES,
        "scoring",
        organizer,
    )
    assert sent == [run.pk]
    assert [points(team, include) for team in teams] == [D("0.5"), D("0.5")]


def test_an_admin_scoring_edit_ends_with_the_new_scores_in_eager_mode(
    client, edition, include, teams, organizer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        edit_scoring_in_the_admin(client, organizer, include, EASIER)
    assert [points(team, include) for team in teams] == [D(1), D(1)]
    run = RecomputeRun.objects.get()
    assert (run.state, run.changes) == (RecomputeRun.State.DONE, 2)


def test_the_organize_page_polls_the_run_until_it_is_done(
    client, edition, include, teams, organizer, sent, django_capture_on_commit_callbacks
):
    client.force_login(organizer)
    assert 'id="recompute-progress"' not in client.get("/organize/").content.decode()
    include.scoring = EASIER
    include.save()
    with django_capture_on_commit_callbacks(execute=True):
        run = request_edition_recompute(
            edition=edition, cause=RULES, enqueue=ENQUEUE, detail="scoring"
        )
    page = client.get("/organize/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'hx-get="/organize/recompute/" hx-trigger="every 2s"' in page
    RecomputeRun.objects.filter(pk=run.pk).update(
        state=RecomputeRun.State.RUNNING, teams_total=1000, teams_done=120
    )
    partial = client.get("/organize/recompute/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Recomputing scores: 120 of 1,000 teams" in partial
    assert 'hx-trigger="every 2s"' in partial and "<h1>" not in partial
    RecomputeRun.objects.filter(pk=run.pk).update(state=RecomputeRun.State.QUEUED)
    run_recompute(run=run)
    partial = client.get("/organize/recompute/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Scores recomputed at" in partial and "(2 changes)" in partial
    assert "hx-get" not in partial and "hx-trigger" not in partial


def test_the_organize_page_shows_a_failed_run_with_its_error(client, edition, organizer):
    RecomputeRun.objects.create(
        edition=edition, cause=RULES, state=RecomputeRun.State.FAILED, error="ValueError: nope"
    )
    client.force_login(organizer)
    partial = client.get("/organize/recompute/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The scores could not be recomputed" in partial and "ValueError: nope" in partial
    assert "hx-trigger" not in partial


@pytest.mark.parametrize(
    ("who", "status"),
    [("participant", 403), ("other_team_member", 403), ("judge", 403), ("organizer", 200)],
)
def test_only_organizers_read_the_recompute_progress(client, edition, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/organize/recompute/").status_code == status


def test_anonymous_visitors_are_sent_to_log_in_for_the_recompute_progress(client, edition):
    response = client.get("/organize/recompute/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
