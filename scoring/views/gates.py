"""Organizers see every team's credits gate, grant credits and GPUs, download incentives."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import organizer_required
from challenges.exports import stream_csv
from challenges.forms import ConfirmedActionForm
from challenges.shortcuts import require_edition
from hub.domain import describe_prize_eligibility
from scoring.gates import credits_gates, grant, incentive_fields, personal_incentives
from scoring.models import Grant
from teams.models import Team


@organizer_required
def gates(request):
    edition = require_edition(request)
    page = Paginator(
        Team.objects.filter(edition=edition).order_by("name", "pk"), settings.PAGE_SIZE
    ).get_page(request.GET.get("page"))
    teams = list(page.object_list)
    prizes = describe_prize_eligibility(edition_id=edition.pk, team_ids=[team.pk for team in teams])
    rows = [(state, prizes[state.team.pk]) for state in credits_gates(edition=edition, teams=teams)]
    return render(
        request, "scoring/gates.html", {"page": page, "rows": rows, "kinds": Grant.Kind.choices}
    )


@organizer_required
@require_POST
def grant_team(request, team_id: int, kind: str):
    edition = require_edition(request)
    team = get_object_or_404(Team, pk=team_id, edition=edition)
    form = ConfirmedActionForm(request.POST)
    if kind not in Grant.Kind.values:
        messages.error(request, _("This grant does not exist."))
    elif not form.is_valid():
        messages.error(request, form.refusal())
    else:
        grant(team=team, kind=kind, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(
            request,
            _("%(grant)s granted to “%(team)s”.")
            % {"grant": Grant.Kind(kind).label, "team": team.name},
        )
    return redirect("scoring:gates")


@organizer_required
def incentives_csv(request):
    edition = require_edition(request)
    fields = incentive_fields(edition=edition)
    rows = (
        {
            "author_id": row.author_id,
            "display_name": row.display_name,
            "hub_username": row.hub_username,
            **row.values,
        }
        for row in personal_incentives(edition=edition)
    )
    return stream_csv(filename=f"{edition.slug}-incentives", fields=fields, rows=rows)
