"""The public leaderboard's rows: computed from stored scores, cached until scores change."""

from __future__ import annotations

from decimal import Decimal

from django.core.cache import cache

from challenges.models import Edition
from scoring.disclosure import public_scores
from scoring.domain import leaderboard_version
from scoring.rules import rank, team_total
from teams.models import Team

CACHE_SECONDS = 24 * 3600


def _decimal(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"


def build_rows(*, edition: Edition) -> dict:
    """Every team with its public points per challenge, the uncapped sum and the capped total,
    ranked (equal totals share a rank). Three queries whatever the number of teams."""
    challenges = list(edition.challenges.values_list("pk", "slug"))
    slug_of = dict(challenges)
    teams = list(
        Team.objects.filter(edition=edition).values_list("pk", "name", "countries", "track")
    )
    scores: dict[int, dict[str, tuple[int, Decimal]]] = {team_id: {} for team_id, *_rest in teams}
    updated = None
    for team_id, challenge_id, counted, points, changed_at in public_scores(edition=edition):
        if team_id in scores:
            scores[team_id][slug_of[challenge_id]] = (counted, points)
        updated = changed_at if updated is None or changed_at > updated else updated
    totals = {}
    for team_id, *_details in teams:
        totals[team_id] = team_total(
            points=[points for _counted, points in scores[team_id].values()],
            cap=edition.max_total_points,
        )
    ranking = rank(totals=[(totals[team_id][1], name, team_id) for team_id, name, *_rest in teams])
    by_id = {team_id: (name, countries, track) for team_id, name, countries, track in teams}
    rows = []
    for position, team_id in ranking:
        name, countries, track = by_id[team_id]
        uncapped, capped = totals[team_id]
        rows.append(
            {
                "rank": position,
                "team_id": team_id,
                "team": name,
                "countries": list(countries)
                if isinstance(countries, list)
                else [c for c in (countries or "").split(",") if c],
                "track": track or "",
                "challenges": {
                    slug: {
                        "count": scores[team_id].get(slug, (0, Decimal(0)))[0],
                        "points": _decimal(scores[team_id].get(slug, (0, Decimal(0)))[1]),
                    }
                    for _pk, slug in challenges
                },  # fmt: skip
                "total": _decimal(capped),
                "sum": _decimal(uncapped),
            }
        )
    return {
        "rows": rows,
        "updated_at": updated.isoformat() if updated else None,
        "countries": sorted({code for row in rows for code in row["countries"]}),
    }


def get_rows(*, edition: Edition) -> dict:
    """The rows from the cache; a score change bumps the version, so they are never stale."""
    key = f"leaderboard:{edition.pk}:{leaderboard_version(edition_id=edition.pk)}:{edition.judged_points_published}"
    data = cache.get(key)
    if data is None:
        data = build_rows(edition=edition)
        cache.set(key, data, CACHE_SECONDS)
    return data
