from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from challenges.domain import ContributionRefused
from challenges.projects.domain import describe_completeness, list_closed_parts, save_project
from challenges.projects.forms import ProjectForm
from challenges.projects.models import ProjectSubmission
from challenges.shortcuts import require_edition
from hub.domain import describe_prize_eligibility
from teams.domain import can_see_team_work, get_membership


def _initial(team, submission) -> dict:
    if submission is None:
        return {"track": team.track}
    seconds = submission.video_seconds
    return {
        "track": team.track,
        "model_repos": "\n".join(submission.model_repos),
        "dataset_repos": "\n".join(submission.dataset_repos),
        "demo_space": submission.demo_space,
        "video_url": submission.video_url,
        "video_length": f"{seconds // 60}:{seconds % 60:02d}" if seconds else "",
        "paper_url": submission.paper_url,
    }


@login_required
def project(request):
    """The team's project: track, repositories, demo, video and paper, and what is missing."""
    edition = require_edition(request)
    membership = get_membership(user=request.user, edition=edition)
    if membership is None:
        raise Http404(_("You are not in a team of this edition."))
    team = membership.team
    submission = ProjectSubmission.objects.filter(team=team).first()
    form = ProjectForm(
        request.POST or None,
        request.FILES or None,
        initial=_initial(team, submission),
        closed_parts=list_closed_parts(team=team),
    )
    if request.method == "POST" and form.is_valid():
        try:
            save_project(team=team, by=request.user, values=form.values())
        except ContributionRefused as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The project was saved."))
            return redirect("projects:project")
    prize = describe_prize_eligibility(edition_id=edition.pk, team_ids=[team.pk])[team.pk]
    return render(
        request,
        "projects/project.html",
        {
            "team": team,
            "form": form,
            "submission": submission,
            "completeness": describe_completeness(team=team, submission=submission, prize=prize),
        },  # fmt: skip
        status=400 if form.errors else 200,
    )


@login_required
def paper(request, team_id: int):
    """A team's paper PDF, shown in the browser, for its members, judges and organizers."""
    edition = require_edition(request)
    submission = get_object_or_404(
        ProjectSubmission.objects.select_related("team"), team_id=team_id, team__edition=edition
    )
    if not can_see_team_work(user=request.user, team_id=submission.team_id):
        raise PermissionDenied
    if not submission.paper_file:
        raise Http404(_("The team has not uploaded a paper."))
    response = FileResponse(
        submission.paper_file.open("rb"),
        content_type="application/pdf",
        # Blind judging links with ?anonymous=1: the file's name must not name the team.
        filename="paper.pdf"
        if request.GET.get("anonymous")
        else f"{slugify(submission.team.name) or 'team'}-paper.pdf",
    )
    # Never guessed as anything but a PDF (uploads are only checked to start like one).
    response["X-Content-Type-Options"] = "nosniff"
    return response
