"""The public project gallery, ``/projects/``."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django_countries import countries as all_countries

from accounts.roles import is_judge, is_organizer
from challenges.shortcuts import require_edition
from judging.domain.gallery import gallery_teams, rank_judged
from teams.models import Team


def _countries_present(edition) -> list[tuple[str, str]]:
    """The countries the gallery's teams represent, for the filter (one query)."""
    codes = set()
    for value in gallery_teams(edition=edition).values_list("countries", flat=True):
        parts = value.split(",") if isinstance(value, str) else [str(c) for c in value or []]
        codes.update(code for code in parts if code)
    return sorted(((code, all_countries.name(code)) for code in codes), key=lambda item: item[1])


def gallery(request):
    """Every team's project: track, demo, video, models and datasets, the paper (an uploaded
    PDF only for judges and organizers; a public link for everyone), filterable by track and
    country; with the points and rank per judged challenge once published."""
    edition = require_edition(request)
    track = request.GET.get("track", "")
    track = track if track in Team.Track.values else ""
    country = request.GET.get("country", "")[:2]
    page = Paginator(
        gallery_teams(edition=edition, track=track, country=country), settings.PAGE_SIZE
    ).get_page(request.GET.get("page"))
    challenges = list(edition.challenges.judged())
    ranked = rank_judged(edition=edition, challenges=challenges)
    rows = [
        {
            "team": team,
            "project": team.project,
            "results": [
                (challenge, ranked[(challenge.pk, team.pk)])
                for challenge in challenges
                if (challenge.pk, team.pk) in ranked
            ],
        }
        for team in page
    ]
    staff = request.user.is_authenticated and (is_judge(request.user) or is_organizer(request.user))
    filters = urlencode({k: v for k, v in (("track", track), ("country", country)) if v})
    return render(
        request,
        "judging/gallery.html",
        {
            "rows": rows,
            "page": page,
            "tracks": Team.Track.choices,
            "track": track,
            "country": country,
            "countries": _countries_present(edition),
            "filters": filters,
            "can_see_papers": staff,
        },
    )
