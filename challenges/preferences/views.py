"""Pages of the preference dataset challenge: thin views over ``domain``."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import organizer_required
from accounts.models import Profile
from challenges.domain import ContributionRefused, count_by_status, get_window_for_team
from challenges.domain.peer_validation import find_team_id
from challenges.domain.uploads import start_upload, upload_errors, upload_report
from challenges.models import Challenge, Upload
from challenges.preferences import domain
from challenges.preferences.forms import (
    PromptForm,
    QuizForm,
    ValidationForm,
    arena_upload_form,
    prompt_upload_form,
)
from challenges.preferences.models import (
    ArenaUpload,
    ArenaVote,
    Prompt,
    QuizAttempt,
    QuizChoice,
)
from challenges.shortcuts import get_challenge
from challenges.tasks import check_without_broker, send_upload_check
from challenges.uploads import UploadRejected, describe_errors
from challenges.views.uploads import announce_prompts_stored, announce_upload_notes
from hub.models import PublishedDataset
from hub.publishing import published_files


def _window(challenge: Challenge, user):
    team_id = find_team_id(user=user, edition_id=challenge.edition_id)
    return get_window_for_team(challenge=challenge, team_id=team_id)


def _posted(request):
    """The POST data when the request is a POST (even empty), so the form is bound."""
    return request.POST if request.method == "POST" else None


def _page(request, queryset):
    return Paginator(queryset, settings.PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def home(request, slug: str):
    """The participant's page: the quiz, the prompt form, and their prompts with their status."""
    challenge = get_challenge(request, slug, Challenge.Kind.PREFERENCES)
    profile = (
        Profile.objects.filter(user=request.user).values("country", "arena_identity").first() or {}
    )
    form = PromptForm(_posted(request), initial={"country": profile.get("country") or None})
    if request.method == "POST" and form.is_valid():
        try:
            domain.submit_prompt(challenge=challenge, author=request.user, **form.cleaned_data)
        except ContributionRefused as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your prompt was saved. Other teams will validate it."))
            return redirect("preferences:home", slug=slug)
    prompts = Prompt.objects.filter(challenge=challenge, author=request.user).order_by(
        "-created_at", "-pk"
    )
    context = {
        "challenge": challenge,
        "window": _window(challenge, request.user),
        "quiz": domain.get_quiz(challenge=challenge),
        "passed": domain.has_passed_quiz(challenge=challenge, user=request.user),
        "arena_identity": profile.get("arena_identity", ""),
        "form": form,
        "counts": count_by_status(model=Prompt, challenge=challenge, author_ids=[request.user.pk]),
        "page": _page(request, prompts),
    }
    return render(
        request,
        "preferences/home.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@login_required
def upload(request, slug: str):
    """Many prompts at once from a CSV file: all stored, or none and every reason."""
    challenge = get_challenge(request, slug, Challenge.Kind.PREFERENCES)
    form = prompt_upload_form(_posted(request), request.FILES if request.method == "POST" else None)
    errors = None
    if request.method == "POST" and form.is_valid():
        try:
            sent = start_upload(
                challenge=challenge,
                user=request.user,
                file=form.cleaned_data["file"],
                enqueue=send_upload_check,
            )
        except ContributionRefused as error:
            form.add_error(None, error.message)
        except UploadRejected as rejected:
            errors = rejected.errors
            form.add_error(None, describe_errors(errors))
        else:
            sent = check_without_broker(sent)
            if sent.is_active:  # a worker checks it: its page follows the check
                return redirect("challenges:upload", pk=sent.pk)
            if sent.status == Upload.Status.DONE:
                report = upload_report(sent)
                announce_prompts_stored(request, report.stored)
                announce_upload_notes(request, report)
                return redirect("preferences:home", slug=slug)
            errors = upload_errors(sent)
            form.add_error(None, describe_errors(errors) if errors else sent.refusal)
    return render(
        request,
        "preferences/upload.html",
        {
            "challenge": challenge,
            "form": form,
            "errors": errors,
            "passed": domain.has_passed_quiz(challenge=challenge, user=request.user),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def quiz(request, slug: str):
    """The quiz on the prompt guide: take it, see whether you passed, retry if not."""
    challenge = get_challenge(request, slug, Challenge.Kind.PREFERENCES)
    the_quiz = domain.get_quiz(challenge=challenge)
    questions = []
    if the_quiz is not None:
        questions = list(
            the_quiz.questions.prefetch_related(
                Prefetch("choices", queryset=QuizChoice.objects.order_by("position", "pk"))
            ).order_by("position", "pk")
        )
        attempt_number = domain.count_attempts(quiz=the_quiz, user=request.user)
        for question in questions:
            question.shown_choices = domain.order_choices(
                choices=question.choices.all(),
                quiz=the_quiz,
                question_id=question.pk,
                user=request.user,
                attempt=attempt_number,
            )
    form = QuizForm(_posted(request), questions=questions)
    if request.method == "POST" and the_quiz is not None and form.is_valid():
        try:
            attempt = domain.take_quiz(quiz=the_quiz, user=request.user, answers=form.answers())
        except ContributionRefused as error:
            form.add_error(None, error.message)
        else:
            if attempt.passed:
                messages.success(
                    request,
                    _("You passed with %(score)s of %(total)s. You can now submit prompts.")
                    % {"score": attempt.score, "total": attempt.total},
                )
                return redirect("preferences:home", slug=slug)
            messages.warning(
                request,
                _(
                    "%(score)s of %(total)s correct: not enough to pass. Read the guide and try again."
                )
                % {"score": attempt.score, "total": attempt.total},
            )
            return redirect("preferences:quiz", slug=slug)
    last = (
        QuizAttempt.objects.filter(quiz=the_quiz, user=request.user).first()
        if the_quiz is not None
        else None
    )
    return render(
        request,
        "preferences/quiz.html",
        {
            "challenge": challenge,
            "quiz": the_quiz,
            "form": form,
            "has_questions": bool(questions),
            "passed": domain.has_passed_quiz(challenge=challenge, user=request.user),
            "last": last,
            "attempts_left": (
                domain.count_attempts_left(quiz=the_quiz, user=request.user)
                if the_quiz is not None
                else None
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def validate(request, slug: str):
    """Cross-team validation: one prompt of another team at a time."""
    challenge = get_challenge(request, slug, Challenge.Kind.PREFERENCES)
    form = None
    if request.method == "POST":
        prompt = Prompt.objects.filter(
            challenge=challenge, pk=_int(request.POST.get("prompt"))
        ).first()
        if prompt is None:
            messages.error(request, _("This prompt does not exist."))
            return redirect("preferences:validate", slug=slug)
        vote = domain.latest_decisive_vote(prompt=prompt)
        form = ValidationForm(request.POST, has_chosen=vote is not None)
        if form.is_valid():
            data = form.cleaned_data
            try:
                domain.validate_prompt(
                    challenge=challenge,
                    prompt_id=prompt.pk,
                    validator=request.user,
                    well_designed=data["well_designed"],
                    culturally_anchored=data["culturally_anchored"],
                    keep_chosen=data.get("keep_chosen"),
                    improved_answer=data["improved_answer"],
                )
            except ContributionRefused as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Thank you: your validation was saved."))
            return redirect("preferences:validate", slug=slug)
    else:
        prompt = domain.next_prompt_to_validate(
            challenge=challenge, validator=request.user, after_id=_int(request.GET.get("after"))
        )
        vote = domain.latest_decisive_vote(prompt=prompt) if prompt else None
        if prompt is not None:
            form = ValidationForm(initial={"prompt": prompt.pk}, has_chosen=vote is not None)
    return render(
        request,
        "preferences/validate.html",
        {
            "challenge": challenge,
            "window": _window(challenge, request.user),
            "prompt": prompt,
            "vote": vote,
            "form": form,
            "done": domain.count_validations(challenge=challenge, validator=request.user),
        },
        status=400 if request.method == "POST" else 200,
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def announce_arena_votes(request, report: domain.ArenaImportReport) -> None:
    """The messages after an accepted vote log: what was stored and matched, what was flagged."""
    messages.success(
        request,
        _(
            "%(added)s votes stored: %(matched)s attached to a prompt (%(created)s prompts "
            "created), %(unmatched)s unmatched; %(duplicates)s were already stored."
        )
        % {
            "added": report.added,
            "matched": report.matched,
            "created": report.prompts_created,
            "unmatched": report.unmatched,
            "duplicates": report.duplicates,
        },
    )
    if report.identity_flagged or report.over_daily_cap:
        messages.warning(
            request,
            _(
                "Kept but flagged, not counted: %(identity)s votes whose answers name a "
                "model, %(capped)s beyond a person's daily cap."
            )
            % {"identity": report.identity_flagged, "capped": report.over_daily_cap},
        )


@organizer_required
def arena_upload(request, slug: str):
    """Organizers upload the arena's vote log, checked in the background (without a broker:
    at once); the page lists the logs uploaded so far."""
    challenge = get_challenge(request, slug, Challenge.Kind.PREFERENCES)
    form = arena_upload_form(_posted(request), request.FILES if request.method == "POST" else None)
    errors = None
    if request.method == "POST" and form.is_valid():
        try:
            sent = start_upload(
                challenge=challenge,
                user=request.user,
                file=form.cleaned_data["file"],
                channel=Upload.Channel.ORGANIZERS,
                enqueue=send_upload_check,
            )
        except ContributionRefused as error:
            form.add_error(None, error.message)
        except UploadRejected as rejected:
            errors = rejected.errors
            form.add_error(None, describe_errors(errors))
        else:
            sent = check_without_broker(sent)
            if sent.is_active:  # a worker checks it: its page follows the check
                return redirect("challenges:upload", pk=sent.pk)
            if sent.status == Upload.Status.DONE:
                announce_arena_votes(request, upload_report(sent))
                return redirect("preferences:arena_upload", slug=slug)
            errors = upload_errors(sent)
            form.add_error(None, describe_errors(errors) if errors else sent.refusal)
    uploads = ArenaUpload.objects.filter(challenge=challenge).select_related("uploaded_by__profile")
    return render(
        request,
        "preferences/arena_upload.html",
        {"challenge": challenge, "form": form, "errors": errors, "page": _page(request, uploads)},
        status=400 if request.method == "POST" else 200,
    )


@organizer_required
def unmatched(request, slug: str):
    """Votes not attached to a prompt yet: nobody declared their identity, or the prompt is
    somebody else's."""
    challenge = get_challenge(request, slug, Challenge.Kind.PREFERENCES)
    votes = (
        ArenaVote.objects.filter(challenge=challenge, prompt__isnull=True)
        .select_related("user__profile")
        .order_by("pk")
    )
    return render(
        request,
        "preferences/unmatched.html",
        {"challenge": challenge, "page": _page(request, votes)},
    )


@organizer_required
@require_POST
def rematch(request, slug: str):
    challenge = get_challenge(request, slug, Challenge.Kind.PREFERENCES)
    report = domain.rematch_arena_votes(challenge=challenge)
    messages.success(
        request,
        _(
            "%(checked)s unmatched votes checked: %(matched)s now attached to a prompt (%(created)s prompts created)."
        )
        % {"checked": report.checked, "matched": report.matched, "created": report.prompts_created},
    )
    return redirect("preferences:unmatched", slug=slug)


@organizer_required
@require_GET
def dataset(request, slug: str):
    """The shared preference dataset as published to the server's folder: its publications
    with their files to download. Publishing itself is the organizers' publishing page."""
    challenge = get_challenge(request, slug, Challenge.Kind.PREFERENCES)
    publications = PublishedDataset.objects.filter(
        edition=challenge.edition,
        kind=challenge.kind,
        on_hub=False,
        status=PublishedDataset.Status.DONE,
    ).select_related("published_by__profile")
    page = _page(request, publications)
    for publication in page:
        publication.files = published_files(publication=publication)
    return render(request, "preferences/dataset.html", {"challenge": challenge, "page": page})


@organizer_required
def dataset_download(request, slug: str, pk: int, name: str):
    """A file of a publication of this dataset (the address the earlier builds had)."""
    challenge = get_challenge(request, slug, Challenge.Kind.PREFERENCES)
    publication = get_object_or_404(
        PublishedDataset, edition=challenge.edition, kind=challenge.kind, pk=pk
    )
    return redirect("hub:publication_file", pk=publication.pk, name=name)
