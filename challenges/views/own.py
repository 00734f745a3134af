"""A participant's own contributions to a challenge: searched, filtered by status, paginated;
and, while one still waits for review, edited or withdrawn."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from challenges.domain import ContributionRefused, get_window_for_team
from challenges.domain.own import (
    SEARCH_MAX,
    amend_contribution,
    describe_amendable,
    ensure_amendable,
    find_own_contributions,
    withdraw_contribution,
)
from challenges.domain.peer_validation import find_team_id
from challenges.models import ContributionStatus
from challenges.shortcuts import get_collecting_challenge


class OwnSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=SEARCH_MAX)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Any"))] + list(ContributionStatus.choices),
    )


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that it is deleted and cannot be brought back."),
        error_messages={"required": gettext_lazy("Tick the box to withdraw it.")},
    )


def _own_item(request, challenge, intake, pk: int):
    """One of the person's own contributions to the challenge; anyone else's is not found."""
    item = (
        intake.model.objects.filter(pk=pk, challenge=challenge, author=request.user)
        .select_related(*intake.review_related)
        .first()
    )
    if item is None:
        raise Http404(_("No such contribution of yours."))
    return item


@login_required
def own_contributions(request, slug: str):
    """The person's contributions to the challenge, newest first, with what they can do."""
    challenge, intake = get_collecting_challenge(request, slug)
    form = OwnSearchForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    items = find_own_contributions(
        intake=intake,
        challenge=challenge,
        author=request.user,
        text=data.get("q", ""),
        status=data.get("status", ""),
    )
    page = Paginator(items, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    team_id = find_team_id(user=request.user, edition_id=challenge.edition_id)
    is_open = get_window_for_team(challenge=challenge, team_id=team_id).is_open
    rows = [
        (
            item,
            [column.value(item) for column in intake.review_columns],
            is_open and not describe_amendable(intake=intake, item=item),
        )
        for item in page.object_list
    ]
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "challenges/own_contributions.html",
        {
            "challenge": challenge,
            "intake": intake,
            "form": form,
            "page": page,
            "rows": rows,
            "filters": filters.urlencode(),
            "editable": intake.amendment is not None and intake.amendment.edit is not None,
        },
        status=200 if form.is_valid() else 400,
    )


def _refusal_before(request, challenge, intake, item) -> str:
    """On the page before a POST: why the item can no longer be changed ("" if it can)."""
    if request.method == "POST":
        return ""
    try:
        ensure_amendable(intake=intake, challenge=challenge, item=item, author=request.user)
    except ContributionRefused as error:
        return error.message
    return ""


def _act(request, form, *, slug: str, action, done: str):
    """A valid POST runs the domain action (its refusal goes on the form) and, once done,
    redirects to the person's list; None otherwise (the page is shown again)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        action()
    except ContributionRefused as error:
        form.add_error(None, error.message)
        return None
    messages.success(request, done)
    return redirect("challenges:own", slug=slug)


@login_required
def edit_contribution(request, slug: str, pk: int):
    """The kind's form for a new contribution, filled with the item's values."""
    challenge, intake = get_collecting_challenge(request, slug)
    amendment = intake.amendment
    if amendment is None or amendment.form is None:
        raise Http404(_("Contributions of this challenge cannot be edited."))
    item = _own_item(request, challenge, intake, pk)
    form = amendment.form(request.POST if request.method == "POST" else None, item)
    done = _act(
        request,
        form,
        slug=slug,
        action=lambda: amend_contribution(
            intake=intake,
            challenge=challenge,
            item_id=item.pk,
            author=request.user,
            values=form.cleaned_data,
        ),
        done=_("Your contribution was updated."),
    )
    if done is not None:
        return done
    return render(
        request,
        "challenges/own_edit.html",
        {
            "challenge": challenge,
            "item": item,
            "form": form,
            "refusal": _refusal_before(request, challenge, intake, item),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def withdraw(request, slug: str, pk: int):
    """Asks for a confirmation, then deletes the contribution (still waiting for review)."""
    challenge, intake = get_collecting_challenge(request, slug)
    if intake.amendment is None:
        raise Http404(_("Contributions of this challenge cannot be withdrawn."))
    item = _own_item(request, challenge, intake, pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    done = _act(
        request,
        form,
        slug=slug,
        action=lambda: withdraw_contribution(
            intake=intake, challenge=challenge, item_id=item.pk, author=request.user
        ),
        done=_("Your contribution was withdrawn."),
    )
    if done is not None:
        return done
    return render(
        request,
        "challenges/own_withdraw.html",
        {
            "challenge": challenge,
            "item": item,
            "values": [(column.label, column.value(item)) for column in intake.review_columns],
            "form": form,
            "refusal": _refusal_before(request, challenge, intake, item),
        },
        status=400 if request.method == "POST" else 200,
    )
