"""Organizers' page to publish the collected datasets and follow what was published."""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.decorators import organizer_required
from challenges.intake import get_intake, publishable_kinds
from challenges.shortcuts import require_edition
from hackathon.background import send_in_background
from hub.models import PublishedDataset
from hub.publishing import (
    PublishRefused,
    card_language,
    count_rows_by_license,
    published_files,
    request_publication,
)
from hub.tasks import publish_dataset_task


@organizer_required
def publications(request):
    """GET: the edition's publications (queued and running ones refresh themselves) and, per
    dataset, how many rows it would have now, per licence. POST: queue one dataset (``kind``)
    for publishing with its card in the ``language`` chosen, then back to the page, which
    follows its progress."""
    edition = require_edition(request)
    if request.method == "POST":
        try:
            queued = request_publication(
                edition=edition,
                kind=request.POST.get("kind", ""),
                visibility=request.POST.get("visibility") or None,
                language=request.POST.get("language") or None,
                by=request.user,
                enqueue=partial(send_in_background, publish_dataset_task),
            )
        except PublishRefused as refusal:
            messages.error(request, refusal.message)
        else:
            _announce(request, queued)
        return redirect("hub:publications")
    publications = PublishedDataset.objects.filter(edition=edition).select_related(
        "published_by__profile"
    )
    page = Paginator(publications, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    for publication in page:
        publication.files = published_files(publication=publication)
    context = {
        "edition": edition,
        "page": page,
        "active": any(publication.is_active for publication in page),
        "hub_endpoint": settings.HF_ENDPOINT.rstrip("/"),
    }
    if request.htmx:
        return render(request, "hub/publications.html#publications", context)
    counts = count_rows_by_license(edition=edition)
    context["datasets"] = [
        {
            "kind": kind,
            "label": get_intake(kind).publication.label,
            "rows": sum(counts[kind].values()),
            "rows_by_license": counts[kind],
            "visibility": get_intake(kind).publication.default_visibility,
        }
        for kind in publishable_kinds()
    ]
    context["visibilities"] = PublishedDataset.Visibility.choices
    context["card_languages"] = settings.LANGUAGES
    context["card_language"] = card_language(None)
    context["to_hub"] = bool(settings.HF_TOKEN)
    return render(request, "hub/publications.html", context)


@organizer_required
def publication_file(request, pk: int, name: str):
    """Download one file of a dataset published to the server's folder."""
    publication = get_object_or_404(PublishedDataset, pk=pk, edition=require_edition(request))
    path = published_files(publication=publication).get(name)
    if path is None:
        raise Http404(_("This file is not available."))
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{publication.edition.slug}-{publication.kind}-{publication.pk}-{name}",
    )


def _announce(request, publication: PublishedDataset) -> None:
    """What became of the request: published already (no broker: the task ran in the request),
    failed, or on its way."""
    publication.refresh_from_db()
    if publication.status == PublishedDataset.Status.DONE and publication.unchanged:
        messages.info(
            request,
            _("“%(dataset)s” has not changed since its last publication: nothing was uploaded.")
            % {"dataset": publication.label},
        )
    elif publication.status == PublishedDataset.Status.DONE:
        messages.success(
            request,
            ngettext(
                "Published %(rows)s row of “%(dataset)s” to %(target)s.",
                "Published %(rows)s rows of “%(dataset)s” to %(target)s.",
                publication.rows,
            )
            % {
                "rows": publication.rows,
                "dataset": publication.label,
                "target": publication.target,
            },
        )
    elif publication.status == PublishedDataset.Status.FAILED:
        messages.error(request, publication.error)
    else:
        messages.success(
            request,
            _("“%(dataset)s” is being published; this page shows when it is done.")
            % {"dataset": publication.label},
        )
