"""Judges mark projects; organizers see the spread between judges and may override."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import organizer_required
from challenges.shortcuts import announce_form_errors, require_edition
from scoring.domain import collect_judge_results
from scoring.forms import OverrideForm
from scoring.judged import (
    JudgingRefused,
    override_judged_points,
    publish_judged_points,
)
from scoring.models import JudgedOverride, TeamScore
from scoring.rules import find_outliers, standardize_by_judge
from teams.models import Team


@organizer_required
def judging_overview(request, slug: str):
    """Per team: each judge's result (and, when the challenge standardizes by judge, its
    z-score rescaled), the spread between them, the outliers, the aggregate and any override
    with its reason."""
    edition = require_edition(request)
    challenge = get_object_or_404(edition.challenges, slug=slug)
    page = Paginator(
        Team.objects.filter(edition=edition).order_by("name", "pk"), settings.PAGE_SIZE
    ).get_page(request.GET.get("page"))
    team_ids = [team.pk for team in page.object_list]
    how = challenge.scoring.get("aggregate", "mean")
    results = collect_judge_results(
        edition=edition,
        team_ids=None if how == "zscore" else team_ids,
        challenge_ids=[challenge.pk],
    )
    standardized = {}
    if how == "zscore":
        standardized = standardize_by_judge(
            fractions={
                (judge, team): value
                for (team, _challenge), by_judge in results.items()
                for judge, value in by_judge.items()
            }
        )
    judges = {
        user.pk: user
        for user in get_user_model()
        .objects.filter(pk__in={j for by_judge in results.values() for j in by_judge})
        .select_related("profile")
    }
    overrides = defaultdict(list)
    for override in JudgedOverride.objects.filter(
        challenge=challenge, team_id__in=team_ids
    ).select_related("created_by__profile"):
        overrides[override.team_id].append(override)
    scores = dict(
        TeamScore.objects.filter(challenge=challenge, team_id__in=team_ids).values_list(
            "team_id", "judged_points"
        )
    )
    rows = []
    for team in page.object_list:
        by_judge = results.get((team.pk, challenge.pk), {})
        ordered = sorted(by_judge.items(), key=lambda item: judges[item[0]].email)
        values = [value for _judge, value in ordered]
        outliers = set(find_outliers(values=values))
        marks = [
            {
                "judge": judges[judge],
                "mark": round(float(value) * 10, 2),
                "standardized": round(float(standardized[(judge, team.pk)]) * 10, 2)
                if (judge, team.pk) in standardized
                else None,
                "outlier": index in outliers,
            }
            for index, (judge, value) in enumerate(ordered)
        ]
        plain = [item["mark"] for item in marks]
        rows.append(
            {
                "team": team,
                "marks": marks,
                "spread": round(max(plain) - min(plain), 2) if len(plain) > 1 else None,
                "judged": scores.get(team.pk),
                "overrides": overrides.get(team.pk, []),
            }
        )
    return render(
        request,
        "scoring/judging_overview.html",
        {
            "challenge": challenge,
            "rows": rows,
            "page": page,
            "form": OverrideForm(),
            "how": how,
        },
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
