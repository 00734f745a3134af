"""The organization's repositories: the organizers' list and links, each repository's checks."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import organizer_required
from accounts.roles import is_organizer
from challenges.shortcuts import announce_form_errors, require_edition
from hub.domain import LinkRefused, confirm_repo_link
from hub.domain.reports import describe_repo
from hub.forms import RepoFilterForm, RepoLinkForm
from hub.models import HubRepo, LinkStatus
from teams.domain import can_see_team_work

REPOS_PAGE_SIZE = 50


@organizer_required
def repo_list(request):
    """Every repository of the organization, conflicts first, with filters."""
    edition = require_edition(request)
    form = RepoFilterForm(request.GET or None)
    repos = HubRepo.objects.filter(edition=edition).select_related("team")
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("q"):
        repos = repos.filter(repo_id__icontains=data["q"])
    if data.get("repo_type"):
        repos = repos.filter(repo_type=data["repo_type"])
    if data.get("link_status"):
        repos = repos.filter(link_status=data["link_status"])
    conflicts_first = Case(
        When(link_status=LinkStatus.CONFLICT, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    repos = repos.defer("readme", "files", "commits", "card").order_by(
        conflicts_first, "-last_modified", "repo_id"
    )
    page = Paginator(repos, REPOS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "hub/repos.html", {"form": form, "page": page})


def repo_detail(request, pk: int):
    """One repository: its team, card checklist, naming, commits against the deadline, files.
    For organizers, judges and the members of the team it belongs to."""
    edition = require_edition(request)
    repo = get_object_or_404(HubRepo.objects.select_related("team"), pk=pk, edition=edition)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can_see_team_work(user=request.user, team_id=repo.team_id):
        raise PermissionDenied
    context = {"report": describe_repo(repo=repo), "repo": repo}
    if is_organizer(request.user):
        context["link_form"] = RepoLinkForm(edition=edition, initial={"team": repo.team_id})
    return render(request, "hub/repo_detail.html", context)


@organizer_required
@require_POST
def link_repo(request, pk: int):
    edition = require_edition(request)
    repo = get_object_or_404(HubRepo, pk=pk, edition=edition)
    form = RepoLinkForm(request.POST, edition=edition)
    if not form.is_valid():
        announce_form_errors(request, form)
        return redirect("hub:repo", pk=repo.pk)
    try:
        repo = confirm_repo_link(
            repo=repo,
            team=form.cleaned_data["team"],
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
    except LinkRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("“%(repo)s” is now: %(status)s.")
            % {"repo": repo.repo_id, "status": repo.get_link_status_display()},
        )
    return redirect("hub:repo", pk=repo.pk)
