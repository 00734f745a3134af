import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from challenges.arena.models import ArenaModel
from hackathon.celery import app
from tests.browser.conftest import browser, screenshot  # noqa: F401 -- the browser journey's fixtures
from tests.challenges.arena.fake_openai import FakeOpenAI
from tests.challenges.preferences.factories import PreferencesChallengeFactory, pass_quiz
from tests.factories import make_team
from tests.hub.conftest import child_database_url
from tests.hub.test_worker import Worker, broker_url, tasks_sent_to

SECRET = "sk-test-very-secret-key-0123456789"


@pytest.fixture
def fake_openai():
    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture
def challenge(edition):
    return PreferencesChallengeFactory(edition=edition)


@pytest.fixture
def arena_key(monkeypatch):
    monkeypatch.setenv("ARENA_TEST_KEY", SECRET)
    return SECRET


def make_model(*, edition, base_url: str, slug: str, model_id: str | None = None, **extra):
    return ArenaModel.objects.create(
        edition=edition,
        slug=slug,
        display_name=f"Model {slug.title()}",
        provider="Fake",
        base_url=base_url,
        model_id=model_id or slug,
        api_key_env="ARENA_TEST_KEY",
        **extra,
    )


@pytest.fixture
def models(edition, fake_openai, arena_key):
    return [
        make_model(edition=edition, base_url=fake_openai.base_url, slug=slug)
        for slug in ("alpaca", "condor", "jaguar")
    ]


@pytest.fixture
def team(edition):
    return make_team(edition=edition, members=2, name="Bajo prueba")


@pytest.fixture
def player(team, challenge):
    user = team.memberships.order_by("pk").first().user
    pass_quiz(challenge=challenge, user=user)
    return user


class ThreadedWorker(Worker):
    """The arena's worker: the threads pool, as docker-compose.yml's arena-worker runs it."""

    def start(self) -> None:
        command = [
            sys.executable, "-m", "celery", "-A", "hackathon", "worker", "-P", "threads",
            "-c", "8", "--loglevel=INFO", "-Q", self.queue, "-n", f"{self.queue}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=self.root, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        self.wait_for(lambda: " ready." in self.log(), "the worker to be ready")


@pytest.fixture
def arena_worker(transactional_db, need_postgres, need_redis, tmp_path, arena_key, settings):
    queue = f"test-arena-{uuid.uuid4().hex[:12]}"
    # The worker keeps the text so far in its cache, where the pages read it: this process's
    # cache is the worker's (the broker's Redis database, under a prefix of this test's own;
    # nothing clears it, which would drop other runs' queued tasks).
    prefix = f"{queue}-cache"
    settings.CACHES = {
        **settings.CACHES,  # the templates' "fragments" among them
        "default": {
            "BACKEND": "hackathon.cache.RedisCache",
            "LOCATION": broker_url(),
            "KEY_PREFIX": prefix,
        },
    }
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hackathon.settings",
        "DATABASE_URL": child_database_url(),
        "REDIS_URL": broker_url(),
        "CACHE_KEY_PREFIX": prefix,
        "PYTHONUNBUFFERED": "1",
        "ARENA_FLUSH_SECONDS": "0.05",
    }
    worker = ThreadedWorker(env=env, queue=queue, log=tmp_path / "worker.log")
    worker.root = Path(__file__).resolve().parents[3]
    routes = app.conf.task_routes
    with tasks_sent_to(broker_url=broker_url(), queue=queue):
        app.conf.task_routes = {}  # the test's own queue, not the shared "arena"
        try:
            yield worker
        finally:
            app.conf.task_routes = routes
            worker.stop()
            print(f"--- worker log ---\n{worker.log()}")
