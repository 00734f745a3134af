"""The public project gallery: every team's declared project, with the judged points and rank
per judged challenge once the organizers published them."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet

from challenges.models import Challenge, Edition
from scoring.models import TeamScore
from scoring.rules import rank
from teams.models import Team


def gallery_teams(*, edition: Edition, track: str = "", country: str = "") -> QuerySet[Team]:
    """The teams that declared a project, by name, optionally of one track and one country
    (the countries a team represents)."""
    teams = (
        Team.objects.filter(edition=edition, project__isnull=False)
        .select_related("project")
        .order_by("name", "pk")
    )
    if track:
        teams = teams.filter(track=track)
    code = country.upper()[:2]
    if len(code) == 2 and code.isascii() and code.isalpha():
        teams = teams.filter(countries__regex=rf"(^|,){code}(,|$)")
    return teams


def rank_judged(
    *, edition: Edition, challenges: list[Challenge]
) -> dict[tuple[int, int], tuple[Decimal, int]]:
    """{(challenge, team): (points, rank)} for the judged challenges, from the stored public
    points; empty while the judged points are not published (one query)."""
    if not edition.judged_points_published or not challenges:
        return {}
    rows: dict[int, list[tuple[Decimal, str, int]]] = {c.pk: [] for c in challenges}
    for challenge_id, team_id, points, name in TeamScore.objects.filter(
        challenge__in=challenges, judged_points__isnull=False
    ).values_list("challenge_id", "team_id", "public_points", "team__name"):
        rows[challenge_id].append((points, name, team_id))
    ranked = {}
    for challenge_id, totals in rows.items():
        points_of = {team_id: points for points, _name, team_id in totals}
        for position, team_id in rank(totals=totals):
            ranked[(challenge_id, team_id)] = (points_of[team_id], position)
    return ranked
