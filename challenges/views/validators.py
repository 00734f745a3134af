"""The organizers' page on a peer-validated challenge's validators, and voiding one's votes."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.decorators import organizer_required
from challenges.domain import ContributionRefused
from challenges.domain.peer_validation import get_peer_validation, void_validations
from challenges.domain.validator_stats import count_by_validator, describe_validators, pair_teams
from challenges.forms import VoidValidationsForm
from challenges.shortcuts import announce_form_errors, get_challenge


def _challenge_and_peer(request, slug: str):
    challenge = get_challenge(request, slug)
    peer = get_peer_validation(challenge=challenge)
    if peer is None:
        raise Http404(_("Peers do not validate this challenge's contributions."))
    return challenge, peer


@organizer_required
def validators(request, slug: str):
    """Each validator's numbers, the pairs of teams, and what stands out; paginated."""
    challenge, peer = _challenge_and_peer(request, slug)
    page = Paginator(
        count_by_validator(challenge=challenge, peer=peer), settings.PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = describe_validators(
        challenge=challenge,
        peer=peer,
        rows=list(page.object_list),
        fast_seconds=settings.PEER_VALIDATION_FAST_SECONDS,
    )
    pairs = Paginator(
        pair_teams(
            challenge=challenge,
            peer=peer,
            reciprocal_approvals=settings.PEER_VALIDATION_RECIPROCAL_APPROVALS,
        ),
        settings.PAGE_SIZE,
    ).get_page(request.GET.get("pairs"))
    return render(
        request,
        "challenges/validators.html",
        {
            "challenge": challenge,
            "page": page,
            "rows": rows,
            "pairs": pairs,
            "fast_seconds": settings.PEER_VALIDATION_FAST_SECONDS,
            "reciprocal_approvals": settings.PEER_VALIDATION_RECIPROCAL_APPROVALS,
            "void_form": VoidValidationsForm(),
        },
    )


@organizer_required
@require_POST
def void_validator(request, slug: str, user_id: int):
    """Void every vote of one validator in the challenge (a reason and a confirmation)."""
    challenge, _peer = _challenge_and_peer(request, slug)
    form = VoidValidationsForm(request.POST)
    if not form.is_valid():
        announce_form_errors(request, form)
        return redirect("challenges:validators", slug=slug)
    try:
        report = void_validations(
            challenge=challenge,
            validator_id=user_id,
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except ContributionRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            ngettext(
                "%(votes)s vote voided; items decided again: %(items)s.",
                "%(votes)s votes voided; items decided again: %(items)s.",
                report.votes,
            )
            % {"votes": report.votes, "items": report.redecided},
        )
    return redirect("challenges:validators", slug=slug)
