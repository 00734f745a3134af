"""Organizers edit a judged challenge's rubric and preview the judge's form."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.decorators import organizer_required
from challenges.shortcuts import get_challenge
from judging.domain.rubric import RubricRefused, read_rubric, save_rubric
from judging.forms import MarksForm, RubricFormSet
from scoring.judged import rubric_values
from scoring.models import Criterion


def _items_of(formset) -> list[dict]:
    """The formset's criteria in the order asked (the "order" field, then as listed)."""
    kept = [
        (form.cleaned_data.get("position") or index + 1, index, form.cleaned_data)
        for index, form in enumerate(formset.forms)
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]
    kept.sort(key=lambda item: (item[0], item[1]))
    return [
        {key: value for key, value in data.items() if key not in ("DELETE", "position")}
        for _position, _index, data in kept
    ]


def _preview(items: list[dict]) -> MarksForm:
    criteria = []
    for number, item in enumerate(items, start=1):
        values = rubric_values({**item, "weight": str(item.get("weight") or Decimal(1))})
        criteria.append(Criterion(pk=number, position=number, **values))
    return MarksForm(criteria=criteria)


@organizer_required
def rubric(request, slug: str):
    challenge = get_challenge(request, slug)
    current = read_rubric(challenge=challenge)
    initial = [{**item, "position": number} for number, item in enumerate(current, start=1)]
    formset = RubricFormSet(request.POST or None, initial=initial, prefix="criteria")
    preview = _preview(current)
    if request.method == "POST" and formset.is_valid():
        items = _items_of(formset)
        if request.POST.get("preview"):
            preview = _preview(items)
        else:
            try:
                changed = save_rubric(challenge=challenge, items=items, by=request.user)
            except RubricRefused as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _("The rubric was saved.") if changed else _("Nothing changed."),
                )
                return redirect("judging:rubric", slug=slug)
    return render(
        request,
        "judging/rubric.html",
        {"challenge": challenge, "formset": formset, "preview": preview},
        status=400 if request.method == "POST" and not formset.is_valid() else 200,
    )
