"""Organizers' pages about the Hub sync: start one, watch its progress, read the last runs."""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import organizer_required
from challenges.shortcuts import require_edition
from hackathon.background import send_in_background
from hub.domain import SyncRefused, organization_for, start_sync
from hub.forms import StartSyncForm
from hub.models import HubRepo, LinkStatus, SyncRun
from hub.tasks import sync_hub_task


def _repo_counts(edition) -> dict:
    return HubRepo.objects.filter(edition=edition).aggregate(
        total=Count("pk", filter=Q(missing_since__isnull=True)),
        models=Count("pk", filter=Q(repo_type="model", missing_since__isnull=True)),
        datasets=Count("pk", filter=Q(repo_type="dataset", missing_since__isnull=True)),
        spaces=Count("pk", filter=Q(repo_type="space", missing_since__isnull=True)),
        missing=Count("pk", filter=Q(missing_since__isnull=False)),
        conflicts=Count("pk", filter=Q(link_status=LinkStatus.CONFLICT)),
        with_errors=Count("pk", filter=~Q(details_error="")),
    )


@organizer_required
def sync_overview(request):
    """The sync page: the running or last run with its progress, the start button, the
    repositories' counts and the last runs (paginated) with their counts and errors."""
    edition = require_edition(request)
    runs = SyncRun.objects.filter(edition=edition).select_related("requested_by")
    latest = runs.first()
    context = {
        "edition": edition,
        "organization": organization_for(edition=edition),
        "latest": latest,
        "form": StartSyncForm(),
    }
    if request.htmx:
        response = render(request, "hub/sync.html#progress", context)
        if request.GET.get("polling") and not (latest and latest.is_active):
            # The run the page was following has ended: the whole page again, so that its
            # counts and the last runs include it.
            response["HX-Refresh"] = "true"
        return response
    context |= {
        "runs": Paginator(runs, settings.PAGE_SIZE).get_page(request.GET.get("page")),
        "counts": _repo_counts(edition),
        "interval_minutes": settings.HUB_SYNC_INTERVAL_SECONDS // 60,
    }
    return render(request, "hub/sync.html", context)


@organizer_required
@require_POST
def start(request):
    """Queue a sync and come back at once to the sync page, which follows its progress; a
    second one while one is queued or running is refused with the reason."""
    edition = require_edition(request)
    form = StartSyncForm(request.POST)
    full = form.is_valid() and form.cleaned_data["full"]
    try:
        start_sync(
            edition=edition,
            by=request.user,
            full=full,
            enqueue=partial(send_in_background, sync_hub_task),
        )
    except SyncRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The sync has started; this page shows its progress."))
    return redirect("hub:sync")
