"""Rules of the edition's calendar: what it holds (every challenge window, the team deadline,
the organizers' events, and for one team its own extensions), its iCalendar feeds, and the
teams' secret feed addresses."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from functools import cache

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from challenges.domain import get_team_closes
from challenges.models import Edition
from hackathon.errors import RuleRefused
from schedule.models import Event, TeamFeed

PRODUCT_ID = "-//SomosNLP//Hackathon platform//ES"
# How often subscribed calendars should read the feed again (Google Calendar decides itself).
REFRESH_INTERVAL = dt.timedelta(hours=1)


class EventRefused(RuleRefused):
    """A rule refused an event of the calendar."""


@dataclass(frozen=True)
class Entry:
    """One moment or span of the calendar, as the page and the feeds show it."""

    uid: str
    kind: str  # "opens", "closes", "team_deadline" or an Event.Kind
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None = None
    description: str = ""
    url: str = ""
    for_team: bool = False  # a close moved later for this team only
    sequence: int = 0
    modified_at: dt.datetime | None = None


@cache
def known_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def list_entries(*, edition: Edition, team_id: int | None = None) -> list[Entry]:
    """The edition's calendar in time order: each challenge's opening and close (for
    ``team_id``, its own close where an extension for the team moves it later), the team
    deadline and every event. Three queries, whatever the number of challenges and events."""
    challenges = list(edition.challenges.all())
    closes = get_team_closes(challenges=challenges, team_ids=[team_id])
    suffix = f"@{edition.slug}"
    entries = [
        Entry(
            uid=f"team-deadline{suffix}",
            kind="team_deadline",
            title=_("Team deadline: the last day to create or join a team"),
            starts_at=edition.team_deadline,
        )
    ]
    for challenge in challenges:
        entries.append(
            Entry(
                uid=f"challenge-{challenge.pk}-opens{suffix}",
                kind="opens",
                title=_("“%(challenge)s” opens") % {"challenge": challenge.title},
                starts_at=challenge.opens_at,
            )
        )
        closes_at = closes[(challenge.pk, team_id)]
        if closes_at is None:
            continue
        for_team = closes_at != challenge.closes_at
        entries.append(
            Entry(
                uid=(
                    f"challenge-{challenge.pk}-closes-team-{team_id}{suffix}"
                    if for_team
                    else f"challenge-{challenge.pk}-closes{suffix}"
                ),
                kind="closes",
                title=(
                    _("“%(challenge)s” closes (extended for your team)")
                    if for_team
                    else _("“%(challenge)s” closes")
                )
                % {"challenge": challenge.title},
                starts_at=closes_at,
                for_team=for_team,
            )
        )
    for event in Event.objects.filter(edition=edition):
        entries.append(
            Entry(
                uid=f"{event.uid}{suffix}",
                kind=event.kind,
                title=event.title,
                starts_at=event.starts_at,
                ends_at=event.ends_at,
                description=event.description,
                url=event.url,
                sequence=event.sequence,
                modified_at=event.updated_at,
            )
        )
    return sorted(entries, key=lambda entry: (entry.starts_at, entry.uid))


def build_ics(*, edition: Edition, entries: list[Entry], name: str, link: str = "") -> bytes:
    """The entries as an iCalendar feed (RFC 5545) that calendar apps subscribe to: times in
    UTC, one stable UID per entry (an event's survives its edits; its SEQUENCE grows), a moment
    without an end (a deadline) as an event of no duration."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "UTC")
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH_INTERVAL)
    stamp = timezone.now().replace(microsecond=0)
    for entry in entries:
        component = CalendarEvent()
        component.add("uid", entry.uid)
        component.add("dtstamp", stamp)
        component.add("dtstart", entry.starts_at.astimezone(dt.UTC))
        if entry.ends_at is not None:
            component.add("dtend", entry.ends_at.astimezone(dt.UTC))
        component.add("summary", entry.title)
        if entry.description:
            component.add("description", entry.description)
        if entry.url or link:
            component.add("url", entry.url or link)
        component.add("categories", [entry.kind])
        component.add("sequence", entry.sequence)
        if entry.modified_at is not None:
            component.add("last-modified", entry.modified_at.astimezone(dt.UTC))
        component.add("transp", "TRANSPARENT")
        calendar.add_component(component)
    return calendar.to_ical()


def get_team_feed(*, team) -> TeamFeed:
    """The team's feed address, made the first time a member asks for it."""
    feed, _created = TeamFeed.objects.get_or_create(team=team)
    return feed


def regenerate_team_feed(*, team) -> TeamFeed:
    """A member gives the team a new feed address; the old one stops working at once."""
    with transaction.atomic():
        feed = get_team_feed(team=team)
        feed = TeamFeed.objects.select_for_update().get(pk=feed.pk)
        feed.token = TeamFeed._meta.get_field("token").default()
        feed.save(update_fields=["token", "created_at"])
    return feed


def find_team_feed(*, token: str) -> TeamFeed | None:
    """The feed of this secret address, with its team and edition; None for any other."""
    if not token:
        return None
    return TeamFeed.objects.select_related("team__edition").filter(token=token).first()


def save_event(*, edition: Edition, by, values: dict, event: Event | None = None) -> Event:
    """Organizers add or edit an event of the calendar. It ends after it starts (or has no
    end); an edit keeps its UID and raises its SEQUENCE, so subscribed calendars update it."""
    starts_at, ends_at = values["starts_at"], values.get("ends_at")
    if ends_at is not None and ends_at <= starts_at:
        raise EventRefused(_("An event must end after it starts."))
    with transaction.atomic():
        if event is None:
            event = Event(edition=edition, created_by=by)
        else:
            event = Event.objects.select_for_update().get(pk=event.pk, edition=edition)
            event.sequence += 1
        for name, value in values.items():
            setattr(event, name, value)
        event.save()
    return event


def delete_event(*, edition: Edition, event_id: int) -> bool:
    """Organizers remove an event; calendars drop it at their next read."""
    deleted, _rows = Event.objects.filter(edition=edition, pk=event_id).delete()
    return bool(deleted)
