"""Judges mark projects; organizers see the spread between judges and may override."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import organizer_required
from challenges.projects.models import ProjectSubmission
from challenges.shortcuts import announce_form_errors, require_edition
from hub.models import HubRepo
from scoring.domain import (
    JudgingRefused,
    collect_judge_fractions,
    override_judged_points,
    publish_judged_points,
    submit_review,
)
from scoring.forms import OverrideForm, ReviewForm
from scoring.models import Criterion, CriterionMark, JudgedOverride, JudgeReview
from scoring.permissions import judge_required
from teams.models import Membership, Team


@judge_required
def judging_home(request):
    """Every judged challenge and team, with what this judge already marked; never their team."""
    edition = require_edition(request)
    challenges = list(edition.challenges.judged())
    own_team = (
        Membership.objects.filter(user=request.user, edition=edition)
        .values_list("team_id", flat=True)
        .first()
    )
    page = Paginator(
        Team.objects.filter(edition=edition)
        .exclude(pk=own_team)
        .only("pk", "name", "track")
        .order_by("name", "pk"),
        settings.PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    done = set(
        JudgeReview.objects.filter(
            judge=request.user, challenge__in=challenges, team__in=page.object_list
        ).values_list("challenge_id", "team_id")
    )
    rows = [
        (team, [(challenge, (challenge.pk, team.pk) in done) for challenge in challenges])
        for team in page.object_list
    ]
    return render(
        request,
        "scoring/judging_home.html",
        {"challenges": challenges, "rows": rows, "page": page},
    )


@judge_required
def judge_team(request, slug: str, team_id: int):
    edition = require_edition(request)
    challenge = get_object_or_404(edition.challenges, slug=slug)
    team = get_object_or_404(Team, pk=team_id, edition=edition)
    criteria = list(Criterion.objects.filter(challenge=challenge))
    review = JudgeReview.objects.filter(challenge=challenge, team=team, judge=request.user).first()
    initial = (
        dict(CriterionMark.objects.filter(review=review).values_list("criterion_id", "mark"))
        if review
        else {}
    )
    form = ReviewForm(
        request.POST or None,
        criteria=criteria,
        initial_marks=initial,
        initial={"comment": review.comment if review else ""},
    )
    if request.method == "POST" and form.is_valid():
        try:
            submit_review(
                challenge=challenge,
                team=team,
                judge=request.user,
                marks=form.marks(),
                comment=form.cleaned_data["comment"],
            )
        except JudgingRefused as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Your marks for “%(team)s” were saved.") % {"team": team.name}
            )
            return redirect("scoring:judging")
    members = Membership.objects.filter(team=team).select_related("user__profile")
    project = ProjectSubmission.objects.filter(team=team).first()
    return render(
        request,
        "scoring/judge_team.html",
        {
            "challenge": challenge,
            "team": team,
            "form": form,
            "members": members,
            "project": project,
            "hub_repos": HubRepo.objects.for_team(team),
        },
        status=400 if form.errors else 200,
    )


@organizer_required
def judging_overview(request, slug: str):
    """Per team: each judge's result, the spread between them, the aggregate, any override."""
    edition = require_edition(request)
    challenge = get_object_or_404(edition.challenges, slug=slug)
    page = Paginator(
        Team.objects.filter(edition=edition).order_by("name", "pk"), settings.PAGE_SIZE
    ).get_page(request.GET.get("page"))
    team_ids = [team.pk for team in page.object_list]
    fractions = collect_judge_fractions(edition=edition, team_ids=team_ids)
    overrides = defaultdict(list)
    for override in JudgedOverride.objects.filter(
        challenge=challenge, team_id__in=team_ids
    ).select_related("created_by__profile"):
        overrides[override.team_id].append(override)
    rows = []
    for team in page.object_list:
        values = [
            round(float(value) * 10, 2) for value in fractions.get((team.pk, challenge.pk), [])
        ]
        rows.append(
            {
                "team": team,
                "marks": values,
                "spread": round(max(values) - min(values), 2) if len(values) > 1 else None,
                "overrides": overrides.get(team.pk, []),
            }
        )
    return render(
        request,
        "scoring/judging_overview.html",
        {"challenge": challenge, "rows": rows, "page": page, "form": OverrideForm()},
    )


@organizer_required
def override(request, slug: str, team_id: int):
    edition = require_edition(request)
    challenge = get_object_or_404(edition.challenges, slug=slug)
    team = get_object_or_404(Team, pk=team_id, edition=edition)
    form = OverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            override_judged_points(
                challenge=challenge, team=team, by=request.user, **form.cleaned_data
            )
        except JudgingRefused as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("The judged points of “%(team)s” were overridden.") % {"team": team.name}
            )
    elif request.method == "POST":
        announce_form_errors(request, form)
    return redirect("scoring:judging_overview", slug=slug)


@organizer_required
@require_POST
def publish(request):
    """Reveal the judged points on the public leaderboard, or hold them back again."""
    edition = require_edition(request)
    published = request.POST.get("published") == "1"
    changed = publish_judged_points(edition=edition, published=published, by=request.user)
    if not changed:
        messages.info(request, _("Nothing changed."))
    elif published:
        messages.success(request, _("The judged points are now public on the leaderboard."))
    else:
        messages.success(
            request, _("The judged points are hidden again: the public sees only automatic points.")
        )
    return redirect("challenges:organize")
