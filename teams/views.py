from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from challenges.domain import is_team_deadline_past
from challenges.forms import ConfirmedActionForm
from challenges.shortcuts import require_edition
from teams import domain
from teams.domain import TeamRuleError
from teams.forms import TeamForm
from teams.models import Membership, Team
from teams.selectors import describe_team_page


def _my_membership_or_404(request) -> Membership:
    edition = require_edition(request)
    membership = domain.get_membership(user=request.user, edition=edition)
    if membership is None:
        raise Http404(_("You are not in a team of this edition."))
    return membership


@login_required
def my_team(request):
    """The person's team, or, without one, how to create or join one."""
    edition = require_edition(request)
    membership = domain.get_membership(user=request.user, edition=edition)
    if membership is None:
        return render(
            request,
            "teams/no_team.html",
            {"form": TeamForm(), "deadline_past": is_team_deadline_past(edition=edition)},
        )
    page = describe_team_page(team=membership.team, viewer=request.user)
    return render(
        request,
        "teams/my_team.html",
        {
            "team": page.team,
            "membership": page.membership,
            "members": page.members,
            "invite_url": request.build_absolute_uri(page.invite_path) if page.invite_path else "",
            "form": TeamForm(instance=page.team),
            "events": page.events,
            "deadline_past": page.deadline_past,
            "places_left": page.places_left,
            "progress": [
                (challenge, state, page.windows[challenge.pk]) for challenge, state in page.progress
            ],
            "gate": page.gate,
            "completeness": page.completeness,
            "hub_repos": page.hub_repos,
        },
    )


@login_required
def create_team(request):
    edition = require_edition(request)
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = domain.create_team(user=request.user, edition=edition, **form.cleaned_data)
        except TeamRuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Team “%(team)s” created. You are its captain.") % {"team": team.name}
            )
            return redirect("teams:mine")
    return render(
        request,
        "teams/create.html",
        {"form": form, "deadline_past": is_team_deadline_past(edition=edition)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def edit_team(request):
    membership = _my_membership_or_404(request)
    form = TeamForm(request.POST, instance=Team.objects.get(pk=membership.team_id))
    if form.is_valid():
        try:
            domain.update_team(team=membership.team, by=request.user, **form.cleaned_data)
        except TeamRuleError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The team's details were saved."))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
    return redirect("teams:mine")


def _team_action(request, action, success: str):
    """Run one team action for the signed-in member, turning a refusal into a message."""
    try:
        action()
    except TeamRuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)


@login_required
@require_POST
def regenerate_invite(request):
    membership = _my_membership_or_404(request)
    _team_action(
        request,
        lambda: domain.regenerate_invite(team=membership.team, by=request.user),
        _("A new invitation link was created; the old one no longer works."),
    )
    return redirect("teams:mine")


@login_required
@require_POST
def remove_member(request, user_id: int):
    membership = _my_membership_or_404(request)
    member = get_object_or_404(get_user_model(), pk=user_id)
    form = ConfirmedActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.refusal())
        return redirect("teams:mine")
    _team_action(
        request,
        lambda: domain.remove_member(
            team=membership.team,
            member=member,
            by=request.user,
            reason=form.cleaned_data["reason"],
        ),
        _("%(name)s is no longer in the team.") % {"name": member.display_name},
    )
    return redirect("teams:mine")


@login_required
@require_POST
def transfer_captaincy(request, user_id: int):
    membership = _my_membership_or_404(request)
    member = get_object_or_404(get_user_model(), pk=user_id)
    form = ConfirmedActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.refusal())
        return redirect("teams:mine")
    _team_action(
        request,
        lambda: domain.transfer_captaincy(
            team=membership.team, to=member, by=request.user, reason=form.cleaned_data["reason"]
        ),
        _("%(name)s is now the captain.") % {"name": member.display_name},
    )
    return redirect("teams:mine")


@login_required
@require_POST
def leave_team(request):
    membership = _my_membership_or_404(request)
    try:
        dissolved = domain.leave_team(team=membership.team, user=request.user)
    except TeamRuleError as error:
        messages.error(request, error.message)
        return redirect("teams:mine")
    if dissolved:
        messages.success(
            request, _("You left the team; as its last member, the team was dissolved.")
        )
    else:
        messages.success(request, _("You left the team."))
    return redirect("teams:mine")


@login_required
@require_POST
def register_team(request):
    membership = _my_membership_or_404(request)
    _team_action(
        request,
        lambda: domain.register_team(team=membership.team, by=request.user),
        _("Your team is registered for the hackathon."),
    )
    return redirect("teams:mine")


@login_required
def join_team(request, token: str):
    """Show which team the invitation is for; joining is a POST from that page."""
    team = domain.find_team_by_invite(invite_token=token)
    if request.method == "POST":
        try:
            team = domain.join_team(user=request.user, invite_token=token)
        except TeamRuleError as error:
            messages.error(request, error.message)
            if team is None:
                return render(request, "teams/join_invalid.html", status=404)
            return redirect("teams:join", token=token)
        messages.success(request, _("Welcome to “%(team)s”!") % {"team": team.name})
        return redirect("teams:mine")
    if team is None:
        return render(request, "teams/join_invalid.html", status=404)
    team = Team.objects.with_members().get(pk=team.pk)
    current = domain.get_membership(user=request.user, edition=team.edition)
    return render(
        request,
        "teams/join.html",
        {
            "team": team,
            "members": team.memberships.all(),
            "current": current,
            "full": team.member_count >= team.edition.team_max_size,
            "deadline_past": is_team_deadline_past(edition=team.edition),
        },
    )


def team_detail(request, pk: int):
    """A team's public page: name, members' display names and countries; never emails."""
    edition = require_edition(request)
    team = get_object_or_404(Team.objects.with_members().filter(edition=edition), pk=pk)
    return render(request, "teams/detail.html", {"team": team, "members": team.memberships.all()})


def team_list(request):
    edition = require_edition(request)
    teams = Team.objects.filter(edition=edition).with_members().order_by("name", "id")
    query = request.GET.get("q", "").strip()[:60]
    if query:
        teams = teams.filter(name__icontains=query)
    page = Paginator(teams, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    # htmx asks for the results alone while the person types in the search box.
    template = "teams/list.html#results" if request.htmx else "teams/list.html"
    return render(request, template, {"page": page, "query": query})
