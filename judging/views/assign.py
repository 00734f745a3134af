"""Organizers: the judging dashboard (progress, reminders), and each challenge's assignment."""

from __future__ import annotations

import json
from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.decorators import organizer_required
from challenges.shortcuts import announce_form_errors, get_challenge, require_edition
from judging.domain.assigning import (
    AssignmentRefused,
    assign_by_hand,
    export_assignments,
    get_judging_settings,
    import_assignments,
    run_assignment,
    unassign,
    update_judging_settings,
)
from judging.domain.conflicts import ConflictRefused, declare_conflict
from judging.domain.progress import describe_progress, remind_late_judges
from judging.forms import HandAssignForm, ImportForm, RunForm, SettingsForm
from judging.models import Assignment, EditionJudge
from scoring.models import JudgeReview
from teams.models import Team

JUDGED_RULES = ("judged", "steps_plus_judged")


def judged_challenges(edition):
    """The challenges with a judged part, whether or not their rubric exists yet."""
    return [c for c in edition.challenges.all() if c.scoring.get("rule") in JUDGED_RULES]


@organizer_required
def dashboard(request):
    """Every judged challenge (rubric, assignment, results) and the progress per challenge and
    per judge, with reminders for the late ones."""
    edition = require_edition(request)
    challenges, judges = describe_progress(edition=edition)
    return render(
        request,
        "judging/dashboard.html",
        {
            "judged": judged_challenges(edition),
            "challenges": challenges,
            "judges": judges,
        },
    )


@organizer_required
@require_POST
def remind(request):
    edition = require_edition(request)
    only = [int(pk) for pk in request.POST.getlist("judge") if pk.isdigit()] or None
    count = remind_late_judges(edition=edition, link=reverse("judging:home"), only=only)
    messages.success(
        request,
        ngettext("%(count)s judge was reminded.", "%(count)s judges were reminded.", count)
        % {"count": count},
    )
    return redirect("judging:dashboard")


@organizer_required
def assignment(request, slug: str):
    """A challenge's settings, the automatic assignment, and each team's judges."""
    challenge = get_challenge(request, slug)
    current = get_judging_settings(challenge=challenge)
    form = SettingsForm(
        request.POST or None,
        initial={
            "per_team": current.per_team,
            "blind": current.blind,
            "same_country_conflict": current.same_country_conflict,
        },
    )
    if request.method == "POST" and form.is_valid():
        update_judging_settings(challenge=challenge, **form.cleaned_data)
        messages.success(request, _("The judging settings were saved."))
        return redirect("judging:assignment", slug=slug)
    page = Paginator(
        Team.objects.filter(edition_id=challenge.edition_id)
        .only("pk", "name")
        .order_by("name", "pk"),
        settings.PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    panels = defaultdict(list)
    for assigned in (
        Assignment.objects.filter(challenge=challenge, team_id__in=[t.pk for t in page])
        .select_related("judge__profile")
        .order_by("judge__email")
    ):
        panels[assigned.team_id].append(assigned)
    submitted = set(
        JudgeReview.objects.filter(
            challenge=challenge, team_id__in=[t.pk for t in page], submitted_at__isnull=False
        ).values_list("team_id", "judge_id")
    )
    rows = [
        {
            "team": team,
            "judges": [(a, (team.pk, a.judge_id) in submitted) for a in panels.get(team.pk, [])],
        }
        for team in page
    ]
    seats = list(
        EditionJudge.objects.filter(edition_id=challenge.edition_id)
        .select_related("user__profile")
        .order_by("user__email")
    )
    return render(
        request,
        "judging/assignment.html",
        {
            "challenge": challenge,
            "form": form,
            "run_form": RunForm(),
            "import_form": ImportForm(),
            "rows": rows,
            "page": page,
            "seats": seats,
            "summary": json.loads(
                request.session.pop(f"assignment-summary-{challenge.pk}", "null")
            ),
        },
        status=400 if form.errors else 200,
    )


@organizer_required
@require_POST
def run(request, slug: str):
    challenge = get_challenge(request, slug)
    form = RunForm(request.POST)
    if not form.is_valid():
        announce_form_errors(request, form)
        return redirect("judging:assignment", slug=slug)
    try:
        summary = run_assignment(challenge=challenge, seed=form.cleaned_data["seed"] or 0)
    except AssignmentRefused as error:
        messages.error(request, error.message)
    else:
        request.session[f"assignment-summary-{challenge.pk}"] = json.dumps(summary)
        messages.success(
            request,
            _("Judges assigned: loads from %(min)s to %(max)s teams.")
            % {"min": summary["min_load"], "max": summary["max_load"]},
        )
    return redirect("judging:assignment", slug=slug)


@organizer_required
@require_POST
def hand(request, slug: str):
    """Add a judge to one team by hand, take them away (``remove``), or declare that they have
    a conflict of interest with it (``conflict``: never assigned to it again)."""
    challenge = get_challenge(request, slug)
    form = HandAssignForm(request.POST)
    if not form.is_valid():
        announce_form_errors(request, form)
        return redirect("judging:assignment", slug=slug)
    team = get_object_or_404(Team, pk=form.cleaned_data["team"], edition_id=challenge.edition_id)
    judge = get_object_or_404(get_user_model(), pk=form.cleaned_data["judge"])
    try:
        if request.POST.get("remove"):
            unassign(challenge=challenge, team=team, judge=judge)
        elif request.POST.get("conflict"):
            declare_conflict(
                edition=challenge.edition, judge=judge, team=team,
                reason=_("declared by the organizers"), by=request.user,
            )  # fmt: skip
        else:
            assign_by_hand(challenge=challenge, team=team, judge=judge)
    except (AssignmentRefused, ConflictRefused) as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The assignment was saved."))
    return redirect("judging:assignment", slug=slug)


@organizer_required
def export_csv(request, slug: str):
    challenge = get_challenge(request, slug)
    response = HttpResponse(
        export_assignments(challenge=challenge), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="assignments-{challenge.slug}.csv"'
    return response


@organizer_required
@require_POST
def import_csv(request, slug: str):
    challenge = get_challenge(request, slug)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        announce_form_errors(request, form)
        return redirect("judging:assignment", slug=slug)
    try:
        count = import_assignments(challenge=challenge, text=form.cleaned_data["file"])
    except AssignmentRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            ngettext(
                "The file was imported: %(count)s assignment.",
                "The file was imported: %(count)s assignments.",
                count,
            )
            % {"count": count},
        )
    return redirect("judging:assignment", slug=slug)
