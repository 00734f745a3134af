"""Pages of the stereotypes challenge: consent, reading profile, the validator (participants);
the pool and the invalidation of a person's ratings (organizers)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import organizer_required
from accounts.languages import LANGUAGE_CODES
from accounts.models import Profile
from challenges.domain import ContributionRefused, uploads
from challenges.models import Challenge, Upload
from challenges.shortcuts import get_challenge
from challenges.stereotypes import domain
from challenges.stereotypes.forms import (
    ConsentForm,
    InvalidateForm,
    PoolUploadForm,
    RatingForm,
    StereotypeProfileForm,
)
from challenges.stereotypes.models import StereotypeConsent, StereotypePair
from challenges.tasks import check_without_broker, send_upload_check
from challenges.uploads import UploadRejected, UploadReport, describe_errors

REPORT_KEY = "stereotypes_pool_report"


def _rating_form(state: domain.ValidatorState) -> RatingForm | None:
    if state.pair is None:
        return None
    regions = state.profile.regions if state.profile else []
    return RatingForm(initial={"pair": state.pair.pk, "region": regions[0] if regions else ""})


# --- participants --------------------------------------------------------------------------------


@login_required
def consent(request, slug: str):
    """The consent text's current version; accepting it records the version and the time."""
    challenge = get_challenge(request, slug, Challenge.Kind.STEREOTYPES)
    text = domain.get_consent_text(challenge=challenge)
    accepted = StereotypeConsent.objects.filter(
        user=request.user, challenge=challenge, version=text.version
    ).first()
    form = ConsentForm(request.POST or None, initial={"version": text.version})
    if request.method == "POST" and form.is_valid():
        try:
            # A missing or old version is refused by the rule: the text changed since the page.
            domain.accept_consent(
                user=request.user, challenge=challenge, version=form.cleaned_data["version"]
            )
        except ContributionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Thank you: your consent was recorded."))
            if domain.get_profile(user=request.user, challenge=challenge) is None:
                return redirect("stereotypes:profile", slug=slug)
            return redirect("stereotypes:home", slug=slug)
    return render(
        request,
        "stereotypes/consent.html",
        {"challenge": challenge, "text": text, "accepted": accepted, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def profile(request, slug: str):
    """The languages the person reads and the nationalities and regions they identify with."""
    challenge = get_challenge(request, slug, Challenge.Kind.STEREOTYPES)
    text = domain.get_consent_text(challenge=challenge)
    if not domain.has_accepted_consent(
        user=request.user, challenge=challenge, version=text.version
    ):
        return redirect("stereotypes:consent", slug=slug)
    current = domain.get_profile(user=request.user, challenge=challenge)
    if current is not None:
        initial = {
            "languages": current.languages,
            "nationalities": ", ".join(current.nationalities),
            "regions": ", ".join(current.regions),
        }
    else:
        declared = (
            Profile.objects.filter(user=request.user).values_list("languages", flat=True).first()
        )
        initial = {"languages": [code for code in declared or [] if code in LANGUAGE_CODES]}
    form = StereotypeProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            domain.save_profile(
                user=request.user,
                challenge=challenge,
                languages=form.cleaned_data["languages"],
                nationalities=form.cleaned_data["nationalities"],
                regions=form.cleaned_data["regions"],
            )
        except ContributionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(
                request, _("Saved. Here is your first pair.") if current is None else _("Saved.")
            )
            return redirect("stereotypes:home", slug=slug)
    return render(
        request,
        "stereotypes/profile.html",
        {
            "challenge": challenge,
            "form": form,
            "current": current,
            "suggestions": domain.known_nationalities(challenge=challenge),
        },
        status=400 if form.errors else 200,
    )


@login_required
def home(request, slug: str):
    """The validator: one pair at a time, in a language the person reads, until none is left."""
    challenge = get_challenge(request, slug, Challenge.Kind.STEREOTYPES)
    state = domain.get_validator_state(challenge=challenge, user=request.user)
    if not state.refusal and not state.consented:
        return redirect("stereotypes:consent", slug=slug)
    if not state.refusal and state.profile is None:
        return redirect("stereotypes:profile", slug=slug)
    return render(
        request,
        "stereotypes/validate.html",
        {"challenge": challenge, "state": state, "form": _rating_form(state)},
    )


@login_required
@require_POST
def rate(request, slug: str):
    """Rate or skip the pair shown; answers the next pair (the htmx partial) or redirects."""
    challenge = get_challenge(request, slug, Challenge.Kind.STEREOTYPES)
    htmx = bool(request.htmx)
    form = RatingForm(request.POST)
    notice, error, shown_pair = "", "", None
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == RatingForm.SKIP:
                domain.skip_pair(challenge=challenge, user=request.user, pair_id=data["pair"])
                notice = _("Pair skipped. Here is the next one.")
            else:
                domain.rate_pair(
                    challenge=challenge,
                    user=request.user,
                    pair_id=data["pair"],
                    rating=data["rating"],
                    extra_attribute=data["extra_attribute"],
                    other_nationalities=data["other_nationalities"],
                    region=data["region"],
                )
                notice = _("Rating saved. Here is the next pair.")
        except ContributionRefused as refused:
            error = str(refused.message)
        if not htmx:
            if error:
                messages.error(request, error)
            else:
                messages.success(request, notice)
            return redirect("stereotypes:home", slug=slug)
    elif form.cleaned_data.get("pair"):
        # Show the same pair again with the errors (when it is a pair of this challenge).
        shown_pair = StereotypePair.objects.filter(
            challenge=challenge, pk=form.cleaned_data["pair"]
        ).first()
    if not form.is_valid() and shown_pair is None:
        error = _("The pair you answered was not found; nothing was saved. Here is the next one.")
    state = domain.get_validator_state(challenge=challenge, user=request.user, pair=shown_pair)
    if form.is_valid() or shown_pair is None:
        form = _rating_form(state)
    context = {
        "challenge": challenge,
        "state": state,
        "form": form,
        "notice": notice,
        "error": error,
        "swapped": htmx,
    }
    if htmx:
        # htmx swaps 2xx answers only: errors come back with 200, inside the partial.
        return render(request, "stereotypes/validate.html#validator", context)
    return render(request, "stereotypes/validate.html", context, status=400)


# --- organizers ----------------------------------------------------------------------------------


def _pool_context(request, challenge: Challenge) -> dict:
    search = request.GET.get("q", "").strip()[:100]
    page = Paginator(
        domain.pool_with_counts(challenge=challenge, search=search), settings.PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return {"challenge": challenge, "page": page, "query": search}


@organizer_required
def pool(request, slug: str):
    """The pool of pairs, with how many validated, invalidated and skipped answers each has."""
    challenge = get_challenge(request, slug, Challenge.Kind.STEREOTYPES)
    context = _pool_context(request, challenge)
    context["form"] = PoolUploadForm()
    context["report"] = request.session.pop(REPORT_KEY, None)
    return render(request, "stereotypes/pool.html", context)


def announce_pairs_added(request, report: UploadReport) -> None:
    """The message after an accepted pool file; the pool page then shows its report."""
    request.session[REPORT_KEY] = report.as_dict()
    messages.success(
        request,
        _("%(created)s pairs added; %(duplicates)s duplicates left out.")
        % {"created": report.stored, "duplicates": report.skipped.total},
    )


@organizer_required
@require_POST
def upload_pool(request, slug: str):
    """Add a pool file, all or nothing, checked in the background (without a broker: at once);
    the errors (row, field) or the report of what was added."""
    challenge = get_challenge(request, slug, Challenge.Kind.STEREOTYPES)
    form = PoolUploadForm(request.POST, request.FILES)
    upload_errors = None
    if form.is_valid():
        try:
            sent = uploads.start_upload(
                challenge=challenge,
                user=request.user,
                file=form.cleaned_data["file"],
                channel=Upload.Channel.ORGANIZERS,
                enqueue=send_upload_check,
            )
        except ContributionRefused as error:
            form.add_error("file", error.message)
        except UploadRejected as rejected:
            upload_errors = rejected.errors
            form.add_error("file", describe_errors(rejected.errors))
        else:
            sent = check_without_broker(sent)
            if sent.is_active:  # a worker checks it: its page follows the check
                return redirect("challenges:upload", pk=sent.pk)
            if sent.status == Upload.Status.DONE:
                announce_pairs_added(request, uploads.upload_report(sent))
                return redirect("stereotypes:pool", slug=slug)
            upload_errors = uploads.upload_errors(sent)
            form.add_error(
                "file", describe_errors(upload_errors) if upload_errors else sent.refusal
            )
    context = _pool_context(request, challenge)
    context.update({"form": form, "upload_errors": upload_errors})
    return render(request, "stereotypes/pool.html", context, status=400)


@organizer_required
def invalidate(request, slug: str):
    """Invalidate every validated rating of one person (spam), with a reason they read."""
    challenge = get_challenge(request, slug, Challenge.Kind.STEREOTYPES)
    form = InvalidateForm(
        request.POST or None, initial={"person": request.GET.get("person", "")[:254]}
    )
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["person"]
        try:
            changed = domain.invalidate_ratings(
                challenge=challenge,
                author=person,
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ContributionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(
                request,
                _("%(count)s ratings of participant #%(person)s were invalidated.")
                % {"count": changed, "person": person.pk},
            )
            return redirect("stereotypes:invalidate", slug=slug)
    raters = Paginator(domain.raters_with_counts(challenge=challenge), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    raters.object_list = domain.name_raters(raters.object_list)
    return render(
        request,
        "stereotypes/invalidate.html",
        {"challenge": challenge, "form": form, "raters": raters},
        status=400 if form.errors else 200,
    )
