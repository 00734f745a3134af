"""Judges: their teams with the next one to judge, and the project page with the rubric."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from challenges.projects.models import ProjectSubmission
from challenges.shortcuts import get_challenge, require_edition
from hub.domain.reports import describe_repo
from hub.models import HubRepo
from judging.domain.conflicts import ConflictRefused, declare_conflict
from judging.domain.marking import (
    ASSIGNED,
    find_access,
    is_blind,
    keep_draft,
    shown_name,
    submit_marks,
)
from judging.domain.progress import build_queue
from judging.forms import ConflictForm, MarksForm
from scoring.judged import JudgingRefused
from scoring.models import Criterion, CriterionMark, JudgeReview
from scoring.permissions import judge_required
from teams.models import Membership, Team


@judge_required
def home(request):
    """The judge's teams in every challenge, what is done, and the next team to judge."""
    edition = require_edition(request)
    queue = build_queue(judge=request.user, edition=edition)
    return render(request, "judging/home.html", {"queue": queue})


def space_embed_url(repo_id: str) -> str:
    """A Space's own address on hf.space: owner-name, lower case, dots and underscores as
    hyphens (the address the Hub serves the running app from)."""
    return (
        "https://"
        + repo_id.lower().replace("/", "-").replace("_", "-").replace(".", "-")
        + ".hf.space"
    )


@judge_required
def project(request, slug: str, team_id: int):
    """One team's project for one challenge, and the judge's rubric beside it (drafts are
    autosaved by htmx; submitting needs every required mark)."""
    challenge = get_challenge(request, slug)
    team = get_object_or_404(Team, pk=team_id, edition_id=challenge.edition_id)
    access = find_access(user=request.user, challenge=challenge, team=team)
    if access is None:
        raise PermissionDenied
    blind = is_blind(challenge=challenge)
    criteria = list(Criterion.objects.filter(challenge=challenge))
    review = JudgeReview.objects.filter(challenge=challenge, team=team, judge=request.user).first()
    marks = (
        dict(CriterionMark.objects.filter(review=review).values_list("criterion_id", "mark"))
        if review
        else {}
    )
    form = MarksForm(
        request.POST or None,
        criteria=criteria,
        draft=review.draft if review else None,
        marks=marks,
        initial={"comment": review.comment if review else ""},
    )
    name = shown_name(challenge=challenge, team=team, blind=blind)
    if request.method == "POST":
        if access != ASSIGNED:
            raise PermissionDenied
        if request.htmx and request.POST.get("autosave"):
            return _autosave(request, challenge, team, form)
        if form.is_valid():
            try:
                submit_marks(
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
                    request, _("Your marks for “%(team)s” were saved.") % {"team": name}
                )
                queue = build_queue(judge=request.user, edition=challenge.edition)
                following = queue.next_item
                if following is not None:
                    return redirect(
                        "judging:project", slug=following.challenge.slug, team_id=following.team_id
                    )
                return redirect("judging:home")
    submission = ProjectSubmission.objects.filter(team=team).first()
    repos = [
        describe_repo(repo=repo)
        for repo in HubRepo.objects.filter(team=team).select_related("team", "edition")
    ]
    return render(
        request,
        "judging/project.html",
        {
            "challenge": challenge,
            "team": team,
            "name": name,
            "blind": blind,
            "access": access,
            "form": form,
            "review": review,
            "criteria": criteria,
            "members": []
            if blind
            else Membership.objects.filter(team=team).select_related("user__profile"),
            "project": submission,
            "space_url": space_embed_url(submission.demo_space)
            if submission and submission.demo_space
            else "",
            "repos": repos,
            "conflict_form": ConflictForm(),
        },
        status=400 if form.errors else 200,
    )


def _autosave(request, challenge, team, form):
    """Keep the marks typed so far; answer the small status line the page swaps in."""
    try:
        keep_draft(
            challenge=challenge,
            team=team,
            judge=request.user,
            marks=form.typed(),
            comment=form.data.get("comment", ""),
        )
    except JudgingRefused as error:
        return render(request, "judging/_autosave.html", {"error": error.message}, status=400)
    return render(
        request, "judging/_autosave.html", {"saved": True, "valid": form.typed_is_valid()}
    )


@judge_required
@require_POST
def conflict(request, slug: str, team_id: int):
    """A judge declares a conflict of interest with a team assigned to them."""
    challenge = get_challenge(request, slug)
    team = get_object_or_404(Team, pk=team_id, edition_id=challenge.edition_id)
    if find_access(user=request.user, challenge=challenge, team=team) != ASSIGNED:
        raise PermissionDenied
    form = ConflictForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        declare_conflict(
            edition=challenge.edition, judge=request.user, team=team, reason=reason, by=request.user
        )
    except ConflictRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Thank you: the organizers will give this team to another judge.")
        )
    return redirect("judging:home")
