"""A team's own extension shows wherever the team sees the window; a day typed as an
extension closes at its end (23:59:59 AoE); the admin speaks AoE."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from challenges.domain import extend_window, list_team_windows
from challenges.models import WindowExtension
from tests.factories import ChallengeFactory, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def extended(edition, organizer):
    now = timezone.now()
    challenge = ChallengeFactory(
        edition=edition,
        slug="include",
        kind="include",
        title_en="Exams",
        opens_at=now - dt.timedelta(days=10),
        closes_at=now - dt.timedelta(days=1),
    )
    team = make_team(edition=edition, members=1)
    extend_window(
        challenge=challenge,
        closes_at=now + dt.timedelta(days=5),
        reason="Hub caído",
        by=organizer,
        team=team,
    )
    return challenge, team


def test_the_team_sees_its_own_window_and_the_others_the_general_one(extended, edition):
    challenge, team = extended
    other = make_team(edition=edition, members=1)
    mine = list_team_windows(challenges=[challenge], team_id=team.pk)[challenge.pk]
    theirs = list_team_windows(challenges=[challenge], team_id=other.pk)[challenge.pk]
    assert mine.is_open and mine.extended
    assert theirs.state == "closed"


@pytest.mark.parametrize("url", ["/", "/challenges/include/", "/team/"])
def test_the_team_pages_show_its_extension(client, extended, edition, url):
    challenge, team = extended
    client.force_login(team.memberships.first().user)
    mine = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Extended" in mine and "closes in" in mine
    other = make_team(edition=edition, members=1)
    client.force_login(other.memberships.first().user)
    theirs = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "closes in" not in theirs


def test_the_home_page_takes_the_same_queries_with_one_or_three_challenges(
    client, extended, edition, django_assert_max_num_queries
):
    challenge, team = extended
    client.force_login(team.memberships.first().user)
    client.get("/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/")
    for slug in ("blend", "stereotypes"):
        ChallengeFactory(edition=edition, slug=slug, kind=slug)
    with CaptureQueriesContext(connection) as three:
        client.get("/")
    assert len(three) == len(one)


def test_an_extension_typed_as_a_day_closes_at_its_last_second_aoe(client, edition, organizer):
    challenge = ChallengeFactory(
        edition=edition,
        opens_at=timezone.now() - dt.timedelta(days=10),
        closes_at=timezone.now() - dt.timedelta(days=1),
    )
    client.force_login(organizer)
    day = (timezone.now() + dt.timedelta(days=20)).date()
    response = client.post(
        reverse("challenges:extend", args=[challenge.slug]),
        {"closes_at": day.isoformat(), "reason": "Más tiempo"},
    )
    assert response.status_code == 302
    closes = WindowExtension.objects.get().closes_at.astimezone(edition.zone)
    assert (closes.date(), closes.time()) == (day, dt.time(23, 59, 59))
    # A moment typed with its time is kept as typed.
    client.post(
        reverse("challenges:extend", args=[challenge.slug]),
        {"closes_at": f"{(day + dt.timedelta(days=1)).isoformat()}T10:30", "reason": "Otra"},
    )
    latest = WindowExtension.objects.order_by("-closes_at").first().closes_at
    assert latest.astimezone(edition.zone).time() == dt.time(10, 30)


def test_the_admin_shows_times_in_the_editions_zone(client, edition, organizer):
    challenge = ChallengeFactory(
        edition=edition,
        opens_at=dt.datetime(2025, 4, 9, 12, 0, tzinfo=dt.UTC),
        closes_at=dt.datetime(2025, 6, 1, 11, 59, 59, tzinfo=dt.UTC),
    )
    edition.is_current = True
    edition.save()
    client.force_login(organizer)
    page = client.get(
        reverse("admin:challenges_challenge_change", args=[challenge.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert page.status_code == 200
    text = page.content.decode()
    # 1 June 11:59:59 UTC is 31 May 23:59:59 AoE.
    assert 'name="closes_at_0" value="2025-05-31"' in text
    assert 'name="closes_at_1" value="23:59:59"' in text
    assert "times in AoE" in text
