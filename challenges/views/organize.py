"""Organizers' pages shared by every challenge: overview, review queue, decisions, exports,
window extensions."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.decorators import organizer_required
from challenges.domain import (
    ContributionRefused,
    count_by_status,
    decide_contributions,
    extend_window,
    item_type_of,
    reject_possible_duplicates,
)
from challenges.domain.review import (
    decide_held_matching,
    filter_review_items,
    hold_matching_decision,
)
from challenges.exports import stream_csv, stream_jsonl
from challenges.forms import (
    DECISIONS,
    DecisionForm,
    ExtendWindowForm,
    HeldDecisionForm,
    MatchingDecisionForm,
    RejectDuplicatesForm,
    ReviewFilterForm,
)
from challenges.intake import REGISTRY
from challenges.models import ChangeRecord, ContributionStatus, ReviewDecision
from challenges.shortcuts import (
    announce_form_errors,
    get_challenge,
    get_collecting_challenge,
    require_edition,
)
from hub.personal_data import redact_export_rows
from scoring.domain import latest_recompute
from teams.models import Membership, Team

REVIEW_PAGE_SIZE = 50


@organizer_required
def organize(request):
    """The organizers' overview: people, teams, every challenge's queue, the change record."""
    edition = require_edition(request)
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
    queues = []
    for challenge in edition.challenges.all():
        intake = REGISTRY.get(challenge.kind)
        if intake is None:
            continue
        counts = count_by_status(model=intake.model, challenge=challenge)
        queues.append({"challenge": challenge, "counts": counts, "intake": intake})
    return render(
        request,
        "challenges/organize.html",
        {
            "changes": changes,
            "stats": stats,
            "queues": queues,
            "judged_challenges": edition.challenges.judged(),
            "recompute": latest_recompute(edition=edition),
        },
    )


def _review_filters(request, challenge, intake) -> ReviewFilterForm:
    """The queue's filters from the address; the status is "pending" unless one is given."""
    query = request.GET.copy()
    if "status" not in query:
        query["status"] = ContributionStatus.PENDING
    query.pop("page", None)
    return ReviewFilterForm(query, challenge=challenge, intake=intake)


def _with_authors(items, challenge, intake):
    """The queue's rows: the author's profile, the kind's related objects and the author's team
    in this edition, fetched with the items (no query per row)."""
    memberships = Membership.objects.filter(user=OuterRef("author"), edition=challenge.edition_id)
    return (
        items.select_related("author__profile", *intake.review_related)
        .annotate(
            team_name=Subquery(memberships.values("team__name")[:1]),
            team_id=Subquery(memberships.values("team_id")[:1]),
        )
        .order_by("created_at", "pk")
    )


