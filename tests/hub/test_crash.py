"""A sync killed in the middle of the details phase (SIGKILL: no cleanup of any kind) leaves
a consistent database; once its lease expired, the next run takes over and completes exactly
what is left. Killed at random points, again and again, the next sync still succeeds."""

import datetime as dt
import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.utils import timezone

from hub.domain import SyncRefused, sync_edition
from hub.models import HubRepo, SyncRun
from tests.hub.conftest import ORG
from tests.hub.fake_hub import URL_PREFIXES

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
LISTINGS = ("/api/models", "/api/datasets", "/api/spaces")
MEMBERS = f"/api/organizations/{ORG}/members"
KINDS = {"model": 8, "dataset": 8, "space": 4}  # 20 repositories
TIMEOUT = 60


def detail_paths(kind: str, repo_id: str, sha: str) -> set[str]:
    """The two requests that read one (undeclared) repository's details at a commit: its
    files come with the listing."""
    return {
        f"/api/{kind}s/{repo_id}/commits/{sha}",
        f"/{URL_PREFIXES[kind]}{repo_id}/resolve/{sha}/README.md",
    }


def wait_for(condition, what: str, process: subprocess.Popen):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if condition():
            return
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace")
            pytest.fail(f"sync_hub exited ({process.returncode}) before {what}:\n{output}")
        time.sleep(0.02)
    pytest.fail(f"Timed out after {TIMEOUT} s waiting for {what}")


def wait_until_expired(run: SyncRun, *, lease: int) -> None:
    """Sleep until the run's lease (renewed at its last progress save) is `lease` s old."""
    run.refresh_from_db()
    renewed = run.heartbeat_at or run.started_at
    expires = renewed + dt.timedelta(seconds=lease)
    time.sleep(max(0.0, (expires - timezone.now()).total_seconds()) + 0.05)


