"""Organizers invite and remove judges; an invited judge accepts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import organizer_required
from challenges.shortcuts import announce_form_errors, require_edition
from judging.domain.people import (
    InvitationRefused,
    accept_invitation,
    account_exists,
    find_invitation,
    invite_judge,
    remove_judge,
    set_capacity,
    withdraw_invitation,
)
from judging.forms import AcceptForm, CapacityForm, InviteForm
from judging.models import EditionJudge, JudgeInvitation


@organizer_required
def judges(request):
    """The edition's judges (capacity, remove) and the invitations (accepted or not)."""
    edition = require_edition(request)
    form = InviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invite_judge(
                edition=edition,
                email=form.cleaned_data["email"],
                by=request.user,
                link_for=lambda token: request.build_absolute_uri(
                    reverse("judging:accept", args=[token])
                ),
            )
        except InvitationRefused as error:
            form.add_error("email", error.message)
        else:
            messages.success(
                request, _("An invitation was sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("judging:judges")
    seats = Paginator(
        EditionJudge.objects.filter(edition=edition)
        .select_related("user__profile")
        .order_by("user__email"),
        50,
    ).get_page(request.GET.get("page"))
    invitations = list(
        JudgeInvitation.objects.filter(edition=edition, revoked_at__isnull=True).select_related(
            "accepted_by"
        )[:200]
    )
    return render(
        request,
        "judging/judges.html",
        {"form": form, "seats": seats, "invitations": invitations},
        status=400 if form.errors else 200,
    )


@organizer_required
@require_POST
def capacity(request, user_id: int):
    edition = require_edition(request)
    form = CapacityForm(request.POST)
    user = get_object_or_404(get_user_model(), pk=user_id)
    if form.is_valid():
        try:
            set_capacity(edition=edition, user=user, capacity=form.cleaned_data["capacity"])
        except InvitationRefused as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The capacity was saved."))
    else:
        announce_form_errors(request, form)
    return redirect("judging:judges")


@organizer_required
@require_POST
def remove(request, user_id: int):
    edition = require_edition(request)
    user = get_object_or_404(get_user_model(), pk=user_id)
    try:
        removed = remove_judge(edition=edition, user=user)
    except InvitationRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(email)s no longer judges this edition (%(count)s assignments removed).")
            % {"email": user.email, "count": removed},
        )
    return redirect("judging:judges")


@organizer_required
@require_POST
def withdraw(request, pk: int):
    edition = require_edition(request)
    withdraw_invitation(invitation=get_object_or_404(JudgeInvitation, pk=pk, edition=edition))
    messages.success(request, _("The invitation was withdrawn."))
    return redirect("judging:judges")


def accept(request, token: str):
    """The invitation's link: the signed-in person, the account with the invited address or a
    new account becomes a judge; the address counts as verified."""
    invitation = find_invitation(token=token)
    if invitation is None:
        return render(request, "judging/invitation_gone.html", status=404)
    existing = account_exists(email=invitation.email)
    signed_in = request.user.is_authenticated
    form = AcceptForm(request.POST or None) if not (signed_in or existing) else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            user = accept_invitation(
                invitation=invitation,
                user=request.user if signed_in else None,
                **(
                    {
                        "password": form.cleaned_data["password"],
                        "display_name": form.cleaned_data["display_name"],
                    }
                    if form is not None
                    else {}
                ),
            )
        except InvitationRefused as error:
            if form is None:
                messages.error(request, error.message)
                return redirect("judging:accept", token=token)
            form.add_error("password", error.message)
        else:
            if signed_in or form is not None:
                if not signed_in:
                    login(request, user, backend="accounts.backends.ModelBackend")
                messages.success(request, _("Welcome! You are now a judge of this edition."))
                return redirect("judging:home")
            messages.success(
                request,
                _("Your address is verified and you are a judge: log in with your password."),
            )
            return redirect(f"{reverse('account_login')}?next={reverse('judging:home')}")
    return render(
        request,
        "judging/accept.html",
        {"invitation": invitation, "form": form, "existing": existing},
        status=400 if form is not None and form.errors else 200,
    )
