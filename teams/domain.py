"""Rules about teams: forming them, joining by invitation, leaving, captaincy, registration.

Every function that changes a team locks the team's row first, so that two people acting on
the same team at the same moment are served one after the other and both see the latest state.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import is_judge, is_organizer
from challenges.domain import format_moment, is_team_deadline_past
from challenges.models import Edition
from challenges.text import clean, is_blank
from hackathon.errors import RuleRefused
from teams.models import Membership, Team, TeamEvent, new_invite_token, team_name_key


class TeamRuleError(RuleRefused):
    """A team rule refused the action."""


def ensure_teams_can_change(*, edition: Edition, now: dt.datetime | None = None) -> None:
    """Teams are created, joined and left only until the edition's team deadline."""
    if is_team_deadline_past(edition=edition, now=now):
        raise TeamRuleError(
            _("Teams can no longer change: the team deadline was %(deadline)s.")
            % {"deadline": format_moment(edition.team_deadline, edition=edition)}
        )


def get_membership(*, user: User, edition: Edition) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.select_related("team").filter(user=user, edition=edition).first()


def _record(
    team: Team,
    kind: str,
    *,
    person: User | None = None,
    actor: User | None = None,
    reason: str = "",
) -> None:
    TeamEvent.objects.create(
        edition_id=team.edition_id,
        team=team,
        team_name=team.name,
        kind=kind,
        person=person,
        actor=actor,
        reason=reason.strip()[:500],
    )


def _lock(team: Team) -> Team:
    return Team.objects.select_for_update().select_related("edition").get(pk=team.pk)


def _captain_membership(team: Team, user: User) -> Membership:
    membership = Membership.objects.filter(team=team, user=user).first()
    if membership is None or not membership.is_captain:
        raise TeamRuleError(_("Only the team's captain can do this."))
    return membership


def _clean_name(name: str) -> str:
    """The name as stored (without invisible characters); one with nothing visible is refused."""
    name = clean(name)
    if is_blank(name):
        raise TeamRuleError(_("A team needs a name."))
    return name


def _ensure_name_free(*, edition: Edition, name: str, exclude_pk: int | None = None) -> None:
    """Two names are the same once folded (``team_name_key``): "Los Andes" and "los  andes\u200b"."""
    taken = Team.objects.filter(edition=edition, name_key=team_name_key(name))
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise TeamRuleError(_("A team with this name already exists in this edition."))


def create_team(
    *,
    user: User,
    edition: Edition,
    name: str,
    countries: list[str],
    project_idea: str = "",
    track: str = "",
    now: dt.datetime | None = None,
) -> Team:
    """Create a team and make its creator the captain.

    Names are unique per edition regardless of case, accents, spacing, quotes and invisible
    characters (a name with nothing visible is refused); a person is in one team per edition.
    """
    ensure_teams_can_change(edition=edition, now=now)
    name = _clean_name(name)
    try:
        with transaction.atomic():
            if Membership.objects.filter(user=user, edition=edition).exists():
                raise TeamRuleError(_("You are already in a team of this edition."))
            _ensure_name_free(edition=edition, name=name)
            team = Team.objects.create(
                edition=edition,
                name=name,
                countries=countries,
                project_idea=project_idea,
                track=track,
            )
            Membership.objects.create(
                team=team, user=user, edition=edition, role=Membership.Role.CAPTAIN
            )
            _record(team, TeamEvent.Kind.CREATED, person=user, actor=user)
    except IntegrityError as error:
        # Somebody else took the name, or this person a team, between the check and the insert.
        raise TeamRuleError(
            _("This team name was just taken, or you just joined a team.")
        ) from error
    return team


def update_team(
    *, team: Team, by: User, name: str, countries: list[str], project_idea: str, track: str
) -> Team:
    """Members edit their team's name, countries, project idea and track."""
    try:
        with transaction.atomic():
            team = _lock(team)
            if not Membership.objects.filter(team=team, user=by).exists():
                raise TeamRuleError(_("Only the team's members can edit it."))
            name = _clean_name(name)
            _ensure_name_free(edition=team.edition, name=name, exclude_pk=team.pk)
            team.name, team.countries, team.project_idea, team.track = (
                name,
                countries,
                project_idea,
                track,
            )
            team.save()
            _record(team, TeamEvent.Kind.UPDATED, actor=by)
    except IntegrityError as error:
        raise TeamRuleError(_("A team with this name already exists in this edition.")) from error
    return team


