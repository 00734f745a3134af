"""Rules about challenge windows: when a challenge takes contributions, for everyone or a team."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from challenges.domain.editions import record_changes, take_snapshot
from challenges.domain.remembered import find_extended_close, find_team_id
from challenges.models import Challenge, ChangeRecord, Edition, WindowExtension
from hackathon.errors import RuleRefused

WindowStateName = Literal["upcoming", "open", "closed"]


@dataclass(frozen=True)
class WindowState:
    state: WindowStateName
    opens_at: dt.datetime
    closes_at: dt.datetime | None
    extended: bool

    @property
    def is_open(self) -> bool:
        return self.state == "open"


def describe_window(
    *,
    opens_at: dt.datetime,
    closes_at: dt.datetime | None,
    announced_closes_at: dt.datetime | None,
    now: dt.datetime,
) -> WindowState:
    """A window is open from ``opens_at`` to ``closes_at`` inclusive; no close means no end.

    It counts as extended when it now closes later than first announced.
    """
    if now < opens_at:
        state: WindowStateName = "upcoming"
    elif closes_at is None or now <= closes_at:
        state = "open"
    else:
        state = "closed"
    extended = bool(announced_closes_at and closes_at and closes_at > announced_closes_at)
    return WindowState(state=state, opens_at=opens_at, closes_at=closes_at, extended=extended)


def get_window(*, challenge: Challenge, now: dt.datetime | None = None) -> WindowState:
    """The window of ``challenge`` as it stands at ``now`` (default: this moment)."""
    return describe_window(
        opens_at=challenge.opens_at,
        closes_at=challenge.closes_at,
        announced_closes_at=challenge.announced_closes_at,
        now=now or timezone.now(),
    )


def is_team_deadline_past(*, edition: Edition, now: dt.datetime | None = None) -> bool:
    """Teams are formed until the end of the edition's team deadline, inclusive."""
    return (now or timezone.now()) > edition.team_deadline


class ContributionRefused(RuleRefused):
    """A rule refused a contribution or a review."""


def format_moment(moment: dt.datetime, *, edition: Edition) -> str:
    """A moment as people of the edition read it: in its time zone, with the zone's label (AoE)."""
    local = timezone.localtime(moment, edition.zone)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} {edition.time_zone_label}"


def get_window_for_team(
    *, challenge: Challenge, team_id: int | None, now: dt.datetime | None = None
) -> WindowState:
    """The window as one team sees it: a team's own extension may close it later than for
    everyone (never earlier)."""
    closes_at = challenge.closes_at
    if team_id is not None and closes_at is not None:
        latest = find_extended_close(challenge_id=challenge.pk, team_id=team_id)
        if latest and latest > closes_at:
            closes_at = latest
    announced = challenge.announced_closes_at
    if closes_at != challenge.closes_at and announced is None:
        announced = challenge.closes_at  # extended for this team only
    return describe_window(
        opens_at=challenge.opens_at,
        closes_at=closes_at,
        announced_closes_at=announced,
        now=now or timezone.now(),
    )


def get_team_closes(
    *, challenges: Iterable[Challenge], team_ids: Iterable[int | None]
) -> dict[tuple[int, int | None], dt.datetime | None]:
    """(challenge id, team id) -> when the challenge closes for that team, as
    get_window_for_team says (a team's own extension may close it later, never earlier; no
    team: the close for everyone), in one query whatever the number of challenges and teams."""
    challenges = list(challenges)
    team_ids = set(team_ids)
    latest: dict[tuple[int, int], dt.datetime] = {}
    real_teams = {team_id for team_id in team_ids if team_id is not None}
    if challenges and real_teams:
        extensions = WindowExtension.objects.filter(
            challenge__in=challenges, team_id__in=real_teams
        ).values_list("challenge_id", "team_id", "closes_at")
        for challenge_id, team_id, closes_at in extensions:
            key = (challenge_id, team_id)
            if key not in latest or closes_at > latest[key]:
                latest[key] = closes_at
    closes: dict[tuple[int, int | None], dt.datetime | None] = {}
    for challenge in challenges:
        for team_id in team_ids:
            own = latest.get((challenge.pk, team_id))
            base = challenge.closes_at
            closes[(challenge.pk, team_id)] = own if base and own and own > base else base
    return closes


def list_team_windows(
    *, challenges: Iterable[Challenge], team_id: int | None, now: dt.datetime | None = None
) -> dict[int, WindowState]:
    """Challenge id -> its window as the team sees it (``get_window_for_team``: its own
    extension may close it later, and then it shows as extended), in one query."""
    challenges = list(challenges)
    closes = get_team_closes(challenges=challenges, team_ids=[team_id])
    now = now or timezone.now()
    windows = {}
    for challenge in challenges:
        closes_at = closes[(challenge.pk, team_id)]
        announced = challenge.announced_closes_at
        if closes_at != challenge.closes_at and announced is None:
            announced = challenge.closes_at
        windows[challenge.pk] = describe_window(
            opens_at=challenge.opens_at, closes_at=closes_at, announced_closes_at=announced, now=now
        )
    return windows


def ensure_window_open(
    *, challenge: Challenge, user, now: dt.datetime | None = None
) -> WindowState:
    """Contributions are accepted only while the challenge is open, in the edition's time zone,
    for everyone or for the contributor's team."""
    team_id = find_team_id(user=user, edition_id=challenge.edition_id)
    window = get_window_for_team(challenge=challenge, team_id=team_id, now=now)
    if window.state == "upcoming":
        raise ContributionRefused(
            _("“%(challenge)s” opens on %(when)s.")
            % {
                "challenge": challenge.title,
                "when": format_moment(window.opens_at, edition=challenge.edition),
            }
        )
    if window.state == "closed":
        raise ContributionRefused(
            _("“%(challenge)s” closed on %(when)s.")
            % {
                "challenge": challenge.title,
                "when": format_moment(window.closes_at, edition=challenge.edition),
            }
        )
    return window


def extend_window(
    *, challenge: Challenge, closes_at: dt.datetime, reason: str, by, team=None
) -> WindowExtension:
    """Organizers move a challenge's close later, for everyone or for one team, with a reason.

    For everyone, the challenge's close changes (and the change is recorded); for a team, only
    that team's window does. Either way the extension itself is kept.
    """
    reason = reason.strip()
    if not reason:
        raise ContributionRefused(_("Say why the window is extended."))
    if challenge.closes_at is not None and closes_at <= challenge.closes_at:
        raise ContributionRefused(_("An extension must close later than the window does now."))
    if team is not None and team.edition_id != challenge.edition_id:
        raise ContributionRefused(_("This team is not in the challenge's edition."))
    with transaction.atomic():
        challenge = (
            Challenge.objects.select_for_update().select_related("edition").get(pk=challenge.pk)
        )
        if team is None:
            before = take_snapshot(instance=challenge, fields=["closes_at"])
            if challenge.announced_closes_at is None:
                challenge.announced_closes_at = challenge.closes_at
            challenge.closes_at = closes_at
            challenge.save(update_fields=["closes_at", "announced_closes_at"])
            record_changes(
                edition=challenge.edition,
                instance=challenge,
                before=before,
                source=ChangeRecord.Source.ORGANIZER,
                changed_by=by,
                reason=reason,
            )
        return WindowExtension.objects.create(
            challenge=challenge, team=team, closes_at=closes_at, reason=reason, created_by=by
        )
