"""The fake Hub every Hub test talks to through the real huggingface_hub client."""

import huggingface_hub.constants
import pytest

from tests.hub.fake_hub import FakeHub, HubState

ORG = "somosnlp-hackathon-test"  # EditionFactory's hub_organization


@pytest.fixture
def fake_hub(settings, monkeypatch):
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    # huggingface_hub reads HF_HUB_OFFLINE once, at import: a test that imported it offline
    # (the dataset tests) would leave this process offline for the Hub tests.
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_DISABLE_TELEMETRY", True)
    settings.HF_ORG = ""
    settings.HF_TOKEN = ""
    with FakeHub(HubState(org=ORG)) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        settings.HF_ENDPOINT = hub.url
        yield hub


@pytest.fixture
def hub_org(fake_hub):
    """An organization with two models, one dataset and one Space."""
    state = fake_hub.state
    state.add("model", f"{ORG}/modelo-a", day=10)
    state.add("model", f"{ORG}/modelo-b", day=12, gated="manual", private=True)
    state.add("dataset", f"{ORG}/corpus", day=11)
    state.add("space", f"{ORG}/demo", day=9)
    # Another organization's repository: the author filter keeps it out.
    state.add("model", "otra-org/ajeno", day=20)
    return fake_hub


def child_database_url() -> str:
    """A URL to the database the tests use (on PostgreSQL, test_<name>), for a child process."""
    from urllib.parse import quote

    from django.db import connection

    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials + '@' if credentials else ''}{host}/{db['NAME']}"


@pytest.fixture
def child_env(fake_hub, tmp_path):
    """The environment of a child process (manage.py, a Celery worker) that works on the test
    database (committed data only: use transactional_db) and talks to the fake Hub."""
    import os

    env = {name: value for name, value in os.environ.items() if not name.startswith("HF_")}
    env.update(
        DJANGO_SETTINGS_MODULE="hackathon.settings",
        DATABASE_URL=child_database_url(),
        HF_ENDPOINT=fake_hub.url,
        HF_HUB_DISABLE_TELEMETRY="1",
        HF_TOKEN="",
        HF_ORG="",
        # No token saved on this machine may be read.
        HF_HOME=str(tmp_path / "hf-home"),
        PYTHONUNBUFFERED="1",
    )
    return env
