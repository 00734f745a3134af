"""Organizers' list of every commit made after its challenge's deadline in the organization."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render

from accounts.decorators import organizer_required
from challenges.shortcuts import require_edition
from hub.domain.deadlines import list_late_commits, served_challenges
from hub.forms import LateCommitFilterForm


@organizer_required
def late_commits(request):
    """Every late commit of the organization, newest first, judged against the deadline of
    the challenge each repository serves (the team's, extensions included); filters by
    challenge, team and repository type; paginated."""
    edition = require_edition(request)
    challenges = served_challenges(edition=edition)
    form = LateCommitFilterForm(request.GET or None, edition=edition, challenges=challenges)
    data = form.cleaned_data if form.is_valid() else {}
    team = data.get("team")
    late = list_late_commits(
        edition=edition,
        challenge_kind=data.get("challenge", ""),
        team_id=team.pk if team else None,
        repo_type=data.get("repo_type", ""),
    )
    page = Paginator(late, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    context = {"form": form, "page": page, "filters": filters.urlencode()}
    return render(request, "hub/late_commits.html", context)
