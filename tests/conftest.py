"""Shared fixtures: the edition, people in every role, and what needs a real service."""

import os
import shutil

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection

from accounts.roles import JUDGES, ORGANIZERS, ensure_role_groups
from tests.factories import EditionFactory, UserFactory, make_team

# CI sets REQUIRE_SERVICES=1: there a missing PostgreSQL, Redis or Chromium fails the run
# instead of skipping the tests that need it.
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def need(condition: bool, reason: str) -> None:
    """Skip (or, in CI, fail) a test whose real service or browser is missing."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def need_postgres(db):
    need(connection.vendor == "postgresql", "needs PostgreSQL: set DATABASE_URL=postgres://...")


@pytest.fixture
def need_redis():
    need(bool(os.environ.get("REDIS_URL")), "needs Redis: set REDIS_URL=redis://...")


@pytest.fixture
def need_chromium():
    try:
        import playwright  # noqa: F401 - only whether it is installed matters here
    except ImportError:
        need(False, "needs Playwright for Python (pip install -e '.[test]')")
    need(
        shutil.which(CHROMIUM) is not None,
        f"needs Chromium at {CHROMIUM} (apt-get install chromium)",
    )


@pytest.fixture(autouse=True)
def fresh_cache():
    # allauth's rate limits live in the cache: each test starts with none spent.
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def lookups_read_every_time(settings):
    """Pages read the database for what they would remember (hackathon.memo), so query counts
    are those of the page's own queries; tests of the remembered lookups ask for ``remembered``."""
    settings.REMEMBER_LOOKUPS = False


@pytest.fixture
def remembered(settings):
    settings.REMEMBER_LOOKUPS = True


@pytest.fixture(autouse=True)
def english():
    """Domain messages are read in English by the tests; pages choose their own language."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    # Uploaded files (papers, datasets built) go to a folder of the test's own.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def edition(db):
    return EditionFactory(slug="somosnlp-test", name="Hackathon de prueba")


@pytest.fixture
def roles(db):
    ensure_role_groups()
    return {name: Group.objects.get(name=name) for name in (ORGANIZERS, JUDGES)}


@pytest.fixture
def participant(db):
    return UserFactory()


@pytest.fixture
def organizer(roles):
    user = UserFactory()
    user.groups.add(roles[ORGANIZERS])
    return user


@pytest.fixture
def judge(roles):
    user = UserFactory()
    user.groups.add(roles[JUDGES])
    return user


@pytest.fixture
def other_team_member(edition):
    """A person in a team that is not the one under test."""
    return make_team(edition=edition, members=1, name="Otro equipo").memberships.get().user


@pytest.fixture(autouse=True)
def eager_tasks(settings):
    """Celery tasks run inside the call that sends them, even when REDIS_URL names a broker,
    as without one: a rule edit's recompute is done when the edit's callbacks have run
    (tests/hub/test_worker.py is the one that uses a real worker). Slow tasks too, which the
    demo runs in a thread beside the request (``EAGER_TASKS_IN_THREADS``): the tests of those
    threads turn it on."""
    from hackathon.celery import app

    settings.EAGER_TASKS_IN_THREADS = False

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
