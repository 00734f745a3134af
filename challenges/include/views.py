"""INCLUDE pages: a participant's exams and uploads; the organizers' exam list and review."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import organizer_required
from challenges.domain import ContributionRefused, count_by_status, get_window_for_team
from challenges.domain.uploads import start_upload, upload_errors, upload_report
from challenges.forms import DecisionForm
from challenges.include.domain import (
    count_questions_by_exam,
    create_exam,
    decide_exam,
    find_next_pending_exam,
)
from challenges.include.forms import (
    QUESTION_STATUS_FILTERS,
    ExamDecisionForm,
    ExamFilterForm,
    ExamForm,
    QuestionUploadForm,
)
from challenges.include.models import Exam, ExamQuestion
from challenges.models import Challenge, ContributionStatus, Upload
from challenges.shortcuts import get_challenge
from challenges.tasks import check_without_broker, send_upload_check
from challenges.uploads import UploadRejected, describe_errors
from challenges.views.uploads import announce_questions_stored
from teams.domain import get_membership

QUESTIONS_PAGE_SIZE = 50


def _window(request, challenge: Challenge):
    membership = get_membership(user=request.user, edition=challenge.edition)
    return get_window_for_team(
        challenge=challenge, team_id=membership.team_id if membership else None
    )


def get_own_exam(request, challenge: Challenge, pk: int) -> Exam:
    """One of the person's own exams in the challenge, for the pages and uploads (the Hub
    import too) that only its author may use; 404 for anyone else's."""
    exam = get_object_or_404(Exam, pk=pk, challenge=challenge, author=request.user)
    exam.challenge = challenge  # already fetched, with its edition
    return exam


def _status_filter(request) -> str:
    status = request.GET.get("status", "")
    return status if status in ContributionStatus.values else ""


