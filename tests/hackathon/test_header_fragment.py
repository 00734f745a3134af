"""The site header is kept by each process (the "fragments" cache, templates/base.html) under a
key holding everything it shows: a page of another language, role, page, unread count or edition
name is built afresh, and the CSRF token, which is each session's own, is never kept."""

import re

import pytest
from django.core.cache import caches
from django.core.cache.utils import make_template_fragment_key
from django.test import Client
from django.utils.autoreload import file_changed

from accounts.roles import ORGANIZERS
from notifications.domain import notify
from notifications.models import Kind
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
MARKER = "<div>kept header</div>"


@pytest.fixture(autouse=True)
def no_fragments_kept():
    caches["fragments"].clear()
    yield
    caches["fragments"].clear()


def header(page: str) -> str:
    return page[page.index('<header class="site-header">') : page.index("</header>")]


def keep_marker_as_the_header(*, edition, language="en", view="challenges:home") -> None:
    """Keep MARKER as the header of a participant's page (with no unread notification): a page
    that shows it was served from the cache under that key."""
    vary_on = [language, view, True, False, False, 0, edition.name]
    caches["fragments"].set(make_template_fragment_key("site-header", vary_on), MARKER)


def test_the_header_is_kept_and_given_again_on_the_same_page(client, edition, participant):
    client.force_login(participant)
    first = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Log out" in header(first)
    key = make_template_fragment_key(
        "site-header", ["en", "challenges:home", True, False, False, 0, edition.name]
    )
    assert header(first).find(caches["fragments"].get(key).strip()[:40]) > 0
    keep_marker_as_the_header(edition=edition)
    again = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert MARKER in again


@pytest.mark.parametrize(
    "change",
    ["language", "page", "organizer", "unread", "edition_name", "signed_out"],
)
def test_anything_the_header_shows_changed_builds_it_afresh(
    client, edition, participant, roles, change
):
    client.force_login(participant)
    keep_marker_as_the_header(edition=edition)
    assert MARKER in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    path, language = "/", "en"
    if change == "language":
        language = "es"
    elif change == "page":
        path = "/leaderboard/"
    elif change == "organizer":
        participant.groups.add(roles[ORGANIZERS])
    elif change == "unread":
        notify(user_ids=[participant.pk], kind=Kind.GRANT, params={"team": "A", "grant": "gpu"})
    elif change == "edition_name":
        edition.name = "Hackatón renombrado"
        edition.save()
    else:
        client.logout()
    page = client.get(path, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert MARKER not in page
    shown = header(page)
    expected = {
        "language": "Cerrar sesión",
        "page": 'aria-current="page">Leaderboard',
        "organizer": "/organize/",
        "unread": '<span class="unread-count" title="Unread">1</span>',
        "edition_name": "Hackatón renombrado",
        "signed_out": "Log in",
    }[change]
    assert expected in shown


def test_each_session_gets_its_own_csrf_token_with_the_kept_header(edition):
    """Two people on the same page share the header, never a token: each logs out with the
    token of their own page."""
    tokens = []
    for _ in range(2):
        client = Client(enforce_csrf_checks=True)
        client.force_login(UserFactory())
        page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        (token,) = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', header(page)))
        assert f'"X-CSRFToken": "{token}"' in page
        tokens.append((client, token))
    for client, token in tokens:
        response = client.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
        assert response.status_code == 302
        assert "_auth_user_id" not in client.session


def test_a_template_edited_under_runserver_empties_the_kept_fragments(tmp_path):

    caches["fragments"].set("kept", "header")
    file_changed.send(sender=None, file_path=tmp_path / "notes.txt")
    assert caches["fragments"].get("kept") == "header"
    file_changed.send(sender=None, file_path=tmp_path / "base.html")
    assert caches["fragments"].get("kept") is None
