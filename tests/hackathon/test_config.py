import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from hackathon.config import parse_email_url, read_bool, read_list, require_in_production

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7#kq2!vR9zLp4@wN8sT1mB6yH3cF0jD5gA-eU_oI*Z&Y%XWVQPO",
    "ALLOWED_HOSTS": "hackathon.somosnlp.org",
    "DATABASE_URL": "postgres://hackathon@127.0.0.1:5432/hackathon",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # Only what the test states: nothing the test session itself set may leak in.
    leaked = set(PRODUCTION) | set(HSTS) | {"DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    base = {key: value for key, value in os.environ.items() if key not in leaked}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


# Strict-Transport-Security is off until asked for (browsers remember it): a site that has
# settled on HTTPS asks for it, and then passes every deploy check.
HSTS = {
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
}


def test_production_settings_pass_the_deploy_check():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION | HSTS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_and_names_every_missing_variable():
    env = {
        key: value for key, value in PRODUCTION.items() if key not in {"SECRET_KEY", "REDIS_URL"}
    }
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY, REDIS_URL" in result.stderr


def test_development_needs_nothing():
    result = run_manage("check", env={"DEBUG": "true"})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("yes", True), ("False", False), ("0", False)]
)
def test_read_bool(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert read_bool("SOME_FLAG", default=not expected) is expected


def test_read_bool_refuses_nonsense(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        read_bool("SOME_FLAG", default=False)


def test_read_list(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.org, ,b.org ")
    assert read_list("HOSTS", default=[]) == ["a.org", "b.org"]


def test_require_in_production_lists_all(monkeypatch):
    monkeypatch.delenv("ONE", raising=False)
    monkeypatch.setenv("TWO", " ")
    with pytest.raises(ImproperlyConfigured, match="ONE, TWO"):
        require_in_production(["ONE", "TWO"])


def test_email_urls():
    smtp = parse_email_url("smtp+tls://user%40x.org:p%40ss@mail.example.org:2525")
    assert smtp["EMAIL_HOST"] == "mail.example.org" and smtp["EMAIL_PORT"] == 2525
    assert smtp["EMAIL_HOST_USER"] == "user@x.org" and smtp["EMAIL_HOST_PASSWORD"] == "p@ss"
    assert smtp["EMAIL_USE_TLS"] is True
    assert parse_email_url("console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        parse_email_url("carrier-pigeon://coop")


@pytest.mark.django_db
def test_healthz_reports_the_database(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_healthz_reports_the_broker_when_configured(client, settings, need_redis):
    settings.REDIS_URL = os.environ["REDIS_URL"]
    assert client.get("/healthz").json()["broker"] == "ok"


@pytest.mark.django_db
def test_healthz_answers_503_when_the_broker_is_down(client, settings):
    # Port 9 (discard) on loopback: nothing listens, so the connection is refused at once.
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "error" and body["broker"].startswith("error")
