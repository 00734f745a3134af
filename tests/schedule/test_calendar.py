"""The calendar: its page in the visitor's zone and AoE, /calendar.ics and the teams' secret
feeds (parsed back with icalendar), and the organizers' events."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from challenges.models import WindowExtension
from schedule.models import Event, TeamFeed
from tests.factories import ChallengeFactory, make_team

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture
def windows(edition):
    include = ChallengeFactory(
        edition=edition,
        slug="include",
        title_en="Exams",
        opens_at=dt.datetime(2025, 4, 9, 12, tzinfo=UTC),
        closes_at=dt.datetime(2025, 5, 31, 11, 59, 59, tzinfo=UTC),
    )
    blend = ChallengeFactory(
        edition=edition,
        slug="blend",
        title_en="Cultural questions",
        opens_at=dt.datetime(2025, 4, 14, 12, tzinfo=UTC),
        closes_at=dt.datetime(2025, 5, 8, 11, 59, 59, tzinfo=UTC),
    )
    edition.team_deadline = dt.datetime(2025, 5, 24, 11, 59, 59, tzinfo=UTC)
    edition.save()
    return include, blend


def make_events(edition, n):
    start = dt.datetime(2025, 4, 20, 17, tzinfo=UTC)
    return [
        Event.objects.create(
            edition=edition,
            title_es=f"Charla {i}",
            title_en=f"Talk {i}",
            starts_at=start + dt.timedelta(days=i),
            ends_at=start + dt.timedelta(days=i, hours=1),
            url="https://youtube.com/somosnlp",
        )
        for i in range(n)
    ]


def parse(response) -> list:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    return list(calendar.walk("VEVENT"))


def test_the_feed_has_every_window_the_team_deadline_and_every_event(client, edition, windows):
    include, blend = windows
    (talk,) = make_events(edition, 1)
    events = parse(client.get("/calendar.ics", HTTP_ACCEPT_LANGUAGE="en"))
    by_uid = {str(event["UID"]): event for event in events}
    assert set(by_uid) == {
        f"challenge-{include.pk}-opens@{edition.slug}",
        f"challenge-{include.pk}-closes@{edition.slug}",
        f"challenge-{blend.pk}-opens@{edition.slug}",
        f"challenge-{blend.pk}-closes@{edition.slug}",
        f"team-deadline@{edition.slug}",
        f"{talk.uid}@{edition.slug}",
    }
    closes = by_uid[f"challenge-{include.pk}-closes@{edition.slug}"]
    assert closes.decoded("DTSTART") == include.closes_at
    assert str(closes["SUMMARY"]) == "“Exams” closes"
    assert "DTEND" not in closes  # a moment
    deadline = by_uid[f"team-deadline@{edition.slug}"]
    assert deadline.decoded("DTSTART") == edition.team_deadline
    event = by_uid[f"{talk.uid}@{edition.slug}"]
    assert str(event["SUMMARY"]) == "Talk 0"
    assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(hours=1)
    assert str(event["URL"]) == "https://youtube.com/somosnlp"
    assert all("DTSTAMP" in item for item in events)


def test_uids_stay_the_same_when_an_event_is_edited(client, edition, organizer, windows):
    (talk,) = make_events(edition, 1)
    before = {str(e["UID"]) for e in parse(client.get("/calendar.ics"))}
    client.force_login(organizer)
    response = client.post(
        f"/organize/calendar/{talk.pk}/",
        {"kind": "talk", "title_es": "Charla movida", "starts_at": "2025-04-22T10:00",
         "ends_at": "2025-04-22T11:00", "time_zone": "Europe/Madrid", "url": ""},
    )  # fmt: skip
    assert response.status_code == 302
    events = parse(client.get("/calendar.ics", HTTP_ACCEPT_LANGUAGE="es"))
    assert {str(e["UID"]) for e in events} == before
    moved = next(e for e in events if str(e["UID"]).startswith(str(talk.uid)))
    assert str(moved["SUMMARY"]) == "Charla movida"
    assert moved.decoded("DTSTART") == dt.datetime(2025, 4, 22, 8, tzinfo=UTC)  # 10:00 in Madrid
    assert int(moved["SEQUENCE"]) == 1


def test_a_teams_feed_has_its_own_extension_and_no_other_teams(client, edition, windows):
    include, _blend = windows
    ours = make_team(edition=edition, members=1, name="Nuestro")
    theirs = make_team(edition=edition, members=1, name="Ajeno")
    later = include.closes_at + dt.timedelta(days=3)
    WindowExtension.objects.create(challenge=include, team=theirs, closes_at=later, reason="x")
    feed = TeamFeed.objects.create(team=ours)
    their_feed = TeamFeed.objects.create(team=theirs)
    ours_events = parse(client.get(f"/calendar/team/{feed.token}.ics"))
    assert f"challenge-{include.pk}-closes@{edition.slug}" in {str(e["UID"]) for e in ours_events}
    theirs_events = parse(client.get(f"/calendar/team/{their_feed.token}.ics"))
    extended = next(e for e in theirs_events if "-closes-team-" in str(e["UID"]))
    assert extended.decoded("DTSTART") == later
    assert f"challenge-{include.pk}-closes@{edition.slug}" not in {
        str(e["UID"]) for e in theirs_events
    }
    public = parse(client.get("/calendar.ics"))
    assert not any("-team-" in str(e["UID"]) for e in public)


def test_a_wrong_or_regenerated_token_is_refused(client, edition, windows):
    team = make_team(edition=edition, members=1)
    member = team.memberships.get().user
    client.force_login(member)
    page = client.get("/team/calendar/")
    old = TeamFeed.objects.get(team=team).token
    assert old in page.content.decode()
    assert (
        "https://calendar.google.com/calendar/render?cid=webcal%3A%2F%2Ftestserver%2Fcalendar%2Fteam%2F"
        in page.content.decode()
    )
    assert client.get(f"/calendar/team/{old}.ics").status_code == 200
    assert client.post("/team/calendar/regenerate/").status_code == 302
    new = TeamFeed.objects.get(team=team).token
    assert new != old
    assert client.get(f"/calendar/team/{old}.ics").status_code == 404
    assert client.get(f"/calendar/team/{new}.ics").status_code == 200
    assert client.get("/calendar/team/not-a-token.ics").status_code == 404


def test_another_teams_member_sees_only_their_own_teams_address(client, edition, other_team_member):
    team = make_team(edition=edition, members=1)
    ours = TeamFeed.objects.create(team=team)
    client.force_login(other_team_member)
    page = client.get("/team/calendar/").content.decode()
    assert ours.token not in page
    client.post("/team/calendar/regenerate/")
    ours.refresh_from_db()
    assert client.get(f"/calendar/team/{ours.token}.ics").status_code == 200  # untouched


def test_the_page_shows_each_moment_in_the_chosen_zone_and_in_aoe(client, edition, windows):
    include, _blend = windows
    response = client.get("/calendar/?tz=Europe/Madrid", HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert response.status_code == 200
    # 2025-05-31 11:59:59 UTC: 13:59 in Madrid, 23:59 on 30 May... in AoE (UTC-12).
    assert "31 May 2025, 13:59" in text
    assert "30 May 2025, 23:59" in text
    assert "data-local" not in text  # a zone was chosen: the script leaves it


def test_without_a_zone_the_page_leaves_it_to_the_browser(client, edition, windows):
    text = client.get("/calendar/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "data-local" in text and "local-times.js" in text
    assert "31 May 2025, 11:59" in text  # UTC until the script runs


def test_an_unknown_zone_is_refused_with_a_message(client, edition, windows):
    response = client.get("/calendar/?tz=Mars/Olympus", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "“Mars/Olympus” is not a known time zone." in response.content.decode()


def test_a_member_sees_the_teams_extension_on_the_page(client, edition, windows):
    include, _blend = windows
    team = make_team(edition=edition, members=1)
    WindowExtension.objects.create(
        challenge=include, team=team, closes_at=include.closes_at + dt.timedelta(days=2), reason="x"
    )
    client.force_login(team.memberships.get().user)
    text = client.get("/calendar/?tz=UTC", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "extended for your team" in text and "2 Jun 2025, 11:59" in text


@pytest.mark.parametrize("path", ["/calendar/", "/calendar.ics"])
def test_query_count_does_not_grow_with_the_events(client, edition, windows, path):
    team = make_team(edition=edition, members=1)
    client.force_login(team.memberships.get().user)

    def count(n):
        Event.objects.all().delete()
        make_events(edition, n)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    assert count(1) == count(3)


def test_an_organizer_adds_and_removes_an_event(client, edition, organizer):
    client.force_login(organizer)
    response = client.post(
        "/organize/calendar/",
        {"kind": "office_hours", "title_es": "Consultas", "starts_at": "2025-04-21T18:00",
         "ends_at": "", "time_zone": "America/Lima", "url": "meet.example.org/x"},
    )  # fmt: skip
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.starts_at == dt.datetime(2025, 4, 21, 23, tzinfo=UTC)
    assert event.ends_at is None and event.created_by == organizer
    assert event.url == "https://meet.example.org/x"
    assert client.post(f"/organize/calendar/{event.pk}/remove/").status_code == 302
    assert not Event.objects.exists()
    assert client.post(f"/organize/calendar/{event.pk}/remove/").status_code == 404


GOOD = {
    "kind": "talk",
    "title_es": "Charla",
    "starts_at": "2025-04-21T18:00",
    "ends_at": "2025-04-21T19:00",
    "time_zone": "UTC",
    "url": "",
}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (None, "This field is required."),  # nothing sent
        ({"title_es": ""}, "This field is required."),
        ({"title_es": "\u200b"}, "Write the Spanish title."),
        ({"starts_at": "mañana"}, "Enter a valid date/time."),
        ({"ends_at": "2025-04-21T17:00"}, "An event must end after it starts."),
        ({"time_zone": "Nowhere/Land"}, "“Nowhere/Land” is not a known time zone."),
        ({"kind": "party"}, "Select a valid choice."),
        ({"url": "not a url at all"}, "Enter a valid URL."),
    ],
)
def test_a_bad_event_is_refused(client, edition, organizer, changes, message):
    client.force_login(organizer)
    values = {} if changes is None else GOOD | changes
    response = client.post("/organize/calendar/", values, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Event.objects.exists()


def test_another_editions_event_cannot_be_edited(client, edition, organizer):
    from tests.factories import EditionFactory

    other = EditionFactory(is_current=False)
    (event,) = make_events(other, 1)
    client.force_login(organizer)
    assert client.get(f"/organize/calendar/{event.pk}/").status_code == 404
    assert client.post(f"/organize/calendar/{event.pk}/remove/").status_code == 404
    assert Event.objects.filter(pk=event.pk).exists()


def test_the_feed_is_cacheable_and_named(client, edition, windows):
    response = client.get("/calendar.ics")
    assert 'filename="' in response["Content-Disposition"]
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == edition.name
    assert calendar.decoded("REFRESH-INTERVAL") == dt.timedelta(hours=1)
    assert str(calendar["METHOD"]) == "PUBLISH"


def test_the_feeds_language_is_chosen_in_its_address(client, edition, windows):
    include, _blend = windows
    include.title_pt = "Exames"
    include.save()
    events = parse(client.get("/calendar.ics?lang=pt", HTTP_ACCEPT_LANGUAGE="en"))
    # The challenge's Portuguese title (the words around it once the catalogs have them).
    assert any("“Exames”" in str(event["SUMMARY"]) for event in events)
    events = parse(client.get("/calendar.ics?lang=xx", HTTP_ACCEPT_LANGUAGE="en"))
    assert "“Exams” closes" in {str(event["SUMMARY"]) for event in events}
    assert not any("Exames" in str(event["SUMMARY"]) for event in events)