@organizer_required
def review_queue(request, slug: str):
    challenge, intake = get_collecting_challenge(request, slug)
    form = _review_filters(request, challenge, intake)
    if form.is_valid():
        items = filter_review_items(intake=intake, challenge=challenge, filters=form.filters())
    else:
        # An unknown filter value lists nothing (rather than everything) and says why.
        items = intake.model.objects.none()
    page = Paginator(_with_authors(items, challenge, intake), REVIEW_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [
        (item, [column.value(item) for column in intake.review_columns])
        for item in page.object_list
    ]
    filters = form.data.urlencode()
    return render(
        request,
        "challenges/review_queue.html",
        {
            "challenge": challenge,
            "intake": intake,
            "form": form,
            "page": page,
            "rows": rows,
            "filters": filters,
            "decision_form": DecisionForm(),
            "duplicates_form": RejectDuplicatesForm(prefix="duplicates")
            if intake.marks_possible_duplicates
            else None,
        },
        status=200 if form.is_valid() else 400,
    )


@organizer_required
@require_POST
def decide(request, slug: str):
    challenge, intake = get_collecting_challenge(request, slug)
    form = DecisionForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("challenges:review", args=[slug])
    if not form.is_valid():
        announce_form_errors(request, form)
        return redirect(back)
    try:
        changed = decide_contributions(
            model=intake.model,
            challenge=challenge,
            ids=form.cleaned_data["ids"],
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except ContributionRefused as error:
        messages.error(request, error.message)
    else:
        skipped = len(form.cleaned_data["ids"]) - changed
        message = _("%(changed)s items changed.") % {"changed": changed}
        if skipped:
            message += " " + _(
                "%(skipped)s were already decided that way or cannot take this decision."
            ) % {"skipped": skipped}
        messages.success(request, message)
    return redirect(back)


@organizer_required
@require_POST
def decide_matching(request, slug: str):
    """Asks to take one decision on every item the queue's filters (in the address) match:
    the confirmation page names how many, and nothing is decided yet."""
    challenge, intake = get_collecting_challenge(request, slug)
    filters = _review_filters(request, challenge, intake)
    back = f"{reverse('challenges:review', args=[slug])}?{filters.data.urlencode()}"
    form = MatchingDecisionForm(request.POST)
    if not filters.is_valid():
        announce_form_errors(request, filters)
        return redirect(back)
    if not form.is_valid():
        announce_form_errors(request, form)
        return redirect(back)
    try:
        held = hold_matching_decision(
            intake=intake,
            challenge=challenge,
            filters=filters.filters(),
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
            by=request.user,
            query=filters.data.urlencode(),
        )
    except ContributionRefused as error:
        messages.error(request, error.message)
        return redirect(back)
    return render(
        request,
        "challenges/decide_matching.html",
        {
            "challenge": challenge,
            "held": held,
            "decision": dict(DECISIONS).get(held.status, held.status),
            "form": HeldDecisionForm(initial={"token": held.token}),
            "back": back,
        },
    )


@organizer_required
@require_POST
def confirm_matching(request, slug: str):
    """Takes the confirmed decision on the items counted, the filters applied again."""
    challenge, intake = get_collecting_challenge(request, slug)
    form = HeldDecisionForm(request.POST)
    queue = reverse("challenges:review", args=[slug])
    if not form.is_valid():
        announce_form_errors(request, form)
        return redirect(queue)
    try:
        outcome = decide_held_matching(
            intake=intake, challenge=challenge, token=form.cleaned_data["token"], by=request.user
        )
    except ContributionRefused as error:
        messages.error(request, error.message)
        return redirect(queue)
    message = ngettext("%(count)s item decided.", "%(count)s items decided.", outcome.decided) % {
        "count": outcome.decided
    }
    if outcome.skipped:
        message += " " + ngettext(
            "%(count)s was skipped: it was decided or changed meanwhile.",
            "%(count)s were skipped: they were decided or changed meanwhile.",
            outcome.skipped,
        ) % {"count": outcome.skipped}
    messages.success(request, message)
    return redirect(f"{queue}?{outcome.query}" if outcome.query else queue)


@organizer_required
@require_POST
def reject_duplicates(request, slug: str):
    """Every pending item marked as a possible duplicate, rejected with the reason given."""
    challenge, intake = get_collecting_challenge(request, slug)
    if not intake.marks_possible_duplicates:
        raise Http404
    form = RejectDuplicatesForm(request.POST, prefix="duplicates")
    if not form.is_valid():
        announce_form_errors(request, form)
        return redirect("challenges:review", slug=slug)
    try:
        changed = reject_possible_duplicates(
            model=intake.model,
            challenge=challenge,
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ContributionRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s possible duplicate rejected.",
                "%(count)s possible duplicates rejected.",
                changed,
            )
            % {"count": changed},
        )
    return redirect("challenges:review", slug=slug)


@organizer_required
def decisions(request, slug: str):
    """Every decision taken on the challenge's contributions, newest first, each linked to its
    item in the queue, its author's items and their team."""
    challenge, intake = get_collecting_challenge(request, slug)
    page = Paginator(
        ReviewDecision.objects.filter(challenge=challenge).select_related("decided_by__profile"),
        REVIEW_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    item_type = item_type_of(intake.model)
    shown = [d.item_id for d in page.object_list if d.item_type == item_type]
    items = {
        item.pk: item
        for item in _with_authors(
            intake.model.objects.filter(challenge=challenge, pk__in=shown), challenge, intake
        )
    }
    rows = [
        (decision, items.get(decision.item_id) if decision.item_type == item_type else None)
        for decision in page.object_list
    ]
    return render(
        request,
        "challenges/decisions.html",
        {"challenge": challenge, "page": page, "rows": rows, "item_type": item_type},
    )


@organizer_required
def export(request, slug: str, file_format: str):
    if file_format not in ("csv", "jsonl"):
        raise Http404
    challenge, intake = get_collecting_challenge(request, slug)
    filename = f"{challenge.edition.slug}-{challenge.slug}"
    stream = stream_csv if file_format == "csv" else stream_jsonl
    rows = redact_export_rows(
        edition=challenge.edition, kind=str(intake.kind), rows=intake.export_rows(challenge)
    )
    return stream(filename=filename, fields=intake.export_fields, rows=rows)


@organizer_required
def extend(request, slug: str):
    challenge = get_challenge(request, slug)
    form = ExtendWindowForm(request.POST or None, challenge=challenge)
    if request.method == "POST" and form.is_valid():
        try:
            extend_window(
                challenge=challenge,
                closes_at=form.cleaned_data["closes_at"],
                reason=form.cleaned_data["reason"],
                team=form.cleaned_data["team"],
                by=request.user,
            )
        except ContributionRefused as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The window was extended."))
            return redirect("challenges:extend", slug=slug)
    extensions = challenge.extensions.select_related("team", "created_by")[:50]
    return render(
        request,
        "challenges/extend.html",
        {"challenge": challenge, "form": form, "extensions": extensions},
        status=400 if form.errors else 200,
    )
