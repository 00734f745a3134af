"""Announcements: sanitized Markdown, the list, the home page, the Atom feed, the organizers'
form."""

import datetime as dt

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from announcements.domain import render_markdown
from announcements.models import Announcement
from tests.factories import EditionFactory

pytestmark = pytest.mark.django_db


def make(edition, n=1, **values):
    now = timezone.now()
    return [
        Announcement.objects.create(
            edition=edition,
            title_es=values.get("title_es", f"Anuncio {i}"),
            title_en=values.get("title_en", f"Announcement {i}"),
            body_es=values.get("body_es", f"Texto **{i}**"),
            body_en=values.get("body_en", f"Text **{i}**"),
            published_at=now - dt.timedelta(minutes=i),
        )
        for i in range(n)
    ]


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>Hola",
        '<a href="#" onclick="alert(1)">Hola</a>',
        '<img src=x onerror="alert(1)">Hola',
        "[Hola](javascript:alert(1))",
        '<iframe src="https://evil.example.org"></iframe>Hola',
        '<p style="position:fixed" onmouseover="alert(1)">Hola</p>',
    ],
)
def test_markdown_is_sanitized(markdown):
    html = render_markdown(markdown)
    assert "Hola" in html
    for forbidden in (
        "<script",
        "onclick",
        "onerror",
        "onmouseover",
        'href="javascript',
        "<iframe",
        "<img",
        "style=",
    ):
        assert forbidden not in html.lower()


def test_markdown_keeps_formatting_and_links():
    html = render_markdown(
        "## Fechas\n\n**BLEND** cierra *pronto*:\n\n- uno\n- [guía](https://somosnlp.org)"
    )
    assert "<h2>Fechas</h2>" in html
    assert "<strong>BLEND</strong>" in html and "<em>pronto</em>" in html
    assert "<li>uno</li>" in html
    assert 'href="https://somosnlp.org"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_the_list_shows_them_newest_first_in_the_readers_language(client, edition):
    make(edition, 2)
    response = client.get("/announcements/", HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert response.status_code == 200
    assert text.index("Announcement 0") < text.index("Announcement 1")
    assert "<strong>0</strong>" in text
    spanish = client.get("/announcements/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Anuncio 0" in spanish


def test_a_future_or_another_editions_announcement_is_not_shown(client, edition):
    make(edition, 1, title_en="Now")
    Announcement.objects.create(
        edition=edition, title_es="Futuro", title_en="Later", body_es="x",
        published_at=timezone.now() + dt.timedelta(days=1),
    )  # fmt: skip
    other = EditionFactory(is_current=False)
    (elsewhere,) = make(other, 1, title_en="Elsewhere")
    text = client.get("/announcements/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Now" in text and "Later" not in text and "Elsewhere" not in text
    assert client.get(f"/announcements/{elsewhere.pk}/").status_code == 404


def test_the_list_is_paginated(client, edition):
    make(edition, 12)
    first = client.get("/announcements/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    second = client.get("/announcements/?page=2", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Announcement 9" in first and "Announcement 10" not in first
    assert "Announcement 10" in second and "Announcement 11" in second
    assert "Announcement 0" not in second


def test_the_home_page_shows_the_three_newest(client, edition):
    make(edition, 4)
    text = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert all(f"Announcement {i}" in text for i in range(3))
    assert "Announcement 3" not in text
    assert 'href="/announcements/"' in text


def test_the_detail_page(client, edition):
    (announcement,) = make(edition, 1)
    response = client.get(f"/announcements/{announcement.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and b"Announcement 0" in response.content


def test_the_atom_feed_parses_back(client, edition):
    make(edition, 3)
    response = client.get("/announcements/feed/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert edition.name in feed.feed.title
    assert [entry.title for entry in feed.entries] == [f"Announcement {i}" for i in range(3)]
    entry = feed.entries[0]
    assert entry.link.endswith(
        f"/announcements/{Announcement.objects.get(title_en='Announcement 0').pk}/"
    )
    assert "<strong>0</strong>" in entry.summary
    assert entry.id and entry.published_parsed


def test_the_feed_never_carries_a_script(client, edition):
    make(edition, 1, body_en='<script>alert(1)</script><a onclick="x()">hola</a>')
    feed = feedparser.parse(client.get("/announcements/feed/", HTTP_ACCEPT_LANGUAGE="en").content)
    raw = client.get("/announcements/feed/").content.decode()
    assert "script" not in raw and "onclick" not in raw
    assert "hola" in feed.entries[0].summary


@pytest.mark.parametrize("path", ["/announcements/", "/"])
def test_query_count_does_not_grow_with_the_announcements(client, edition, path):
    def count(n):
        Announcement.objects.all().delete()
        make(edition, n)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    assert count(1) == count(3)


def test_an_organizer_posts_one(client, edition, organizer, settings):
    settings.DISCORD_WEBHOOK_URL = ""
    client.force_login(organizer)
    response = client.post(
        "/organize/announcements/",
        {"title_es": " Hola ", "body_es": "Texto", "title_en": "Hello", "body_en": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    announcement = Announcement.objects.get()
    assert (announcement.title_es, announcement.title_en, announcement.posted_by) == (
        "Hola",
        "Hello",
        organizer,
    )
    page = client.get("/organize/announcements/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Hola" in page or "Hello" in page


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "This field is required."),
        ({"title_es": "", "body_es": "Texto"}, "This field is required."),
        ({"title_es": "Hola", "body_es": ""}, "This field is required."),
        ({"title_es": "\u200b ", "body_es": "Texto"}, "Write the Spanish text"),
        ({"title_es": "x" * 201, "body_es": "Texto"}, "at most 200 characters"),
        ({"title_es": "Hola", "body_es": "x" * 20_001}, "at most 20000 characters"),
    ],
)
def test_a_bad_announcement_is_refused(client, edition, organizer, values, message):
    client.force_login(organizer)
    response = client.post("/organize/announcements/", values, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Announcement.objects.exists()


def test_a_participant_cannot_post(client, edition, participant):
    client.force_login(participant)
    response = client.post("/organize/announcements/", {"title_es": "Hola", "body_es": "x"})
    assert response.status_code == 403
    assert not Announcement.objects.exists()