@login_required
def home(request, slug: str):
    """The participant's exams with their status and question counts, and a new exam form."""
    challenge = get_challenge(request, slug, Challenge.Kind.INCLUDE)
    exams = Paginator(
        Exam.objects.filter(challenge=challenge, author=request.user).order_by(
            "-created_at", "-pk"
        ),
        settings.PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    counts = count_questions_by_exam(exam_ids=[exam.pk for exam in exams])
    return render(
        request,
        "include/home.html",
        {
            "challenge": challenge,
            "window": _window(request, challenge),
            "page": exams,
            "rows": [(exam, counts.get(exam.pk)) for exam in exams],
            "mine": count_by_status(
                model=ExamQuestion, challenge=challenge, author_ids=[request.user.pk]
            ),
            "form": ExamForm(),
        },
    )


@login_required
def new_exam(request, slug: str):
    challenge = get_challenge(request, slug, Challenge.Kind.INCLUDE)
    form = ExamForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            exam = create_exam(challenge=challenge, author=request.user, **form.cleaned_data)
        except ContributionRefused as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The exam is declared. Now upload its questions."))
            return redirect("include:exam", slug=slug, pk=exam.pk)
    return render(
        request,
        "include/new_exam.html",
        {"challenge": challenge, "form": form, "window": _window(request, challenge)},
        status=400 if form.errors else 200,
    )


def _render_exam(request, challenge, exam, *, upload_form, upload_errors=None, status=200):
    question_status = _status_filter(request)
    questions = ExamQuestion.objects.filter(exam=exam).order_by("pk")
    if question_status:
        questions = questions.filter(status=question_status)
    page = Paginator(questions, QUESTIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "include/exam.html",
        {
            "challenge": challenge,
            "exam": exam,
            "counts": count_questions_by_exam(exam_ids=[exam.pk]).get(exam.pk),
            "page": page,
            "status_filters": QUESTION_STATUS_FILTERS,
            "question_status": question_status,
            "filters": urlencode({"status": question_status}) if question_status else "",
            # The page is also shown by the upload (a POST-only address): links go to the exam's.
            "base": reverse("include:exam", args=[challenge.slug, exam.pk]),
            "upload_form": upload_form,
            "upload_errors": upload_errors,
            "window": _window(request, challenge),
        },
        status=status,
    )


@login_required
def exam_detail(request, slug: str, pk: int):
    """One of the participant's exams: its questions (with decisions and reasons) and the upload."""
    challenge = get_challenge(request, slug, Challenge.Kind.INCLUDE)
    exam = get_own_exam(request, challenge, pk)
    return _render_exam(request, challenge, exam, upload_form=QuestionUploadForm())


@login_required
@require_POST
def upload(request, slug: str, pk: int):
    challenge = get_challenge(request, slug, Challenge.Kind.INCLUDE)
    exam = get_own_exam(request, challenge, pk)
    form = QuestionUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_exam(request, challenge, exam, upload_form=form, status=400)
    try:
        sent = start_upload(
            challenge=challenge,
            user=request.user,
            file=form.cleaned_data["file"],
            target=exam,
            enqueue=send_upload_check,
        )
    except UploadRejected as rejected:
        form.add_error(None, describe_errors(rejected.errors))
        return _render_exam(
            request, challenge, exam, upload_form=form, upload_errors=rejected.errors, status=400
        )
    except ContributionRefused as error:
        form.add_error(None, error.message)
        return _render_exam(request, challenge, exam, upload_form=form, status=400)
    sent = check_without_broker(sent)
    if sent.is_active:  # a worker checks it: its page follows the check
        return redirect("challenges:upload", pk=sent.pk)
    if sent.status == Upload.Status.FAILED:
        errors = upload_errors(sent)
        form.add_error(None, describe_errors(errors) if errors else sent.refusal)
        return _render_exam(
            request, challenge, exam, upload_form=form, upload_errors=errors, status=400
        )
    announce_questions_stored(request, upload_report(sent))
    return redirect("include:exam", slug=slug, pk=exam.pk)


@organizer_required
def organize_exams(request, slug: str):
    """Organizers: every exam, filtered by status (pending first by default), country, language."""
    challenge = get_challenge(request, slug, Challenge.Kind.INCLUDE)
    query = request.GET.copy()
    if "status" not in query:
        query["status"] = ContributionStatus.PENDING
    form = ExamFilterForm(query)
    exams = (
        Exam.objects.filter(challenge=challenge)
        .select_related("author__profile")
        .order_by("created_at", "pk")
    )
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("status"):
        exams = exams.filter(status=data["status"])
    if data.get("country"):
        exams = exams.filter(country=data["country"])
    if data.get("language"):
        exams = exams.filter(language=data["language"].strip().lower())
    if data.get("name"):
        exams = exams.filter(name__icontains=data["name"])
    page = Paginator(exams, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    counts = count_questions_by_exam(exam_ids=[exam.pk for exam in page])
    filters = query.copy()
    filters.pop("page", None)
    context = {
        "challenge": challenge,
        "form": form,
        "page": page,
        "rows": [(exam, counts.get(exam.pk)) for exam in page],
        "filters": filters.urlencode(),
    }
    template = "include/organize_exams.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


@organizer_required
def review_exam(request, slug: str, pk: int):
    """Organizers: accept or reject an exam as a whole, or select its questions one by one."""
    challenge = get_challenge(request, slug, Challenge.Kind.INCLUDE)
    exam = get_object_or_404(
        Exam.objects.select_related("author__profile", "decided_by__profile"),
        pk=pk,
        challenge=challenge,
    )
    form = ExamDecisionForm(
        request.POST if request.method == "POST" else None,
        initial={"status": ContributionStatus.VALIDATED},
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = decide_exam(
                exam=exam,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                include_decided=form.cleaned_data["include_decided"],
                by=request.user,
            )
        except ContributionRefused as error:
            form.add_error(None, error.message)
        else:
            exam.refresh_from_db(fields=["status"])
            messages.success(
                request,
                _("The exam is now “%(status)s”; %(changed)s questions changed.")
                % {"status": exam.get_status_display(), "changed": changed},
            )
            return redirect("include:review_exam", slug=slug, pk=exam.pk)
    question_status = _status_filter(request)
    questions = ExamQuestion.objects.filter(exam=exam).order_by("pk")
    if question_status:
        questions = questions.filter(status=question_status)
    if request.GET.get("flagged") == "1":
        questions = questions.filter(flagged_category=True)
    page = Paginator(questions, QUESTIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "include/review_exam.html",
        {
            "challenge": challenge,
            "exam": exam,
            "form": form,
            "counts": count_questions_by_exam(exam_ids=[exam.pk]).get(exam.pk),
            "page": page,
            "status_filters": QUESTION_STATUS_FILTERS,
            "question_status": question_status,
            "flagged_only": request.GET.get("flagged") == "1",
            "filters": filters.urlencode(),
            "decision_form": DecisionForm(auto_id="bulk-%s"),  # ids unlike the exam form's
            "next_exam": find_next_pending_exam(exam=exam),
        },
        status=400 if form.errors else 200,
    )
