"""The Hub sync through a real Celery worker: a separate process, fed by Redis, working on the
test database (committed data: transactional_db) and talking to the fake Hub of this process."""

import contextlib
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from kombu import Exchange, Queue

from hackathon.celery import app
from hub.domain import SyncRefused, start_sync
from hub.models import HubRepo, SyncRun
from hub.tasks import sync_hub_task
from tests.hub.conftest import ORG

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
LISTINGS = ("/api/models", "/api/datasets", "/api/spaces")
STORED = {f"{ORG}/modelo-a", f"{ORG}/modelo-b", f"{ORG}/corpus", f"{ORG}/demo"}
# 3 listings (files included), the commits and card of 4 repositories, the members.
REQUESTS = 3 + 4 * 2 + 1
TIMEOUT = 60
BROKER_DB = 15  # see broker_url


class Worker:
    """`celery -A hackathon worker` in a process of its own, consuming one queue only."""

    def __init__(self, *, env: dict, queue: str, log: Path):
        self.env, self.queue, self.log_path, self.process = env, queue, log, None

    def start(self) -> None:
        command = [
            sys.executable, "-m", "celery", "-A", "hackathon", "worker", "-P", "solo", "-c", "1",
            "--loglevel=INFO", "-Q", self.queue, "-n", f"{self.queue}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        self.wait_for(lambda: " ready." in self.log(), "the worker to be ready")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for(self, condition, what: str, timeout: float = TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            if self.process.poll() is not None:
                pytest.fail(f"The worker exited ({self.process.returncode}):\n{self.log()}")
            time.sleep(0.1)
        pytest.fail(f"Timed out after {timeout} s waiting for {what}. Worker log:\n{self.log()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # warm shutdown: the task under way ends first
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@contextlib.contextmanager
def tasks_sent_to(*, broker_url: str, queue: str):
    """Make this process's Celery app send tasks to the broker and queue (not run them eagerly),
    whatever it was configured with; put everything back afterwards."""
    keys = ("task_always_eager", "broker_url", "task_default_queue")
    saved = {key: app.conf[key] for key in keys}

    def reset_connections():
        # The connection pool and the routes are built once from the configuration (the
        # pools themselves are kombu's, shared by URL: left open for the next user).
        app._pool = None
        app.__dict__.pop("amqp", None)

    app.conf.update(task_always_eager=False, broker_url=broker_url, task_default_queue=queue)
    reset_connections()
    try:
        yield
    finally:
        with contextlib.suppress(Exception), app.connection_for_write() as connection:
            # Declared here, so that this channel knows its bindings and deletes them too.
            bound = Queue(queue, Exchange(queue), routing_key=queue)(connection.default_channel)
            bound.declare()
            bound.delete()
        app.conf.update(saved)
        reset_connections()


def broker_url() -> str:
    """REDIS_URL's server, another database: every test clears the cache (FLUSHDB) of
    REDIS_URL's, which would take the queued tasks with it when test runs share the server."""
    return urlunsplit(urlsplit(os.environ["REDIS_URL"])._replace(path=f"/{BROKER_DB}"))


@pytest.fixture
def worker(transactional_db, need_postgres, need_redis, child_env, tmp_path):
    queue = f"test-hub-sync-{uuid.uuid4().hex[:12]}"  # no task of another run reaches it
    env = {**child_env, "REDIS_URL": broker_url()}
    process = Worker(env=env, queue=queue, log=tmp_path / "worker.log")
    with tasks_sent_to(broker_url=broker_url(), queue=queue):
        try:
            yield process
        finally:
            process.stop()
            # Shown by pytest only when the test failed.
            print(f"--- worker log ---\n{process.log()}")


def wait_until_finished(worker: Worker, run: SyncRun) -> SyncRun:
    def finished():
        run.refresh_from_db()
        return run if not run.is_active else None

    return worker.wait_for(finished, f"sync run {run.pk} to finish")


def test_a_queued_sync_is_run_by_the_worker(edition, hub_org, worker):
    worker.start()

    run = start_sync(edition=edition, enqueue=sync_hub_task.delay)  # sent to Redis once committed
    assert run.status == SyncRun.Status.QUEUED
    run = wait_until_finished(worker, run)

    assert run.status == SyncRun.Status.DONE, run.errors
    assert run.errors == []
    assert (run.seen, run.created, run.updated, run.unchanged, run.failed) == (4, 4, 0, 0, 0)
    assert (run.details_total, run.details_done) == (4, 4)
    assert run.http_requests == REQUESTS
    assert run.full_listing is True
    assert run.finished_at is not None

    repos = {repo.repo_id: repo for repo in HubRepo.objects.filter(edition=edition)}
    assert set(repos) == STORED
    for repo_id, repo in repos.items():
        kind = repo.repo_type
        assert repo.sha == hub_org.state.find(kind, repo_id)["sha"]
        assert repo.details_sha == repo.sha
        assert repo.files == sorted(hub_org.state.repo_files(kind, repo_id))
        assert [c["id"] for c in repo.commits] == [repo.sha]
        assert repo_id in repo.readme
        assert repo.details_error == ""
    assert repos[f"{ORG}/modelo-b"].gated == "manual"
    assert repos[f"{ORG}/demo"].runtime_stage == "RUNNING"

    # The worker, not this process, asked the fake Hub: exactly what the run counted.
    requests = hub_org.state.requests
    assert len(requests) == REQUESTS
    assert sorted(r["path"] for r in requests if r["path"] in LISTINGS) == sorted(LISTINGS)
    for repo_id in STORED:
        assert sum(repo_id in r["path"] for r in requests) == 2, repo_id
    assert sum(r["path"] == f"/api/organizations/{ORG}/members" for r in requests) == 1
    assert not any(r["auth"] for r in requests)
    assert "sync_hub_task[" in worker.log() and "succeeded" in worker.log()


def test_a_sync_started_twice_runs_once(edition, hub_org, worker):
    held = hub_org.state.hang("/api/models")  # the worker's run stays running meanwhile
    worker.start()

    run = start_sync(edition=edition, enqueue=sync_hub_task.delay)
    worker.wait_for(
        lambda: SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.RUNNING).exists(),
        "the worker to take the run",
    )
    with pytest.raises(SyncRefused):
        start_sync(edition=edition, enqueue=sync_hub_task.delay)
    held.set()
    run = wait_until_finished(worker, run)

    assert run.status == SyncRun.Status.DONE, run.errors
    assert run.created == 4
    assert SyncRun.objects.filter(edition=edition).count() == 1
    assert len(hub_org.state.requests) == REQUESTS

    # The same task delivered again (as acks_late allows): the finished run is left as it is.
    stamps = dict(HubRepo.objects.values_list("repo_id", "updated_at"))
    sync_hub_task.delay(run.pk)
    worker.wait_for(lambda: worker.log().count("succeeded") >= 2, "the second delivery")
    assert SyncRun.objects.filter(edition=edition).count() == 1
    assert dict(HubRepo.objects.values_list("repo_id", "updated_at")) == stamps
    assert len(hub_org.state.requests) == REQUESTS
