"""The leaderboard served from each process's memory (its version read without a round trip
while Redis has not said it changed) and revalidated with ETags: a score change is seen on the
very next request, whatever the page, its encoding or the client's cached copy."""

import gzip
import json
from decimal import Decimal

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import RequestFactory

from challenges.models import Edition
from scoring.judged import submit_review
from scoring.models import Criterion
from tests.factories import ChallengeFactory, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def judged(edition, judge):
    Edition.objects.filter(pk=edition.pk).update(judged_points_published=True)
    challenge = ChallengeFactory(
        edition=edition, slug="demo", kind="demo", category="deliverable",
        max_points=Decimal("0.5"), scoring={"rule": "judged"},
    )  # fmt: skip
    criterion = Criterion.objects.create(
        challenge=challenge, label_es="Claridad", label_en="Clarity", weight=1, position=1
    )
    team = make_team(edition=edition, name="Quipu")
    return {"challenge": challenge, "criterion": criterion, "team": team, "judge": judge}


def mark(judged, value, capture):
    with capture(execute=True):
        submit_review(
            challenge=judged["challenge"],
            team=judged["team"],
            judge=judged["judge"],
            marks={judged["criterion"].pk: Decimal(value)},
        )


def text_of(response) -> str:
    body = response.content
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode()


PAGES = [
    ("/leaderboard.json", {}),
    ("/leaderboard.json", {"HTTP_ACCEPT_ENCODING": "gzip"}),
    ("/leaderboard/", {}),
    ("/leaderboard/", {"HTTP_ACCEPT_ENCODING": "gzip"}),
    ("/leaderboard/", {"HTTP_HX_REQUEST": "true"}),
]


@pytest.fixture(autouse=True)
def english(client):
    """Pages in English, whose decimals are written 0.45 as the JSON writes them."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.mark.parametrize(("url", "headers"), PAGES)
def test_a_score_change_is_seen_on_the_next_request(
    client, judged, url, headers, django_capture_on_commit_callbacks
):
    mark(judged, "4", django_capture_on_commit_callbacks)  # 0.4 of 0.5 points: 0.2
    client.get(url, **headers)  # builds the page and keeps it
    kept = text_of(client.get(url, **headers))  # served as kept
    assert "0.2" in kept and "0.45" not in kept

    mark(judged, "9", django_capture_on_commit_callbacks)  # 0.45

    fresh = text_of(client.get(url, **headers))
    assert "0.45" in fresh
    if url.endswith(".json"):
        assert json.loads(fresh)["rows"][0]["total"] == "0.45"


@pytest.mark.parametrize("headers", [{}, {"HTTP_HX_REQUEST": "true"}])
def test_the_refresh_gets_304_until_a_score_changes(
    client, judged, headers, django_capture_on_commit_callbacks
):
    mark(judged, "4", django_capture_on_commit_callbacks)
    first = client.get("/leaderboard/", **headers)
    etag = first["ETag"]
    assert "no-cache" in first["Cache-Control"] and "HX-Request" in first["Vary"]

    again = client.get("/leaderboard/", HTTP_IF_NONE_MATCH=etag, **headers)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag

    mark(judged, "9", django_capture_on_commit_callbacks)

    changed = client.get("/leaderboard/", HTTP_IF_NONE_MATCH=etag, **headers)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "0.45" in changed.content.decode()


def test_the_json_answers_304_for_its_own_etag_only(client, judged):
    plain = client.get("/leaderboard.json")
    compressed = client.get("/leaderboard.json", HTTP_ACCEPT_ENCODING="gzip")
    assert plain["ETag"] != compressed["ETag"]  # two representations, two tags
    assert client.get("/leaderboard.json", HTTP_IF_NONE_MATCH=plain["ETag"]).status_code == 304
    # The gzipped tag does not match the plain page, nor a page of another filter.
    assert client.get("/leaderboard.json", HTTP_IF_NONE_MATCH=compressed["ETag"]).status_code == 200
    assert (
        client.get("/leaderboard.json?track=A", HTTP_IF_NONE_MATCH=plain["ETag"]).status_code == 200
    )


def test_a_signed_in_persons_refresh_is_the_shared_table(client, judged, participant):
    client.force_login(participant)
    fragment = client.get("/leaderboard/", HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode() and fragment.has_header("ETag")
    page = client.get("/leaderboard/")  # the whole page names the person: never shared
    assert "<html" in page.content.decode() and not page.has_header("ETag")


def test_the_bar_draws_only_the_challenges_with_points_in_their_own_colour(
    client, edition, judged, django_capture_on_commit_callbacks
):
    """A board of 1,000 teams is served whole: a row's bar carries a part per challenge the
    team has points in (coloured by the challenge's column), none for the others."""
    ChallengeFactory(edition=edition, slug="video", kind="video", category="deliverable")
    mark(judged, "4", django_capture_on_commit_callbacks)
    page = client.get("/leaderboard/").content.decode()
    bar = page[page.index('<div class="stack"') :]
    bar = bar[: bar.index("</div>")]
    columns = [challenge.slug for challenge in edition.challenges.all()]
    assert bar.count("stack-part") == 1
    assert f'part-{columns.index("demo") + 1}"' in bar
    assert 'title="' + judged["challenge"].title + '"' in bar


def test_a_visitor_with_a_message_waiting_sees_it_and_then_the_shared_page(client, judged):
    client.get("/leaderboard/")  # the shared page is built and kept
    waiting = CookieStorage(RequestFactory().get("/"))._encode(
        [Message(constants.INFO, "Your team was created.")]
    )
    client.cookies[CookieStorage.cookie_name] = waiting

    page = client.get("/leaderboard/")
    assert "Your team was created." in page.content.decode() and not page.has_header("ETag")
    again = client.get("/leaderboard/")  # the message was shown: its cookie is gone
    assert "Your team was created." not in again.content.decode() and again.has_header("ETag")


def test_the_shared_page_is_kept_apart_from_signed_in_peoples_by_caches(client, judged):
    page = client.get("/leaderboard/")
    assert page.has_header("ETag") and "Cookie" in page["Vary"]
    assert "Cookie" in client.get("/leaderboard/", HTTP_IF_NONE_MATCH=page["ETag"])["Vary"]
