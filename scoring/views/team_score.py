"""A team's score, explained: counts, rules, points, judged marks once published, history."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from accounts.roles import is_organizer
from challenges.shortcuts import require_edition
from scoring.models import ScoreChange, TeamScore
from scoring.rules import team_total
from teams.models import Membership, Team


@login_required
def team_score(request, pk: int):
    """Anyone on the team (and organizers) can see why the team has the points it has."""
    edition = require_edition(request)
    team = get_object_or_404(Team, pk=pk, edition=edition)
    organizer = is_organizer(request.user)
    if not organizer and not Membership.objects.filter(team=team, user=request.user).exists():
        raise PermissionDenied
    stored = {score.challenge_id: score for score in TeamScore.objects.filter(team=team)}
    show_judged = edition.judged_points_published or organizer
    lines = []
    for challenge in edition.challenges.all():
        score = stored.get(challenge.pk)
        points = (score.points if show_judged else score.public_points) if score else 0
        lines.append(
            {"challenge": challenge, "score": score, "points": points, "show_judged": show_judged}
        )
    uncapped, capped = team_total(
        points=[line["points"] for line in lines], cap=edition.max_total_points
    )
    history = Paginator(
        ScoreChange.objects.filter(team=team).select_related("challenge"), settings.PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "scoring/team_score.html",
        {"team": team, "lines": lines, "uncapped": uncapped, "capped": capped, "history": history},
    )