def join_team(*, user: User, invite_token: str, now: dt.datetime | None = None) -> Team:
    """Join the team whose current invitation link this is, while it has a free place.

    The team's row is locked while its members are counted, so when two people take the last
    place at the same moment exactly one of them gets it.
    """
    try:
        with transaction.atomic():
            team = (
                Team.objects.select_for_update()
                .select_related("edition")
                .filter(invite_token=invite_token)
                .first()
            )
            if team is None:
                raise TeamRuleError(
                    _(
                        "This invitation link is not valid any more. Ask the team's captain for the current one."
                    )
                )
            edition = team.edition
            ensure_teams_can_change(edition=edition, now=now)
            current = (
                Membership.objects.filter(user=user, edition=edition).select_related("team").first()
            )
            if current is not None:
                if current.team_id == team.pk:
                    raise TeamRuleError(_("You are already a member of this team."))
                raise TeamRuleError(
                    _(
                        "You are already in the team “%(team)s”. Leave it before joining another one."
                    )
                    % {"team": current.team.name}
                )
            if Membership.objects.filter(team=team).count() >= edition.team_max_size:
                raise TeamRuleError(
                    _("This team is full: it already has %(max)s members.")
                    % {"max": edition.team_max_size}
                )
            Membership.objects.create(
                team=team, user=user, edition=edition, role=Membership.Role.MEMBER
            )
            _record(team, TeamEvent.Kind.JOINED, person=user, actor=user)
    except IntegrityError as error:
        raise TeamRuleError(_("You just joined another team of this edition.")) from error
    return team


def find_team_by_invite(*, invite_token: str) -> Team | None:
    return Team.objects.select_related("edition").filter(invite_token=invite_token).first()


def regenerate_invite(*, team: Team, by: User) -> Team:
    """The captain replaces the invitation link; the old one stops working at once."""
    with transaction.atomic():
        team = _lock(team)
        _captain_membership(team, by)
        team.invite_token = new_invite_token()
        team.save(update_fields=["invite_token"])
        _record(team, TeamEvent.Kind.INVITE_REGENERATED, actor=by)
    return team


def remove_member(
    *, team: Team, member: User, by: User, now: dt.datetime | None = None, reason: str = ""
) -> None:
    """The captain removes another member (the captain leaves instead of removing themself);
    the ``reason`` given is kept with the team's event."""
    with transaction.atomic():
        team = _lock(team)
        _captain_membership(team, by)
        if member.pk == by.pk:
            raise TeamRuleError(_("To leave the team, use “Leave the team”."))
        ensure_teams_can_change(edition=team.edition, now=now)
        deleted, _rows = Membership.objects.filter(team=team, user=member).delete()
        if not deleted:
            raise TeamRuleError(_("This person is not a member of the team."))
        _record(team, TeamEvent.Kind.REMOVED, person=member, actor=by, reason=reason)


def transfer_captaincy(*, team: Team, to: User, by: User, reason: str = "") -> None:
    """The captain hands captaincy over to another member; the ``reason`` given is kept with
    the team's event."""
    with transaction.atomic():
        team = _lock(team)
        captain = _captain_membership(team, by)
        successor = Membership.objects.filter(team=team, user=to).first()
        if successor is None:
            raise TeamRuleError(_("Captaincy can only go to a member of the team."))
        if successor.pk == captain.pk:
            raise TeamRuleError(_("You are already the captain."))
        # Demote first: the database allows one captain per team at every moment.
        captain.role = Membership.Role.MEMBER
        captain.save(update_fields=["role"])
        successor.role = Membership.Role.CAPTAIN
        successor.save(update_fields=["role"])
        _record(team, TeamEvent.Kind.CAPTAIN_CHANGED, person=to, actor=by, reason=reason)


def leave_team(*, team: Team, user: User, now: dt.datetime | None = None) -> bool:
    """A member leaves. A captain hands captaincy over first, unless alone: then the team is
    dissolved. Returns whether the team was dissolved."""
    with transaction.atomic():
        team = _lock(team)
        membership = Membership.objects.filter(team=team, user=user).first()
        if membership is None:
            raise TeamRuleError(_("You are not a member of this team."))
        ensure_teams_can_change(edition=team.edition, now=now)
        others = Membership.objects.filter(team=team).exclude(pk=membership.pk).count()
        if membership.is_captain and others:
            raise TeamRuleError(_("Hand captaincy over to another member before leaving the team."))
        if others == 0:
            _record(team, TeamEvent.Kind.DISSOLVED, person=user, actor=user)
            team.delete()
            return True
        membership.delete()
        _record(team, TeamEvent.Kind.LEFT, person=user, actor=user)
        return False


def register_team(*, team: Team, by: User, now: dt.datetime | None = None) -> Team:
    """One member registers the team for the edition, once, before the team deadline."""
    with transaction.atomic():
        team = _lock(team)
        if not Membership.objects.filter(team=team, user=by).exists():
            raise TeamRuleError(_("Only the team's members can register it."))
        if team.registered_at is not None:
            raise TeamRuleError(_("This team is already registered."))
        ensure_teams_can_change(edition=team.edition, now=now)
        count = Membership.objects.filter(team=team).count()
        if count < team.edition.team_min_size:
            raise TeamRuleError(
                _("A team needs at least %(min)s members to be registered.")
                % {"min": team.edition.team_min_size}
            )
        team.registered_at = now or timezone.now()
        team.registered_by = by
        team.save(update_fields=["registered_at", "registered_by"])
        _record(team, TeamEvent.Kind.REGISTERED, actor=by)
    return team


def can_see_team_work(*, user, team_id: int | None) -> bool:
    """A team's own work (its Hub repositories' checks, its paper) is seen by its members, the
    judges and the organizers, nobody else: it may be unpublished."""
    if not user.is_authenticated:
        return False
    if is_organizer(user) or is_judge(user):
        return True
    return team_id is not None and Membership.objects.filter(team_id=team_id, user=user).exists()
