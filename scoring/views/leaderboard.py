from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.dateparse import parse_datetime
from django_countries import countries as country_names

from challenges.exports import stream_csv
from challenges.views import get_current_edition
from scoring.leaderboard import get_rows


def _filtered(request, rows: list[dict]) -> tuple[list[dict], str, str]:
    country = request.GET.get("country", "").upper()[:2]
    track = request.GET.get("track", "").upper()[:1]
    if country:
        rows = [row for row in rows if country in row["countries"]]
    if track in ("A", "B"):
        rows = [row for row in rows if row["track"] == track]
    return rows, country, track


def leaderboard(request):
    """The public leaderboard: no login; refreshes itself while open (htmx)."""
    edition = get_current_edition(request)
    data = get_rows(edition=edition)
    challenges = list(edition.challenges.all())
    rows, country, track = _filtered(request, data["rows"])
    present = sorted({code for row in data["rows"] for code in row["countries"]})
    scale = max([float(challenge.max_points) for challenge in challenges] + [0]) or 1
    total_scale = float(sum(challenge.max_points for challenge in challenges)) or 1
    for row in rows:
        row["cells"] = [row["challenges"][challenge.slug] for challenge in challenges]
        row["bars"] = [
            (challenge, float(row["challenges"][challenge.slug]["points"]) * 100 / total_scale)
            for challenge in challenges
        ]
    context = {
        "rows": rows,
        "challenges": challenges,
        "country": country,
        "track": track,
        "countries": [(code, country_names.name(code)) for code in present],
        "updated_at": parse_datetime(data["updated_at"]) if data["updated_at"] else None,
        "scale": scale,
    }
    template = (
        "scoring/leaderboard.html#board"
        if request.headers.get("HX-Request")
        else "scoring/leaderboard.html"
    )
    return render(request, template, context)


def leaderboard_json(request):
    edition = get_current_edition(request)
    data = get_rows(edition=edition)
    rows, _country, _track = _filtered(request, data["rows"])
    payload = {
        "edition": edition.slug,
        "updated_at": data["updated_at"],
        "judged_points_published": edition.judged_points_published,
        "max_total_points": format(edition.max_total_points.normalize(), "f"),
        "challenges": [
            {"slug": c.slug, "title": c.title, "max_points": format(c.max_points.normalize(), "f")}
            for c in edition.challenges.all()
        ],
        "rows": rows,
    }
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})


def leaderboard_csv(request) -> HttpResponse:
    edition = get_current_edition(request)
    data = get_rows(edition=edition)
    rows, _country, _track = _filtered(request, data["rows"])
    slugs = list(edition.challenges.values_list("slug", flat=True))
    fields = ["rank", "team", "countries", "track"]
    for slug in slugs:
        fields += [f"{slug}_count", f"{slug}_points"]
    fields += ["total", "sum"]

    def flat():
        for row in rows:
            line = {
                "rank": row["rank"],
                "team": row["team"],
                "countries": " ".join(row["countries"]),
                "track": row["track"],
            }
            for slug in slugs:
                line[f"{slug}_count"] = row["challenges"][slug]["count"]
                line[f"{slug}_points"] = row["challenges"][slug]["points"]
            line["total"], line["sum"] = row["total"], row["sum"]
            yield line

    return stream_csv(filename=f"{edition.slug}-leaderboard", fields=fields, rows=flat())
