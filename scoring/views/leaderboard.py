from __future__ import annotations

import json
import zlib
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.http import HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django_countries import countries as country_names

from challenges.exports import stream_csv
from challenges.shortcuts import require_edition
from scoring.domain import (
    get_shared_page,
    get_shared_page_gzip,
    keep_shared_page,
    leaderboard_version,
)
from scoring.leaderboard import get_rows

PAGE_SIZE = 100


def _filters(request) -> tuple[str, str]:
    """The country (ISO code) and track (A or B) the visitor filters by; empty for all."""
    return request.GET.get("country", "").upper()[:2], request.GET.get("track", "").upper()[:1]


def _filtered(rows: list[dict], *, country: str, track: str) -> list[dict]:
    if country:
        rows = [row for row in rows if country in row["countries"]]
    if track in ("A", "B"):
        rows = [row for row in rows if row["track"] == track]
    return rows


def _page_of(rows: list[dict], *, country: str, track: str, page_number: str) -> Page:
    """One page of the filtered rows; a page out of range gives the last, a bad one the first."""
    return Paginator(_filtered(rows, country=country, track=track), PAGE_SIZE).get_page(page_number)


HTML_CACHE_SECONDS = 3600


def _entity_tag(*, variant: str, version: int, gzipped: bool) -> str:
    """The ETag of a shared page: its variant and the version it was built at, and its
    encoding (gzip and plain are two representations). The same in every process."""
    return f'"lb-{version}-{zlib.crc32(variant.encode()):08x}{"-gz" if gzipped else ""}"'


def _accepts_gzip(request) -> bool:
    # From META, as below: request.headers would first copy every header of the request.
    return "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "")


SHARED_VARY = ("Accept-Encoding", "HX-Request")
# The whole page is the one everyone gets only while signed out with no message waiting.
SHARED_PAGE_VARY = (*SHARED_VARY, "Cookie")


def _headers(response: HttpResponse, *, etag: str, vary: tuple[str, ...]) -> HttpResponse:
    response["ETag"] = etag
    # Browsers (and htmx's refresh, through them) ask again each time with If-None-Match. The
    # response is new: its headers are set outright (patch_* would first parse what is there).
    response["Cache-Control"] = "no-cache"
    response["Vary"] = ", ".join(vary)
    return response


def _is_shared_visit(request) -> bool:
    """Whether the visitor gets the whole page everyone gets: signed out, no message waiting.
    Without a session cookie or a messages cookie neither can be otherwise, so neither is
    loaded (most visitors at the announcement); with one of them, both are read."""
    if not request.COOKIES.keys() & {settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name}:
        return True
    return not request.user.is_authenticated and not len(messages.get_messages(request))


def _not_modified(
    request, *, variant: str, version: int, vary: tuple[str, ...] = SHARED_VARY
) -> HttpResponse | None:
    """304 when the client holds this page at the current version (its If-None-Match): the
    page's own refresh every 30 s then costs no body at all while no score changed."""
    etag = _entity_tag(variant=variant, version=version, gzipped=_accepts_gzip(request))
    asked = request.META.get("HTTP_IF_NONE_MATCH", "")
    if asked and (asked.strip() == "*" or etag in [tag.strip() for tag in asked.split(",")]):
        return _headers(HttpResponseNotModified(), etag=etag, vary=vary)
    return None


def _shared_response(
    request,
    *,
    variant: str,
    version: int,
    body: bytes,
    content_type: str,
    vary: tuple[str, ...] = SHARED_VARY,
) -> HttpResponse:
    """A page served to everyone alike: gzipped (once per version) for clients that accept it,
    with its ETag."""
    accepts_gzip = _accepts_gzip(request)
    if accepts_gzip:
        body = get_shared_page_gzip(variant=variant, version=version, body=body)
    response = HttpResponse(body, content_type=content_type)
    if accepts_gzip:
        response["Content-Encoding"] = "gzip"
    return _headers(
        response,
        etag=_entity_tag(variant=variant, version=version, gzipped=accepts_gzip),
        vary=vary,
    )


