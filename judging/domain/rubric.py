"""The organizers' rubric editor: a judged challenge's criteria as one list, saved at once."""

from __future__ import annotations

import copy
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from challenges.domain import record_changes, take_snapshot
from challenges.models import Challenge, ChangeRecord
from hackathon.errors import RuleRefused
from scoring.judged import RUBRIC_TEXTS, rubric_values
from scoring.models import Criterion, CriterionMark

# What a criterion's marks are computed with: once judges marked, these stay as they are.
STRUCTURE = ("weight", "scale", "required")


class RubricRefused(RuleRefused):
    """The rubric could not be saved."""


def read_rubric(*, challenge: Challenge) -> list[dict]:
    """The challenge's criteria in order, as the editor's items (plain data)."""
    return [
        {
            **{name: getattr(criterion, name) for name in RUBRIC_TEXTS},
            "weight": format(criterion.weight.normalize(), "f"),
            "scale": criterion.scale,
            "required": criterion.required,
        }
        for criterion in Criterion.objects.filter(challenge=challenge).order_by("position", "pk")
    ]


def clean_item(item: dict, *, number: int) -> dict:
    """One criterion as the edition file writes it, or a refusal that says what is wrong."""
    if not str(item.get("label_es", "")).strip():
        raise RubricRefused(
            _("Criterion %(number)s needs a label in Spanish.") % {"number": number}
        )
    try:
        weight = Decimal(str(item.get("weight", "1")).replace(",", "."))
    except InvalidOperation:
        weight = Decimal(0)
    if not weight.is_finite() or not Decimal("0.01") <= weight <= Decimal("999"):
        raise RubricRefused(
            _("Criterion %(number)s: the weight is a number from 0.01 to 999.") % {"number": number}
        )
    try:
        scale = int(item.get("scale", 10))
    except (TypeError, ValueError):
        scale = 0
    if not 1 <= scale <= 10:
        raise RubricRefused(
            _("Criterion %(number)s: the scale goes from 1 to 10.") % {"number": number}
        )
    cleaned = {name: str(item.get(name, "")).strip() for name in RUBRIC_TEXTS}
    cleaned["weight"] = format(weight.normalize(), "f")
    cleaned["scale"] = scale
    cleaned["required"] = bool(item.get("required", True))
    return cleaned


def save_rubric(*, challenge: Challenge, items: list[dict], by) -> bool:
    """Organizers save the challenge's rubric (in this order): labels and guidance in es, pt
    and en, weight, scale and whether a mark is required. It is kept in the challenge's
    scoring data, as in the edition file, and recorded like any organizer's edit.

    Once a judge submitted marks, only the texts may change: a criterion added, removed or
    moved, a new weight, scale or requirement would change what those marks mean, so it is
    refused (edit the texts, or ask judges to mark again on a new challenge). Returns whether
    anything changed."""
    cleaned = [clean_item(item, number=number) for number, item in enumerate(items, start=1)]
    if not cleaned:
        raise RubricRefused(_("A rubric needs at least one criterion."))
    with transaction.atomic():
        locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
        current = read_rubric(challenge=locked)
        if CriterionMark.objects.filter(review__challenge=locked).exists():
            shape = [[rubric_values(item)[name] for name in STRUCTURE] for item in cleaned]
            old_shape = [[rubric_values(item)[name] for name in STRUCTURE] for item in current]
            labels = [item["label_es"] for item in cleaned]
            old_labels = [item["label_es"] for item in current]
            moved = labels != old_labels and sorted(labels) == sorted(old_labels)
            if shape != old_shape or moved:
                raise RubricRefused(
                    _(
                        "Judges already marked this challenge: only the labels and the guidance "
                        "can change, not the criteria, their order, weights, scales or "
                        "requirements."
                    )
                )
        if cleaned == current:
            return False
        before = take_snapshot(instance=locked, fields=["scoring"])
        scoring = copy.deepcopy(locked.scoring)
        scoring.setdefault("rule", "judged")
        scoring["rubric"] = cleaned
        locked.scoring = scoring
        locked.save(update_fields=["scoring"])  # the criteria follow (scoring.receivers)
        record_changes(
            edition=locked.edition,
            instance=locked,
            before=before,
            source=ChangeRecord.Source.ORGANIZER,
            changed_by=by,
        )
    challenge.scoring = locked.scoring
    return True
