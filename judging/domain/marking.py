"""Who may open and mark a team's project in a challenge, and what blind judging shows."""

from __future__ import annotations

import hashlib
import hmac
from decimal import Decimal

from django.utils.translation import gettext as _

from accounts.roles import is_judge, is_organizer
from challenges.models import Challenge
from judging.domain.assigning import get_judging_settings
from judging.models import Assignment
from scoring.judged import JudgingRefused, save_draft, submit_review
from teams.models import Membership, Team

ASSIGNED = "assigned"
OVERSEER = "overseer"


def find_access(*, user, challenge: Challenge, team: Team) -> str | None:
    """How a person may see a team's project page for a challenge: ``ASSIGNED`` (a judge the
    team was assigned to: sees and marks), ``OVERSEER`` (an organizer: sees, marks only when
    assigned too), None (nobody else: not unassigned judges, not participants, whatever their
    team). A team member never judges their own team."""
    if not user.is_authenticated:
        return None
    if Membership.objects.filter(team=team, user=user).exists():
        return OVERSEER if is_organizer(user) else None
    if (
        is_judge(user)
        and Assignment.objects.filter(challenge=challenge, team=team, judge=user).exists()
    ):
        return ASSIGNED
    return OVERSEER if is_organizer(user) else None


def _check_assigned(*, user, challenge: Challenge, team: Team) -> None:
    if find_access(user=user, challenge=challenge, team=team) != ASSIGNED:
        raise JudgingRefused(_("This team is not assigned to you in this challenge."))


def submit_marks(
    *, challenge: Challenge, team: Team, judge, marks: dict[int, Decimal | None], comment: str
):
    """An assigned judge submits their marks (``scoring.judged.submit_review``)."""
    _check_assigned(user=judge, challenge=challenge, team=team)
    return submit_review(challenge=challenge, team=team, judge=judge, marks=marks, comment=comment)


def keep_draft(*, challenge: Challenge, team: Team, judge, marks: dict[int, str], comment: str):
    """An assigned judge's page autosaves the marks typed so far."""
    _check_assigned(user=judge, challenge=challenge, team=team)
    return save_draft(challenge=challenge, team=team, judge=judge, marks=marks, comment=comment)


def blind_code(*, challenge: Challenge, team_id: int) -> str:
    """The code a blind challenge shows judges instead of a team's name: stable per challenge
    and team, not guessable from the team's id (keyed by the edition's secret)."""
    key = challenge.edition.dataset_salt.encode()
    digest = hmac.new(key, f"{challenge.pk}:{team_id}".encode(), hashlib.sha256).hexdigest()
    return f"P-{digest[:6].upper()}"


def is_blind(*, challenge: Challenge) -> bool:
    return get_judging_settings(challenge=challenge).blind


def shown_name(*, challenge: Challenge, team: Team, blind: bool) -> str:
    """What a judge's page calls the team: its code when the challenge is blind."""
    return blind_code(challenge=challenge, team_id=team.pk) if blind else team.name
