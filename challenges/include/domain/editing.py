"""Editing a question its author uploaded, while it still waits for review."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from challenges.domain import ContributionRefused
from challenges.domain.own import apply_changes
from challenges.include.models import ExamQuestion
from challenges.uploads import UploadErrors, recheck_near_duplicates, record_near_duplicates

from .records import clean_question_record
from .upload import QUESTION_NEAR_DUPLICATES, ensure_can_add_questions

# What the author of a question may edit; the rest is its exam's description.
EDITABLE_QUESTION_FIELDS = (
    "question",
    "options",
    "answer",
    "category_en",
    "category_original_lang",
    "original_question_num",
)


def edit_question(
    *, item: ExamQuestion, author, values: Mapping[str, Any], now: dt.datetime | None = None
) -> dict[str, tuple[Any, Any]]:
    """The author edits a question that still waits for review (the caller,
    ``challenges.domain.own.amend_contribution``, has locked it and checked that it does), by
    the rules of an uploaded question (``clean_question_record``, into its own exam while the
    challenge is open, never a rejected exam): plain text, exactly 4 options, one correct,
    not the same as another question of the challenge; its category flag and near-duplicate
    mark follow the new text. Returns the fields that changed."""
    exam = item.exam
    ensure_can_add_questions(exam=exam, author=author, now=now)
    record = {
        "question": values.get("question"),
        "options": [values.get(f"option_{letter}") for letter in "abcd"],
        "answer": values.get("answer"),
        "category_en": values.get("category_en"),
        "category_original_lang": values.get("category_original_lang"),
        "original_question_num": values.get("original_question_num"),
        # The question keeps its own description, as typed on its row.
        **{
            key: getattr(item, key)
            for key in ("language", "country", "exam_name", "source", "license", "level")
        },
    }
    errors = UploadErrors()
    checked = clean_question_record(record, row=0, exam=exam, errors=errors)
    if checked is None:
        first = errors.shown[0]
        labels = {
            "question": _("Question"),
            "options": _("Options"),
            "answer": _("Correct option"),
            "category_en": _("Category (English)"),
            "category_original_lang": _("Category (original language)"),
            "original_question_num": _("Number in the exam"),
        }
        raise ContributionRefused(f"{labels.get(first.field, first.field)}: {first.message}")
    duplicate = _("This question is already stored.")
    others = ExamQuestion.objects.filter(challenge=item.challenge_id).exclude(pk=item.pk)
    if others.filter(fingerprint=checked.fingerprint).exists():
        raise ContributionRefused(duplicate)
    changes = apply_changes(
        item,
        {name: getattr(checked, name) for name in EDITABLE_QUESTION_FIELDS},
        EDITABLE_QUESTION_FIELDS,
    )
    if not changes:
        return {}
    item.fingerprint = checked.fingerprint
    item.flagged_category = checked.flagged_category
    compared = {"question", "options"} & set(changes)
    try:
        with transaction.atomic():
            if compared:
                near = recheck_near_duplicates(
                    model=ExamQuestion,
                    challenge=item.challenge,
                    item=item,
                    spec=QUESTION_NEAR_DUPLICATES,
                )
            item.save()
            if compared:
                record_near_duplicates(
                    model=ExamQuestion, challenge=item.challenge, items=[item], near=near
                )
    except IntegrityError as error:  # the same question, stored at the same moment
        raise ContributionRefused(duplicate) from error
    return changes
