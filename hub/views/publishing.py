"""Organizers' page to publish the collected datasets and see what was published."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import ngettext

from accounts.decorators import organizer_required
from challenges.shortcuts import require_edition
from hub.models import PublishedDataset
from hub.publishing import PublishRefused, count_rows, publish_dataset


@organizer_required
def publications(request):
    """GET: the edition's publications and, per dataset, how many rows it would have now.
    POST: publish one dataset (``kind``), then back to the page with the outcome."""
    edition = require_edition(request)
    if request.method == "POST":
        try:
            published = publish_dataset(
                edition=edition, kind=request.POST.get("kind", ""), by=request.user
            )
        except PublishRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(
                request,
                ngettext(
                    "Published %(rows)s row of “%(dataset)s” to %(target)s.",
                    "Published %(rows)s rows of “%(dataset)s” to %(target)s.",
                    published.rows,
                )
                % {
                    "rows": published.rows,
                    "dataset": published.get_kind_display(),
                    "target": published.target,
                },
            )
        return redirect("hub:publications")
    page = Paginator(
        PublishedDataset.objects.filter(edition=edition).select_related("published_by__profile"),
        settings.PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    counts = count_rows(edition=edition)
    datasets = [
        {"kind": kind, "label": label, "rows": counts[kind]}
        for kind, label in PublishedDataset.Kind.choices
    ]
    return render(
        request,
        "hub/publications.html",
        {
            "edition": edition,
            "page": page,
            "datasets": datasets,
            "to_hub": bool(settings.HF_TOKEN),
            "hub_endpoint": settings.HF_ENDPOINT.rstrip("/"),
        },
    )
