"""The Hub pages: the organizers' sync and repositories, each repository's checks, the team's
repositories on the team and judging pages."""

import datetime as dt
import threading
import uuid

import pytest
import redis
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from challenges.models import Challenge, ChangeRecord
from hackathon.background import thread_name
from hub.models import HubRepo, LinkStatus, SyncRun
from hub.tasks import sync_hub_task
from tests.factories import ChallengeFactory, assign_judge, make_team
from tests.hub.conftest import ORG
from tests.hub.test_worker import broker_url, tasks_sent_to

pytestmark = pytest.mark.django_db

POLLING = 'hx-trigger="every 2s"'
ROLES = ["anonymous", "participant", "other_team_member", "judge", "organizer"]

CARD = """---
license: apache-2.0
---
# Modelo
Motivation and impact. Training process; code at github.com/somos/modelo. Bias evaluation.
"""


@pytest.fixture
def client():
    """Pages read in English: the assertions quote the English texts."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


def make_repo(edition, name, *, team=None, repo_type="model", **fields):
    values = {
        "sha": "a" * 40,
        "details_sha": "a" * 40,
        "readme": CARD,
        "files": ["README.md"],
        "commits": [
            {"id": "a" * 40, "title": "first", "authors": ["ana"], "date": "2026-03-01T10:00:00Z"}
        ],
        "last_modified": timezone.now(),
        "link_status": LinkStatus.DECLARED if team else LinkStatus.NONE,
    }
    values.update(fields)
    return HubRepo.objects.create(
        edition=edition, repo_type=repo_type, repo_id=f"{ORG}/{name}", team=team, **values
    )


def login(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))


def assert_only_organizers(response, role):
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif role == "organizer":
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/organize/hub/"),
        ("post", "/organize/hub/start/"),
        ("get", "/organize/hub/repos/"),
        ("post", "/organize/hub/repos/{pk}/link/"),
        ("get", "/organize/hub/late/"),
    ],
)
def test_only_organizers_reach_the_sync_pages(
    client, request, edition, fake_hub, role, method, path
):
    repo = make_repo(edition, "m")
    login(client, request, role)
    response = getattr(client, method)(path.format(pk=repo.pk))
    assert_only_organizers(response, role)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("participant", 403),
        ("other_team_member", 403),
        ("judge", 200),
        ("organizer", 200),
        ("member", 200),
    ],
)
def test_a_repository_page_is_for_its_team_judges_and_organizers(
    client, request, edition, role, status
):
    team = make_team(edition=edition, members=1, name="Alpaca")
    repo = make_repo(edition, "modelo", team=team)
    if role == "member":
        client.force_login(team.memberships.get().user)
    else:
        login(client, request, role)

    response = client.get(f"/hub/repos/{repo.pk}/")

    assert response.status_code == status
    if status == 200:
        assert f"{ORG}/modelo" in response.content.decode()


def test_with_a_broker_starting_a_sync_only_queues_it(
    client, edition, fake_hub, organizer, need_redis, django_capture_on_commit_callbacks
):
    """The request hands the run to the broker and answers; it reads nothing from the Hub."""
    fake_hub.state.add("model", f"{ORG}/modelo", day=3)
    client.force_login(organizer)
    queue = f"test-hub-start-{uuid.uuid4().hex[:12]}"

    with tasks_sent_to(broker_url=broker_url(), queue=queue):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.post("/organize/hub/start/", {"full": "on"})
        waiting = redis.Redis.from_url(broker_url()).llen(queue)

    assert response.status_code == 302 and response.url == "/organize/hub/"
    assert len(callbacks) == 1 and waiting == 1
    run = SyncRun.objects.get()
    assert (run.status, run.requested_by, run.full_listing) == ("queued", organizer, True)
    assert fake_hub.state.requests == [] and not HubRepo.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_sync_runs_beside_the_request_which_answers_at_once(
    client, edition, fake_hub, organizer, settings
):
    """Eager Celery (the demo): the request redirects while the sync is still reading the Hub
    (held here), the page follows it, and once released it ends and the page reloads."""
    settings.EAGER_TASKS_IN_THREADS = True
    fake_hub.state.add("model", f"{ORG}/modelo", day=3)
    fake_hub.state.hang_timeout = 15  # were the sync run inside the request, it would wait
    held = fake_hub.state.hang("/api/models")
    client.force_login(organizer)

    response = client.post("/organize/hub/start/")

    run = SyncRun.objects.get()
    assert response.status_code == 302 and response.url == "/organize/hub/"
    assert run.is_active and not held.is_set()
    page = client.get("/organize/hub/").content.decode()
    assert "The sync has started" in page and POLLING in page
    assert "another sync can start then" in page
    second = client.post("/organize/hub/start/", follow=True).content.decode()
    assert "A sync is already" in second and SyncRun.objects.count() == 1

    fake_hub.state.release()
    for thread in threading.enumerate():
        if thread.name == thread_name(sync_hub_task, run.pk):
            thread.join(timeout=60)
    run.refresh_from_db()
    assert run.status == "done", run.errors
    assert HubRepo.objects.filter(repo_id=f"{ORG}/modelo").exists()
    fragment = client.get("/organize/hub/?polling=1", HTTP_HX_REQUEST="true")
    assert fragment["HX-Refresh"] == "true"
    assert POLLING not in fragment.content.decode() and "Sync now" in fragment.content.decode()


def test_the_sync_page_shows_progress_and_polls_only_while_active(client, edition, organizer):
    client.force_login(organizer)
    assert "No sync has run yet." in client.get("/organize/hub/").content.decode()

    run = SyncRun.objects.create(edition=edition, status=SyncRun.Status.QUEUED)
    fragment = client.get("/organize/hub/", HTTP_HX_REQUEST="true").content.decode()
    assert "Waiting to start" in fragment and POLLING in fragment and "Sync now" not in fragment

    run.status, run.details_total, run.details_done = SyncRun.Status.RUNNING, 40, 15
    run.save()
    page = client.get("/organize/hub/").content.decode()
    assert "15 of 40 changed repositories read" in page
    assert POLLING in page and "Sync now" not in page
    response = client.get("/organize/hub/?polling=1", HTTP_HX_REQUEST="true")
    fragment = response.content.decode()
    assert 'id="sync-progress"' in fragment and "<html" not in fragment
    assert "Last runs" not in fragment and "HX-Refresh" not in response

    run.status = SyncRun.Status.DONE
    run.errors = [{"where": "model:x/y", "error": "HfHubHTTPError: 500"}]
    run.save()
    page = client.get("/organize/hub/").content.decode()
    assert POLLING not in page and "Sync now" in page
    assert "model:x/y" in page

    run.status = SyncRun.Status.FAILED
    run.save()
    response = client.get("/organize/hub/?polling=1", HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true"
    assert "The sync failed with one error" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_only_organizers_read_the_sync_progress(client, request, edition, role):
    SyncRun.objects.create(edition=edition, status=SyncRun.Status.RUNNING)
    login(client, request, role)
    response = client.get("/organize/hub/?polling=1", HTTP_HX_REQUEST="true")
    assert_only_organizers(response, role)
    if role == "organizer":
        assert 'id="sync-progress"' in response.content.decode()


def test_sync_progress_query_count_does_not_grow_with_runs(client, edition, organizer):
    client.force_login(organizer)
    SyncRun.objects.create(edition=edition, status=SyncRun.Status.DONE, requested_by=organizer)
    with CaptureQueriesContext(connection) as one:
        client.get("/organize/hub/", HTTP_HX_REQUEST="true")
    for _ in range(2):
        SyncRun.objects.create(
            edition=edition, status=SyncRun.Status.RUNNING, requested_by=organizer
        )
    with CaptureQueriesContext(connection) as three:
        response = client.get("/organize/hub/", HTTP_HX_REQUEST="true")
    assert POLLING in response.content.decode()
    assert len(three) == len(one)


def test_sync_page_query_count_does_not_grow_with_runs(client, edition, organizer):
    client.force_login(organizer)
    SyncRun.objects.create(edition=edition, status=SyncRun.Status.DONE, requested_by=organizer)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/organize/hub/").status_code == 200
    for _ in range(2):
        SyncRun.objects.create(edition=edition, status=SyncRun.Status.DONE, requested_by=organizer)
    with CaptureQueriesContext(connection) as three:
        client.get("/organize/hub/")
    assert len(three) == len(one)


def test_repository_list_puts_conflicts_first_and_filters(client, edition, organizer):
    team = make_team(edition=edition, members=1, name="Alpaca")
    make_repo(edition, "modelo", team=team, last_modified=timezone.now())
    conflict = make_repo(
        edition, "disputado", repo_type="space", last_modified=timezone.now() - dt.timedelta(days=9)
    )
    conflict.link_status, conflict.link_note = LinkStatus.CONFLICT, "Declared by several teams"
    conflict.save()
    client.force_login(organizer)

    page = client.get("/organize/hub/repos/").content.decode()
    assert page.index(f"{ORG}/disputado") < page.index(f"{ORG}/modelo")
    assert "Declared by several teams" in page

    filtered = client.get("/organize/hub/repos/", {"repo_type": "model"}).content.decode()
    assert f"{ORG}/modelo" in filtered and "disputado" not in filtered
    searched = client.get("/organize/hub/repos/", {"q": "zzz"}).content.decode()
    assert "No repository matches." in searched


def test_repository_list_query_count_does_not_grow(client, edition, organizer):
    team = make_team(edition=edition, members=1)
    make_repo(edition, "r0", team=team)
    client.force_login(organizer)
    with CaptureQueriesContext(connection) as one:
        client.get("/organize/hub/repos/")
    make_repo(edition, "r1", team=make_team(edition=edition, members=1))
    make_repo(edition, "r2")
    with CaptureQueriesContext(connection) as three:
        client.get("/organize/hub/repos/")
    assert len(three) == len(one)


def test_the_repository_page_shows_checklist_and_late_commits(client, edition, judge):
    alignment = ChallengeFactory(
        edition=edition,
        kind=Challenge.Kind.ALIGNMENT,
        opens_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
        closes_at=dt.datetime(2026, 3, 5, 11, 59, tzinfo=dt.UTC),
    )
    team = make_team(edition=edition, members=1)
    repo = make_repo(
        edition,
        "modelo",
        team=team,
        commits=[
            {
                "id": "c" * 40,
                "title": "late fix",
                "authors": ["luis"],
                "date": "2026-03-06T08:00:00Z",
            },
            {"id": "b" * 40, "title": "final", "authors": ["ana"], "date": "2026-03-04T10:00:00Z"},
        ],
    )
    client.force_login(judge)

    page = client.get(f"/hub/repos/{repo.pk}/").content.decode()

    assert alignment.title in page
    assert "1 commit after the deadline" in page
    assert "late fix" in page and "luis" in page
    assert f"/tree/{'b' * 40}" in page  # the commit at the deadline
    assert "Training notebooks in the repository" in page  # missing: no .ipynb
    assert "Decide the team" not in page  # judges don't settle links


def test_an_organizer_decides_the_team_from_the_repository_page(client, edition, organizer):
    team = make_team(edition=edition, members=1, name="Alpaca")
    repo = make_repo(edition, "disputado", link_status=LinkStatus.CONFLICT)
    client.force_login(organizer)
    assert "Decide the team" in client.get(f"/hub/repos/{repo.pk}/").content.decode()

    response = client.post(
        f"/organize/hub/repos/{repo.pk}/link/", {"team": team.pk, "reason": ""}, follow=True
    )
    assert "This field is required." in response.content.decode()
    repo.refresh_from_db()
    assert (repo.link_status, repo.team_id) == (LinkStatus.CONFLICT, None)
    assert not ChangeRecord.objects.exists()

    response = client.post(
        f"/organize/hub/repos/{repo.pk}/link/",
        {"team": team.pk, "reason": "Built by Alpaca"},
        follow=True,
    )
    repo.refresh_from_db()
    assert (repo.link_status, repo.team_id) == (LinkStatus.CONFIRMED, team.pk)
    assert "confirmed by an organizer" in response.content.decode()

    response = client.post(
        f"/organize/hub/repos/{repo.pk}/link/", {"team": 999999, "reason": "x"}, follow=True
    )
    assert "Select a valid choice." in response.content.decode()
    repo.refresh_from_db()
    assert repo.team_id == team.pk


def test_the_team_and_the_judges_see_the_teams_repositories(
    client, edition, judge, django_assert_num_queries
):
    ChallengeFactory(edition=edition, kind=Challenge.Kind.DEMO, slug="demo")
    team = make_team(edition=edition, members=1)
    make_repo(edition, "modelo", team=team)
    member = team.memberships.get().user

    client.force_login(member)
    with CaptureQueriesContext(connection) as one:
        page = client.get("/team/").content.decode()
    assert f"{ORG}/modelo" in page
    make_repo(edition, "datos", team=team, repo_type="dataset")
    make_repo(edition, "demo", team=team, repo_type="space")
    with django_assert_num_queries(len(one)):
        page = client.get("/team/").content.decode()
    assert f"{ORG}/demo" in page

    assign_judge(challenge=Challenge.objects.get(slug="demo"), team=team, judge=judge)
    client.force_login(judge)
    page = client.get(f"/judging/demo/{team.pk}/").content.decode()
    assert f"{ORG}/datos" in page
