"""Pages of the BLEND challenge: answer, validate, see your answers; organizers' questions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import organizer_required
from challenges.domain import ContributionRefused, count_by_status, ensure_window_open
from challenges.domain.uploads import start_upload, upload_errors, upload_report
from challenges.models import Challenge, ContributionStatus, Upload
from challenges.shortcuts import get_challenge
from challenges.tasks import check_without_broker, send_upload_check
from challenges.uploads import UploadRejected, UploadReport, describe_errors
from challenges.views.uploads import announce_upload_notes

from . import domain
from .forms import (
    AnswerForm,
    KnownCountriesForm,
    MyAnswersFilterForm,
    QuestionFilterForm,
    QuestionUploadForm,
    ValidationForm,
)
from .models import BlendAnswer, BlendProfile, BlendQuestion, BlendValidation

PAGE_SIZE = 25
QUESTIONS_PAGE_SIZE = 50


def _window_problem(challenge: Challenge, user) -> str | None:
    """Why the person cannot contribute now (the window), or None."""
    try:
        ensure_window_open(challenge=challenge, user=user)
    except ContributionRefused as error:
        return str(error.message)
    return None


@login_required
def home(request, slug: str):
    """The next question of the person's countries, to answer, keep as a draft or skip."""
    challenge = get_challenge(request, slug, Challenge.Kind.BLEND)
    countries = domain.get_countries(user=request.user)
    closed = _window_problem(challenge, request.user)
    question = None
    if countries and not closed:
        question = domain.find_next_question(
            challenge=challenge, user=request.user, countries=countries
        )
    return render(
        request,
        "blend/home.html",
        {
            "challenge": challenge,
            "countries": [domain.get_country_name(code) for code in countries],
            "closed": closed,
            "question": question,
            "form": AnswerForm(),
            "counts": count_by_status(
                model=BlendAnswer, challenge=challenge, author_ids=[request.user.pk]
            ),
        },
    )


