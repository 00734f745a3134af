"""Every page says where scripts may come from (Content-Security-Policy), which browser
features it may use (Permissions-Policy), and Strict-Transport-Security only when asked for."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["/", "/leaderboard/", "/teams/", "/accounts/login/", "/accounts/signup/", "/nowhere/"]


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: sources
        for name, *sources in (part.split() for part in policy.split(";") if part.strip())
    }


@pytest.mark.parametrize("path", PAGES)
def test_every_page_allows_only_the_sites_own_scripts(client, edition, path):
    policy = directives(client.get(path))
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_the_policy_is_also_on_the_413_page(client):
    response = client.post("/accounts/login/", CONTENT_LENGTH=str(10**9))
    assert response.status_code == 413
    assert directives(response)["script-src"] == ["'self'"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_turns_off_camera_microphone_and_location(client, edition, path):
    features = dict(
        part.strip().split("=", 1) for part in client.get(path)["Permissions-Policy"].split(",")
    )
    for feature in ("camera", "microphone", "geolocation", "payment"):
        assert features[feature] == "()"


def test_no_strict_transport_security_unless_asked(client, settings):
    assert settings.SECURE_HSTS_SECONDS == 0
    assert "Strict-Transport-Security" not in client.get("/", secure=True)


def test_strict_transport_security_when_asked(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_ATTRIBUTE = re.compile(r"\s(on[a-z]+|hx-on[:-][\w:-]*)\s*=", re.I)


def test_no_template_has_inline_script():
    templates = [
        path
        for path in ROOT.rglob("templates/**/*.html")
        if ".venv" not in path.parts and "staticfiles" not in path.parts
    ]
    assert len(templates) > 50
    offenders = [
        str(path.relative_to(ROOT))
        for path in templates
        if INLINE_SCRIPT.search(text := path.read_text()) or EVENT_ATTRIBUTE.search(text)
    ]
    assert offenders == []