def test_a_sync_killed_during_the_details_is_completed_by_the_next(
    transactional_db, need_postgres, edition, fake_hub, child_env, settings
):
    state = fake_hub.state
    for kind, count in KINDS.items():
        for number in range(count):
            state.add(kind, f"{ORG}/{kind}-{number:02d}", day=number + 1)
    # Details are read in the order the listing stored the repositories: models, datasets,
    # Spaces, each newest first. Hold the third dataset's: the command is killed there.
    held_repo = f"{ORG}/dataset-05"
    state.hang(f"/datasets/{held_repo}/")  # its card, the first request of its details

    command = [sys.executable, "manage.py", "sync_hub"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=child_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        wait_for(
            lambda: any(held_repo in r["path"] for r in list(state.requests)),
            "the details of the held repository",
            process,
        )
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        state.release()
    assert process.returncode == -signal.SIGKILL

    # What the killed run left: itself still running, the first 10 repositories detailed.
    killed = SyncRun.objects.get(edition=edition)
    assert killed.status == SyncRun.Status.RUNNING
    # Its counts are saved when it ends (never, here); its progress is saved as it goes.
    assert (killed.details_total, killed.details_done) == (20, 10)
    # Its counts so far were kept with the progress.
    assert (killed.seen, killed.created) == (20, 20)
    repos = list(HubRepo.objects.filter(edition=edition).order_by("pk"))
    assert len(repos) == 20
    for repo in repos:
        assert repo.sha == state.find(repo.repo_type, repo.repo_id)["sha"]
    detailed = [repo for repo in repos if repo.details_sha == repo.sha]
    remaining = [repo for repo in repos if repo.details_sha != repo.sha]
    assert detailed == repos[:10]
    assert {repo.repo_id for repo in remaining} == (
        {f"{ORG}/dataset-{n:02d}" for n in range(6)} | {f"{ORG}/space-{n:02d}" for n in range(4)}
    )
    for repo in remaining:
        assert (repo.details_sha, repo.files, repo.commits, repo.readme) == ("", [], [], "")
    for repo in detailed:
        assert repo.files and repo.commits and repo.repo_id in repo.readme

    # While the killed run's lease is alive, no other run starts, and the refusal says when
    # one may.
    assert killed.heartbeat_at is not None
    with pytest.raises(SyncRefused) as refused:
        sync_edition(edition=edition)
    message = str(refused.value.message)
    assert "already running" in message and "can start from" in message
    expires = killed.heartbeat_at + dt.timedelta(seconds=settings.HUB_SYNC_LEASE_SECONDS)
    assert f"{expires:%H:%M:%S}" in message
    assert SyncRun.objects.filter(edition=edition).count() == 1

    # Once the lease expired (shortened here from its default), the next run takes over.
    settings.HUB_SYNC_LEASE_SECONDS = 1
    wait_until_expired(killed, lease=1)
    state.requests.clear()
    run = sync_edition(edition=edition)

    killed.refresh_from_db()
    assert killed.status == SyncRun.Status.FAILED
    assert killed.finished_at is not None
    assert killed.errors[-1] == {"where": "run", "error": "interrupted before it finished"}

    assert run.status == SyncRun.Status.DONE, run.errors
    assert run.errors == []
    assert run.full_listing is True  # no run finished a full listing: read it all
    assert (run.seen, run.created, run.updated, run.unchanged) == (20, 0, 0, 20)
    assert (run.details_total, run.details_done) == (10, 10)
    listings = [r["path"] for r in state.requests if r["path"] in LISTINGS]
    assert sorted(listings) == sorted(LISTINGS)  # one page of each type
    details = [r["path"] for r in state.requests if r["path"] not in LISTINGS + (MEMBERS,)]
    expected = set().union(*(detail_paths(r.repo_type, r.repo_id, r.sha) for r in remaining))
    assert len(details) == len(expected) == 20
    assert set(details) == expected  # exactly the repositories left, once each
    assert run.http_requests == 3 + 20 + 1
    assert (run.api_requests, run.resolver_requests) == (3 + 10 + 1, 10)
    for repo in HubRepo.objects.filter(edition=edition):
        assert repo.details_sha == repo.sha, repo.repo_id
        assert repo.details_error == ""
        assert repo.files == sorted(state.repo_files(repo.repo_type, repo.repo_id))
        assert [c["id"] for c in repo.commits] == [repo.sha]
        assert repo.repo_id in repo.readme

    # And once more: nothing left to do, nothing written.
    stamps = dict(HubRepo.objects.values_list("repo_id", "updated_at"))
    state.requests.clear()
    again = sync_edition(edition=edition)
    assert again.status == SyncRun.Status.DONE
    assert (again.created, again.updated, again.details_total, again.failed) == (0, 0, 0, 0)
    assert dict(HubRepo.objects.values_list("repo_id", "updated_at")) == stamps
    assert again.http_requests == len(state.requests) == 3 + 1
    assert SyncRun.objects.filter(edition=edition).count() == 3
    assert json.dumps(again.errors) == "[]"


def test_after_kills_at_random_points_the_next_sync_succeeds(
    transactional_db, need_postgres, edition, fake_hub, child_env, settings
):
    state = fake_hub.state
    for kind, count in KINDS.items():
        for number in range(count):
            state.add(kind, f"{ORG}/{kind}-{number:02d}", day=number + 1)
    state.latency = 0.01  # a whole sync takes about half a second: kills land anywhere in it
    seed = random.randrange(1_000_000)
    chance = random.Random(seed)
    lease = 1
    settings.HUB_SYNC_LEASE_SECONDS = lease
    env = {**child_env, "HUB_SYNC_LEASE_SECONDS": str(lease)}

    for _kill in range(5):
        state.requests.clear()
        process = subprocess.Popen(
            [sys.executable, "manage.py", "sync_hub"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            # From its first request to the Hub, a random moment of its run (or after it).
            wait_for(lambda: state.requests, "the first request", process)
            time.sleep(chance.uniform(0, 0.6))
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        for run in SyncRun.objects.filter(edition=edition, status=SyncRun.Status.RUNNING):
            wait_until_expired(run, lease=lease)

    run = sync_edition(edition=edition)

    assert run.status == SyncRun.Status.DONE, (seed, run.errors)
    assert run.errors == [], seed
    assert not SyncRun.objects.filter(edition=edition, status__in=["queued", "running"]).exists()
    for killed in SyncRun.objects.filter(edition=edition, status=SyncRun.Status.FAILED):
        assert killed.errors[-1] == {"where": "run", "error": "interrupted before it finished"}
    repos = HubRepo.objects.filter(edition=edition)
    assert repos.count() == 20, seed
    for repo in repos:
        assert repo.sha == state.find(repo.repo_type, repo.repo_id)["sha"], seed
        assert repo.details_sha == repo.sha, (seed, repo.repo_id)
        assert repo.details_error == "" and repo.repo_id in repo.readme, seed
        assert repo.files == sorted(state.repo_files(repo.repo_type, repo.repo_id)), seed
