"""Unhandled errors reach someone: a JSON line in the log, mail to ADMINS, or Sentry when
SENTRY_DSN is set (the real sentry-sdk, its events sent to a fake server)."""

import gzip
import io
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from hackathon.json_logging import JsonLineFormatter
from hackathon.monitoring import parse_admins
from tests.hackathon.test_config import run_manage

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.hackathon.urls_with_errors")]


@pytest.fixture
def log_lines():
    """What the configured JSON handler of the root logger writes, line by line."""
    handler = next(
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler.formatter, JsonLineFormatter)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    handler.setStream(previous)


def test_an_unhandled_error_is_one_json_line_with_the_request_and_the_traceback(log_lines):
    response = Client(raise_request_exception=False).post("/broken/?page=2")
    assert response.status_code == 500
    lines = [line for line in log_lines() if line["logger"] == "django.request"]
    assert len(lines) == 1
    line = lines[0]
    assert line["level"] == "ERROR"
    assert line["message"] == "Internal Server Error: /broken/"
    assert (line["path"], line["method"], line["status"]) == ("/broken/", "POST", 500)
    assert line["exception"] == "LaunchDayFailure"
    assert "raise LaunchDayFailure" in line["traceback"]
    assert line["time"].endswith("+00:00")


def test_the_500_page_speaks_every_language():
    response = Client(raise_request_exception=False).get("/broken/")
    assert "Algo salió mal · Algo deu errado · Something went wrong" in response.content.decode()


def test_without_sentry_the_admins_get_mail(settings):
    settings.ADMINS = [("Ops", "ops@example.org")]
    Client(raise_request_exception=False).get("/broken/")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ops@example.org"]
    assert "LaunchDayFailure" in mail.outbox[0].body


def test_admins_are_read_from_name_email_pairs():
    assert parse_admins("Ana Pérez:ana@example.org, ops@example.org,") == [
        ("Ana Pérez", "ana@example.org"),
        ("ops@example.org", "ops@example.org"),
    ]
    with pytest.raises(ImproperlyConfigured):
        parse_admins("Ana Pérez")


class FakeSentry(BaseHTTPRequestHandler):
    """Takes every envelope POST, as Sentry's ingestion endpoint does, and keeps its items."""

    envelopes: list[list[dict]] = []
    posts: list[tuple[str, bool]] = []  # path, whether the DSN's public key was given

    def do_POST(self):
        auth = self.headers.get("X-Sentry-Auth", "")
        self.posts.append((self.path, "sentry_key=public" in auth))
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.envelopes.append(
            [json.loads(line) for line in body.splitlines() if line.startswith(b"{")]
        )
        self.send_response(200)
        self.end_headers()

    def log_message(self, format, *args):  # noqa: A002 -- the base class's name
        pass


@pytest.fixture
def fake_sentry():
    FakeSentry.envelopes = []
    FakeSentry.posts = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeSentry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_with_sentry_dsn_the_error_is_reported_to_sentry(fake_sentry):
    dsn = f"http://public@127.0.0.1:{fake_sentry.server_port}/42"
    script = (
        "import sentry_sdk\n"
        "from django.test import Client, override_settings\n"
        "print(sentry_sdk.get_client().dsn)\n"
        "with override_settings(ROOT_URLCONF='tests.hackathon.urls_with_errors'):\n"
        "    Client(raise_request_exception=False).get('/broken/')\n"
        "sentry_sdk.flush(timeout=10)\n"
    )
    result = run_manage(
        "shell", "--no-imports", "-c", script, env={"DEBUG": "true", "SENTRY_DSN": dsn}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == dsn
    events = [item for envelope in FakeSentry.envelopes for item in envelope if "exception" in item]
    assert len(events) == 1
    (exception,) = events[0]["exception"]["values"]
    assert (exception["type"], exception["value"]) == ("LaunchDayFailure", "the view failed")
    assert events[0]["environment"] == "development"
    # Sent where the DSN says: its project's envelope endpoint, with its public key.
    assert set(FakeSentry.posts) == {("/api/42/envelope/", True)}
