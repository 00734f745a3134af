"""What the team page shows, gathered from every app that has something to say about a team.

It lives at the views layer, beside ``teams/views.py``, and only views import it. The page
reads the teams' own data, the challenges' progress, the project (``challenges.projects``), the
gates (``scoring.gates``) and the Hub repositories (``hub.models``). The teams' domain and
models sit below the challenge kinds, hub and scoring, so they cannot import them; and
``scoring`` could not hold it either: it would import ``hub`` and a challenge kind's models
(``ProjectSubmission``), which hub and scoring are not to import. The views layer is the lowest
one that may read them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse

from accounts.models import User
from challenges.domain import WindowState, is_team_deadline_past, list_team_windows
from challenges.domain.progress import Progress, build_progress
from challenges.intake import get_intake
from challenges.models import Challenge
from challenges.projects.domain import Completeness, describe_completeness
from challenges.projects.models import ProjectSubmission
from hub.domain import describe_prize_eligibility
from hub.models import HubRepo
from scoring.gates import GateState, credits_gates
from teams.models import Membership, Team, TeamEvent

EVENTS_SHOWN = 20


@dataclass(frozen=True)
class TeamPage:
    team: Team  # with its members (``Team.objects.with_members()``) and its edition
    membership: Membership | None  # the viewer's; None if they left the team meanwhile
    members: list[Membership]
    invite_path: str  # the invitation link's path, for captains only; empty for the others
    events: QuerySet[TeamEvent]  # the latest ones, newest first
    deadline_past: bool
    places_left: int
    progress: list[tuple[Challenge, Progress | None]]
    # Every challenge's window as the team sees it (its own extensions included), by id.
    windows: dict[int, WindowState]
    gate: GateState
    completeness: Completeness
    hub_repos: QuerySet[HubRepo]


def describe_team_page(*, team: Team, viewer: User) -> TeamPage:
    """A member's view of their team: members, invitation (captains only), recent events,
    progress in every collecting challenge, the credits gate, the project's completeness
    (with its prize eligibility, from the Hub sync) and the team's Hub repositories.

    ``viewer`` is one of the team's members; one who left it in the meantime sees the page
    without the captain's tools."""
    team = Team.objects.with_members().select_related("edition").get(pk=team.pk)
    edition = team.edition
    members = list(team.memberships.all())
    member_ids = [member.user_id for member in members]
    membership = next((member for member in members if member.user_id == viewer.pk), None)
    is_captain = membership is not None and membership.is_captain
    challenges = list(edition.challenges.all())
    return TeamPage(
        team=team,
        membership=membership,
        members=members,
        invite_path=reverse("teams:join", args=[team.invite_token]) if is_captain else "",
        events=TeamEvent.objects.filter(team=team).select_related(
            "person__profile", "actor__profile"
        )[:EVENTS_SHOWN],
        deadline_past=is_team_deadline_past(edition=edition),
        places_left=max(edition.team_max_size - team.member_count, 0),
        progress=[
            (challenge, build_progress(challenge=challenge, author_ids=member_ids))
            for challenge in challenges
            if get_intake(challenge.kind) is not None
        ],
        windows=list_team_windows(challenges=challenges, team_id=team.pk),
        gate=credits_gates(edition=edition, teams=[team])[0],
        completeness=describe_completeness(
            team=team,
            submission=ProjectSubmission.objects.filter(team=team).first(),
            prize=describe_prize_eligibility(edition_id=edition.pk, team_ids=[team.pk])[team.pk],
        ),
        hub_repos=HubRepo.objects.for_team(team),
    )