def leaderboard(request):
    """The public leaderboard: no login; refreshes itself while open (htmx).

    The table is rendered once per scores version, language, filter and page and then served
    from the cache; anonymous visitors get the whole page from the cache in one round trip, so
    it stays fast when thousands open it at the announcement, and never stale after a change.
    """
    country, track = _filters(request)
    page_number = request.GET.get("page", "1")[:6]
    # The table alone (htmx's refresh) is the same for everyone; the whole page for anonymous
    # visitors without a message to show.
    table_alone = request.META.get("HTTP_HX_REQUEST") == "true"  # what request.htmx reads
    shareable = table_alone or _is_shared_visit(request)
    vary = SHARED_VARY if table_alone else SHARED_PAGE_VARY
    variant = ":".join(
        ["html", get_language() or "", country, track, page_number, str(table_alone)]
    )
    if shareable:
        shared_version, body = get_shared_page(variant=variant)
        unchanged = _not_modified(request, variant=variant, version=shared_version, vary=vary)
        if unchanged is not None:
            return unchanged
        if body is not None:
            return _shared_response(
                request,
                variant=variant,
                version=shared_version,
                body=body,
                content_type="text/html; charset=utf-8",
                vary=vary,
            )
    edition = require_edition(request)
    version = leaderboard_version(edition_id=edition.pk)
    key = ":".join(
        [
            "leaderboard-html",
            str(edition.pk),
            str(version),
            str(edition.judged_points_published),
            get_language() or "",
            country,
            track,
            page_number,
        ]
    )
    data = get_rows(edition=edition)
    board = cache.get(key)
    if board is None:
        board = render_board(
            request,
            edition=edition,
            data=data,
            country=country,
            track=track,
            page_number=page_number,
        )
        cache.set(key, board, HTML_CACHE_SECONDS)
    if table_alone:
        body = board.encode("utf-8")
        keep_shared_page(variant=variant, version=shared_version, body=body)
        return _shared_response(
            request,
            variant=variant,
            version=shared_version,
            body=body,
            content_type="text/html; charset=utf-8",
        )
    context = {
        # Rendered from our own template (escaped there); the cache keeps it as text.
        "board": mark_safe(board),  # noqa: S308 - our template's output, not user input
        "country": country,
        "track": track,
        "countries": [(code, country_names.name(code)) for code in data["countries"]],
    }
    response = render(request, "scoring/leaderboard.html", context)
    if shareable:
        keep_shared_page(variant=variant, version=shared_version, body=response.content)
        return _shared_response(
            request,
            variant=variant,
            version=shared_version,
            body=response.content,
            content_type="text/html; charset=utf-8",
            vary=vary,
        )
    patch_vary_headers(response, ["HX-Request"])
    return response


def render_board(
    request, *, edition, data: dict, country: str, track: str, page_number: str
) -> str:
    challenges = list(edition.challenges.all())
    page = _page_of(data["rows"], country=country, track=track, page_number=page_number)
    total_scale = float(sum(challenge.max_points for challenge in challenges)) or 1
    for row in page.object_list:
        row["cells"] = [row["challenges"][challenge.slug] for challenge in challenges]
        row["bars"] = [
            (challenge, float(row["challenges"][challenge.slug]["points"]) * 100 / total_scale)
            for challenge in challenges
        ]
    filters = {"country": country, "track": track}
    context = {
        "page": page,
        "rows": page.object_list,
        "challenges": challenges,
        "updated_at": parse_datetime(data["updated_at"]) if data["updated_at"] else None,
        "filters": urlencode({name: value for name, value in filters.items() if value}),
        "edition": edition,
        "request": request,
    }
    return render_to_string("scoring/_board.html", context, request=request)


def _page_link(*, path: str, country: str, track: str, number: int) -> str:
    query = {"country": country, "track": track, "page": number}
    return path + "?" + urlencode({name: value for name, value in query.items() if value})


def leaderboard_json(request):
    """The leaderboard's rows as JSON, the same for everyone, a page of ``PAGE_SIZE`` teams at a
    time like the HTML table (``count``, ``pages``, ``next``, ``previous``; the CSV gives every
    row at once). Serialized once per scores version, filter and page, then served from memory
    after one version round trip. Pages keep each answer small whatever the number of teams."""
    country, track = _filters(request)
    page_number = request.GET.get("page", "1")[:6]
    variant = ":".join(["json", get_language() or "", country, track, page_number])
    shared_version, body = get_shared_page(variant=variant)
    unchanged = _not_modified(request, variant=variant, version=shared_version)
    if unchanged is not None:
        return unchanged
    if body is None:
        edition = require_edition(request)
        data = get_rows(edition=edition)
        page = _page_of(data["rows"], country=country, track=track, page_number=page_number)
        payload = {
            "edition": edition.slug,
            "updated_at": data["updated_at"],
            "judged_points_published": edition.judged_points_published,
            "max_total_points": format(edition.max_total_points.normalize(), "f"),
            "challenges": [
                {
                    "slug": c.slug,
                    "title": c.title,
                    "max_points": format(c.max_points.normalize(), "f"),
                }
                for c in edition.challenges.all()
            ],
            "count": page.paginator.count,
            "page": page.number,
            "pages": page.paginator.num_pages,
            "next": _page_link(
                path=request.path, country=country, track=track, number=page.next_page_number()
            )
            if page.has_next()
            else None,
            "previous": _page_link(
                path=request.path, country=country, track=track, number=page.previous_page_number()
            )
            if page.has_previous()
            else None,
            "rows": page.object_list,
        }
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        keep_shared_page(variant=variant, version=shared_version, body=body)
    return _shared_response(
        request, variant=variant, version=shared_version, body=body, content_type="application/json"
    )


def leaderboard_csv(request) -> HttpResponse:
    edition = require_edition(request)
    country, track = _filters(request)
    rows = _filtered(get_rows(edition=edition)["rows"], country=country, track=track)
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
