from __future__ import annotations

import redis
from django.conf import settings
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.domain import build_checklist, has_consented
from announcements.domain import list_announcements, render_markdown
from challenges.domain import list_team_windows
from challenges.domain.awards import list_awards
from challenges.domain.progress import build_progress
from challenges.intake import get_intake
from challenges.shortcuts import require_edition
from teams.domain import get_membership
from teams.models import Membership

# The newest announcements the home page shows (the others are at /announcements/).
HOME_ANNOUNCEMENTS = 3


def home(request):
    edition = request.edition
    if not edition:
        return render(request, "challenges/no_edition.html")
    now = timezone.now()
    membership = (
        get_membership(user=request.user, edition=edition)
        if request.user.is_authenticated
        else None
    )
    challenges = list(edition.challenges.all())
    # A team's own extension shows on its home page: the window closes later for it.
    windows = list_team_windows(
        challenges=challenges, team_id=membership.team_id if membership else None, now=now
    )
    cards = [{"challenge": challenge, "window": windows[challenge.pk]} for challenge in challenges]
    checklist = None
    if request.user.is_authenticated:
        checklist = build_checklist(
            user=request.user,
            edition=edition,
            membership=membership,
            consented=has_consented(user=request.user, edition=edition),
        )
    total_max = sum((card["challenge"].max_points for card in cards), start=0)
    announcements = list(list_announcements(edition=edition, now=now)[:HOME_ANNOUNCEMENTS])
    for announcement in announcements:
        announcement.html = render_markdown(announcement.body)
    return render(
        request,
        "challenges/home.html",
        {
            "cards": cards,
            "checklist": checklist,
            "total_max": total_max,
            "now": now,
            "announcements": announcements,
        },
    )


def challenge_detail(request, slug: str):
    edition = require_edition(request)
    challenge = get_object_or_404(edition.challenges, slug=slug)
    membership = (
        get_membership(user=request.user, edition=edition)
        if request.user.is_authenticated
        else None
    )
    team_id = membership.team_id if membership else None
    context = {
        "challenge": challenge,
        "window": list_team_windows(challenges=[challenge], team_id=team_id)[challenge.pk],
        "intake": get_intake(challenge.kind),
        "guides": list(challenge.guides.all()),
        "awards": list_awards(edition=edition, challenge=challenge),
    }
    if request.user.is_authenticated and context["intake"] is not None:
        context["mine"] = build_progress(challenge=challenge, author_ids=[request.user.pk])
        if membership is not None:
            member_ids = list(
                Membership.objects.filter(team_id=membership.team_id).values_list(
                    "user_id", flat=True
                )
            )
            context["team"] = membership.team
            context["ours"] = build_progress(challenge=challenge, author_ids=member_ids)
    return render(request, "challenges/challenge_detail.html", context)


@require_GET
def switch_language(request, code: str):
    """Links, not a form, switch the language: the choice only changes how pages read, and
    pages without forms can then be cached and shared by every anonymous visitor."""
    if code not in dict(settings.LANGUAGES):
        raise Http404
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@require_GET
def robots_txt(request):
    """Crawlers may read the public pages; account and organizer pages are not for them."""
    lines = [
        "User-agent: *",
        "Disallow: /accounts/",
        "Disallow: /admin/",
        "Disallow: /organize/",
        "Disallow: /join/",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_GET
@never_cache
def healthz(request):
    """Liveness for load balancers: the database, and the broker when one is configured."""
    checks = {"database": _check_database()}
    if settings.REDIS_URL:
        checks["broker"] = _check_redis(settings.REDIS_URL)
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy; the type is reported
        return f"error: {type(error).__name__}"
    return "ok"


def _check_redis(url: str) -> str:
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy; the type is reported
        return f"error: {type(error).__name__}"
    return "ok"
