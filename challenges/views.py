from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.decorators import organizer_required
from accounts.domain import build_checklist, has_consented
from challenges.context_processors import current_edition_of
from challenges.domain import get_window
from challenges.models import ChangeRecord, Edition
from teams.domain import get_membership
from teams.models import Membership, Team


def get_current_edition(request) -> Edition:
    edition = current_edition_of(request)
    if edition is None:
        raise Http404("No edition has been loaded yet.")
    return edition


def home(request):
    edition = current_edition_of(request)
    if edition is None:
        return render(request, "challenges/no_edition.html")
    now = timezone.now()
    cards = [
        {"challenge": challenge, "window": get_window(challenge=challenge, now=now)}
        for challenge in edition.challenges.all()
    ]
    checklist = None
    if request.user.is_authenticated:
        membership = get_membership(user=request.user, edition=edition)
        checklist = build_checklist(
            user=request.user,
            edition=edition,
            membership=membership,
            consented=has_consented(user=request.user, edition=edition),
        )
    total_max = sum((card["challenge"].max_points for card in cards), start=0)
    return render(
        request,
        "challenges/home.html",
        {"cards": cards, "checklist": checklist, "total_max": total_max, "now": now},
    )


def challenge_detail(request, slug: str):
    edition = get_current_edition(request)
    challenge = get_object_or_404(edition.challenges, slug=slug)
    return render(
        request,
        "challenges/challenge_detail.html",
        {"challenge": challenge, "window": get_window(challenge=challenge)},
    )


@organizer_required
def organize(request):
    """The organizers' overview of the edition: people, teams, and the record of changes."""
    edition = get_current_edition(request)
    changes = Paginator(
        ChangeRecord.objects.filter(edition=edition).select_related("changed_by"),
        settings.PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    stats = {
        "teams": Team.objects.filter(edition=edition).count(),
        "registered_teams": Team.objects.filter(
            edition=edition, registered_at__isnull=False
        ).count(),
        "people_in_teams": Membership.objects.filter(edition=edition).count(),
    }
    return render(request, "challenges/organize.html", {"changes": changes, "stats": stats})


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
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy; the type is reported
        return f"error: {type(error).__name__}"
    return "ok"