@login_required
def answer(request, slug: str, question_id: int):
    """Answer one question, or go on with a draft of it."""
    challenge = get_challenge(request, slug, Challenge.Kind.BLEND)
    question = get_object_or_404(BlendQuestion, challenge=challenge, pk=question_id)
    existing = BlendAnswer.objects.filter(question=question, author=request.user).first()
    if request.method == "POST":
        submit = request.POST.get("action") == "submit"
        form = AnswerForm(request.POST, submit=submit)
        if form.is_valid():
            try:
                domain.save_answer(
                    challenge=challenge,
                    question_id=question.pk,
                    author=request.user,
                    submit=submit,
                    **form.cleaned_data,
                )
            except ContributionRefused as error:
                form.add_error(None, error.message)
            else:
                if submit:
                    messages.success(
                        request,
                        _("Your answer was submitted. Thank you! Here is the next question."),
                    )
                else:
                    messages.success(
                        request, _("Your draft was saved. You can finish it from “My answers”.")
                    )
                return redirect("blend:home", slug=slug)
    else:
        if question.country.code not in domain.get_countries(user=request.user):
            messages.error(
                request,
                _("This question is about %(country)s, which is not one of your countries.")
                % {"country": domain.get_country_name(question.country.code)},
            )
            return redirect("blend:home", slug=slug)
        if existing is not None and existing.status != ContributionStatus.DRAFT:
            messages.info(request, _("You already submitted an answer to this question."))
            return redirect("blend:mine", slug=slug)
        form = AnswerForm.for_answer(existing)
    return render(
        request,
        "blend/answer.html",
        {
            "challenge": challenge,
            "question": question,
            "form": form,
            "draft": existing,
            "closed": None if form.is_bound else _window_problem(challenge, request.user),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def skip(request, slug: str, question_id: int):
    challenge = get_challenge(request, slug, Challenge.Kind.BLEND)
    try:
        domain.skip_question(challenge=challenge, question_id=question_id, user=request.user)
    except ContributionRefused as error:
        messages.error(request, error.message)
    else:
        messages.info(request, _("Question skipped: you will not see it again."))
    return redirect("blend:home", slug=slug)


@login_required
def mine(request, slug: str):
    """The person's answers with their status, and why when one was rejected."""
    challenge = get_challenge(request, slug, Challenge.Kind.BLEND)
    form = MyAnswersFilterForm(request.GET)
    answers = BlendAnswer.objects.filter(challenge=challenge, author=request.user)
    if form.is_valid() and form.cleaned_data["status"]:
        answers = answers.filter(status=form.cleaned_data["status"])
    comments = BlendValidation.objects.filter(approve=False).exclude(comment="").order_by("id")
    answers = (
        answers.select_related("question")
        .prefetch_related(Prefetch("validations", queryset=comments, to_attr="rejection_comments"))
        .order_by("-id")
    )
    page = Paginator(answers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "blend/mine.html", {"challenge": challenge, "page": page, "form": form})


def _validation_context(challenge: Challenge, user, *, form=None) -> dict:
    country = domain.get_home_country(user=user)
    closed = _window_problem(challenge, user)
    answer = None
    if country and not closed:
        answer = domain.find_next_answer_to_validate(
            challenge=challenge, validator=user, country=country
        )
    return {
        "challenge": challenge,
        "country": domain.get_country_name(country) if country else "",
        "closed": closed,
        "answer": answer,
        "form": form or ValidationForm(),
    }


@login_required
def validate(request, slug: str):
    """One submitted answer of the person's country to validate at a time."""
    challenge = get_challenge(request, slug, Challenge.Kind.BLEND)
    return render(request, "blend/validate.html", _validation_context(challenge, request.user))


@login_required
@require_POST
def validate_answer(request, slug: str, answer_id: int):
    """Record a validation; then the next answer (as an htmx partial, or by redirect)."""
    challenge = get_challenge(request, slug, Challenge.Kind.BLEND)
    form = ValidationForm(request.POST)
    problem = None
    notice = None
    if form.is_valid():
        try:
            domain.validate_answer(
                challenge=challenge,
                answer_id=answer_id,
                validator=request.user,
                approve=form.approve,
                comment=form.cleaned_data["comment"],
            )
        except ContributionRefused as error:
            problem = str(error.message)
        else:
            notice = _("Thank you: your validation was recorded.")
    else:
        problem = " ".join(str(error) for errors in form.errors.values() for error in errors)
    if request.htmx:
        context = _validation_context(challenge, request.user)
        context.update({"problem": problem, "notice": notice})
        return render(request, "blend/validate.html#queue", context)
    if problem:
        messages.error(request, problem)
    else:
        messages.success(request, notice)
    return redirect("blend:validate", slug=slug)


@login_required
def countries(request, slug: str):
    """The other countries a person knows well, to answer their questions too."""
    challenge = get_challenge(request, slug, Challenge.Kind.BLEND)
    profile = BlendProfile.objects.filter(user=request.user).first()
    form = KnownCountriesForm(request.POST if request.method == "POST" else None, instance=profile)
    if request.method == "POST" and form.is_valid():
        domain.set_known_countries(user=request.user, countries=form.cleaned_data["countries"])
        messages.success(request, _("Your countries were saved."))
        return redirect("blend:home", slug=slug)
    return render(
        request,
        "blend/countries.html",
        {
            "challenge": challenge,
            "form": form,
            "home_country": domain.get_country_name(domain.get_home_country(user=request.user)),
        },
        status=400 if form.errors else 200,
    )


@organizer_required
def questions(request, slug: str):
    """The questions of the challenge with how many answers each has, for organizers."""
    challenge = get_challenge(request, slug, Challenge.Kind.BLEND)
    form = QuestionFilterForm(request.GET)
    items = BlendQuestion.objects.filter(challenge=challenge)
    if form.is_valid():
        if form.cleaned_data["country"]:
            items = items.filter(country=form.cleaned_data["country"])
        if form.cleaned_data["q"]:
            text = form.cleaned_data["q"]
            items = items.filter(
                Q(external_id__iexact=text) | Q(question__icontains=text) | Q(topic__icontains=text)
            )

    def count_of(**conditions):
        counted = (
            BlendAnswer.objects.filter(question=OuterRef("pk"), **conditions)
            .order_by()
            .values("question")
            .annotate(total=Count("pk"))
            .values("total")
        )
        return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))

    items = items.annotate(
        submitted=count_of(
            status__in=[s for s in ContributionStatus.values if s != ContributionStatus.DRAFT]
        ),
        validated=count_of(status=ContributionStatus.VALIDATED),
    ).order_by("country", "id")
    page = Paginator(items, QUESTIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "blend/questions.html", {"challenge": challenge, "page": page, "form": form}
    )


def announce_questions_added(request, report: UploadReport) -> None:
    """The messages after an accepted question bank: how many added, how many already stored,
    and which nearly repeat another question of their country."""
    message = _("%(created)s questions added.") % {"created": report.stored}
    if report.skipped:
        message += " " + _("%(count)s were already stored and were left as they are.") % {
            "count": report.skipped.total
        }
    messages.success(request, message)
    announce_upload_notes(request, report)


@organizer_required
def upload(request, slug: str):
    """Organizers upload questions, all or nothing, checked in the background (without a
    broker: at once), and read every problem with its row."""
    challenge = get_challenge(request, slug, Challenge.Kind.BLEND)
    form = (
        QuestionUploadForm(request.POST, request.FILES)
        if request.method == "POST"
        else QuestionUploadForm()
    )
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
                announce_questions_added(request, upload_report(sent))
                return redirect("blend:questions", slug=slug)
            errors = upload_errors(sent)
            form.add_error(None, describe_errors(errors) if errors else sent.refusal)
    return render(
        request,
        "blend/upload.html",
        {"challenge": challenge, "form": form, "errors": errors},
        status=400 if form.errors else 200,
    )
