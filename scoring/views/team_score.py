"""A team's score, explained: counts, rules, points, judged marks once published, history."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render

from accounts.roles import is_organizer
from challenges.shortcuts import require_edition
from scoring.disclosure import describe_team_score
from teams.models import Membership, Team


@login_required
def team_score(request, pk: int):
    """Anyone on the team (and organizers) can see why the team has the points it has; the
    judged part as ``scoring.disclosure`` lets each of them see it."""
    edition = require_edition(request)
    team = get_object_or_404(Team, pk=pk, edition=edition)
    organizer = is_organizer(request.user)
    if not organizer and not Membership.objects.filter(team=team, user=request.user).exists():
        raise PermissionDenied
    view = describe_team_score(
        team=team, edition=edition, full=organizer, page_number=request.GET.get("page")
    )
    return render(
        request,
        "scoring/team_score.html",
        {
            "team": team,
            "lines": view.lines,
            "uncapped": view.uncapped,
            "capped": view.capped,
            "history": view.history,
        },
    )
