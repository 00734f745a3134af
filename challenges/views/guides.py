"""A guide's anonymous feedback form, and the organizers' page that reads the feedback."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Avg, Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited

from accounts.decorators import organizer_required
from challenges.domain.guides import give_guide_feedback
from challenges.forms import GuideFeedbackForm
from challenges.models import GuideFeedback
from challenges.shortcuts import get_challenge

# The session holds a random key of the browser's own, which the rate limit counts by: never
# stored with the feedback, and not the account nor the address.
BROWSER_KEY = "guide_feedback_browser"
FEEDBACK_PAGE_SIZE = 50


def _browser_key(group: str, request) -> str:
    key = request.session.get(BROWSER_KEY)
    if not key:
        key = request.session[BROWSER_KEY] = secrets.token_hex(16)
    return key


def guide_feedback(request, slug: str, guide: str):
    challenge = get_challenge(request, slug)
    the_guide = get_object_or_404(challenge.guides, slug=guide)
    _browser_key("", request)
    form = GuideFeedbackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if is_ratelimited(
            request,
            group="guide-feedback",
            key=_browser_key,
            rate=settings.GUIDE_FEEDBACK_RATE,
            increment=True,
        ):
            form.add_error(
                None, _("You sent a lot of feedback from this browser: try again later.")
            )
        else:
            give_guide_feedback(
                guide=the_guide,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, _("Thank you: your feedback was sent, anonymously."))
            return redirect("challenges:detail", slug=slug)
    status = 429 if form.non_field_errors() else 400 if form.errors else 200
    return render(
        request,
        "challenges/guide_feedback.html",
        {"challenge": challenge, "guide": the_guide, "form": form},
        status=status,
    )


@organizer_required
def organize_feedback(request, slug: str):
    challenge = get_challenge(request, slug)
    guides = challenge.guides.annotate(responses=Count("feedback"), average=Avg("feedback__rating"))
    feedback = GuideFeedback.objects.filter(guide__challenge=challenge).select_related("guide")
    page = Paginator(feedback, FEEDBACK_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "challenges/organize_feedback.html",
        {"challenge": challenge, "guides": guides, "page": page},
    )
