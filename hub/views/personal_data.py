"""Organizers' page of what looks like personal data in the datasets about to be published:
scan, and decide about each match (redact it, exclude its row, keep it)."""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext

from accounts.decorators import organizer_required
from challenges.intake import get_intake
from challenges.provenance import row_id
from challenges.shortcuts import require_edition
from hackathon.background import send_in_background
from hackathon.errors import RuleRefused
from hub.models import PersonalDataHit
from hub.personal_data import decide_hits, latest_scan, mask, request_scan
from hub.tasks import scan_personal_data_task

DECISIONS = [
    PersonalDataHit.Decision.REDACT,
    PersonalDataHit.Decision.EXCLUDE,
    PersonalDataHit.Decision.KEEP,
    PersonalDataHit.Decision.PENDING,
]


@organizer_required
def personal_data(request):
    """GET: the edition's hits (filtered by decision), paginated, each with its row, field and
    the match masked, and the latest scan (an htmx partial polled every 2 s while it runs).
    POST ``scan``: queue a scan of every dataset (a Celery task); POST ``decision`` with
    ``hit`` ids: decide them (one or many)."""
    edition = require_edition(request)
    if request.method == "POST":
        if "scan" in request.POST:
            request_scan(
                edition=edition,
                by=request.user,
                enqueue=partial(send_in_background, scan_personal_data_task),
            )
        else:
            try:
                decided = decide_hits(
                    edition=edition,
                    ids=[pk for pk in request.POST.getlist("hit") if pk.isdigit()],
                    decision=request.POST.get("decision", ""),
                    by=request.user,
                )
            except RuleRefused as refusal:
                messages.error(request, refusal.message)
            else:
                messages.success(
                    request,
                    ngettext("%(count)s match decided.", "%(count)s matches decided.", decided)
                    % {"count": decided},
                )
        return redirect(request.get_full_path())
    scan = latest_scan(edition=edition)
    if request.htmx:
        if scan is None or not scan.is_active:
            # Finished: the whole page again, with the hits found and no more polling.
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return render(request, "hub/personal_data.html#scan", {"scan": scan})
    shown = request.GET.get("decision", "")
    hits = PersonalDataHit.objects.filter(edition=edition)
    if shown in PersonalDataHit.Decision.values:
        hits = hits.filter(decision=shown)
    page = Paginator(hits, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    for hit in page:
        intake = get_intake(hit.kind)
        hit.dataset = intake.publication.label if intake and intake.publication else hit.kind
        hit.row = row_id(edition_slug=edition.slug, kind=hit.kind, pk=hit.item_id)
        hit.masked = mask(hit.matched, hit.match_kind)
    context = {
        "edition": edition,
        "scan": scan,
        "page": page,
        "shown": shown,
        "filters": f"decision={shown}" if shown else "",
        "choices": PersonalDataHit.Decision.choices,
        "decisions": [(value, PersonalDataHit.Decision(value).label) for value in DECISIONS],
        "pending": PersonalDataHit.objects.filter(
            edition=edition, decision=PersonalDataHit.Decision.PENDING
        ).count(),
    }
    return render(request, "hub/personal_data.html", context)
