"""Prompts: one by one from the form, or many at once from a file or a Hub dataset."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from challenges.countries import parse_country
from challenges.domain import (
    ContributionRefused,
    ensure_window_open,
)
from challenges.domain.own import apply_changes
from challenges.models import Challenge, ContributionStatus
from challenges.preferences.models import (
    Prompt,
)
from challenges.text import fingerprint
from challenges.uploads import (
    DuplicatePolicy,
    NearDuplicates,
    Repeats,
    UploadErrors,
    UploadRejected,
    UploadReport,
    check_near_duplicates,
    check_text,
    parse_rows,
    recheck_near_duplicates,
    record_near_duplicates,
    store_upload,
)

from .languages import parse_language
from .quiz import ensure_quiz_passed

PROMPT_MAX_LENGTH = 4000
SYSTEM_PROMPT_MAX_LENGTH = 2000
TOPIC_MAX_LENGTH = 100
# Columns of a prompt upload, and the names each is accepted under.
PROMPT_COLUMNS = {
    "text": ("prompt",),
    "country": ("pais", "país", "country"),
    "language": ("idioma", "language"),
    "system_prompt": ("system_prompt",),
    "topic": ("tema", "topic"),
}
# A prompt is compared by its text with every prompt of the challenge.
PROMPT_NEAR_DUPLICATES = NearDuplicates(text=lambda prompt: prompt.text, reads=("text",))
# Countries whose prompts are in Portuguese when a file does not say.
PORTUGUESE_COUNTRIES = {"BR", "PT", "AO", "MZ", "CV", "GW", "ST", "TL"}


def check_prompt(
    record: Mapping[str, Any],
    *,
    row: int,
    errors: UploadErrors,
    labels: Mapping[str, str],
) -> dict | None:
    """The checked values of one prompt (form or file row); problems go to ``errors``."""
    before = errors.total
    text = check_text(
        record, "text", row=row, errors=errors, max_length=PROMPT_MAX_LENGTH, label=labels["text"]
    )
    system_prompt = check_text(
        record,
        "system_prompt",
        row=row,
        errors=errors,
        required=False,
        max_length=SYSTEM_PROMPT_MAX_LENGTH,
        label=labels["system_prompt"],
    )
    topic = check_text(
        record,
        "topic",
        row=row,
        errors=errors,
        required=False,
        max_length=TOPIC_MAX_LENGTH,
        label=labels["topic"],
    )
    raw_country = record.get("country")
    country = parse_country(raw_country)
    if not country:
        if raw_country is None or not str(raw_country).strip():
            errors.add(row, labels["country"], _("This field is required."))
        else:
            errors.add(
                row,
                labels["country"],
                _("“%(value)s” is not a country: give its name or its two-letter ISO code.")
                % {"value": str(raw_country)[:60]},
            )
    raw_language = record.get("language")
    if raw_language is None or not str(raw_language).strip():
        language = "pt" if country in PORTUGUESE_COUNTRIES else "es"
    else:
        language = parse_language(raw_language)
        if not language:
            errors.add(
                row,
                labels["language"],
                _("“%(value)s” is not accepted: prompts are in Spanish (es) or Portuguese (pt).")
                % {"value": str(raw_language)[:40]},
            )
    if errors.total > before:
        return None
    return {
        "text": text,
        "system_prompt": system_prompt,
        "topic": topic,
        "country": country,
        "language": language,
        "fingerprint": fingerprint(text),
    }


def _form_labels() -> dict[str, str]:
    return {
        "text": _("Prompt"),
        "system_prompt": _("System prompt"),
        "topic": _("Topic"),
        "country": _("Country"),
        "language": _("Language"),
    }


def check_one_prompt(
    *, text: str, country: str, language: str = "", system_prompt: str = "", topic: str = ""
) -> dict:
    """The checked values of one prompt typed in a form (``check_prompt``'s rules), or
    ContributionRefused with the first problem."""
    errors = UploadErrors()
    values = check_prompt(
        {
            "text": text,
            "system_prompt": system_prompt,
            "topic": topic,
            "country": country,
            "language": language or "",
        },
        row=0,
        errors=errors,
        labels=_form_labels(),
    )
    if values is None:
        first = errors.shown[0]
        raise ContributionRefused(f"{first.field}: {first.message}")
    return values


def submit_prompt(
    *,
    challenge: Challenge,
    author,
    country: str,
    language: str,
    text: str,
    system_prompt: str = "",
    topic: str = "",
    now: dt.datetime | None = None,
) -> Prompt:
    """A person who passed the quiz submits one prompt while the challenge is open.

    The prompt is plain text in Spanish or Portuguese about a country; the same prompt
    (compared folded: case, accents, spacing, quotes and invisible characters aside) can be in the challenge only once,
    whoever sent it. It waits for validation by other teams; one that nearly repeats a stored
    prompt is marked as its possible duplicate for the organizers.
    """
    ensure_window_open(challenge=challenge, user=author, now=now)
    ensure_quiz_passed(challenge=challenge, user=author)
    values = check_one_prompt(
        text=text, system_prompt=system_prompt, topic=topic, country=country, language=language
    )
    duplicate = _("This prompt is already in the challenge.")
    if Prompt.objects.filter(challenge=challenge, fingerprint=values["fingerprint"]).exists():
        raise ContributionRefused(duplicate)
    prompt = Prompt(
        challenge=challenge,
        author=author,
        source=Prompt.Source.FORM,
        status=ContributionStatus.PENDING,
        **values,
    )
    try:
        with transaction.atomic():
            near = check_near_duplicates(
                model=Prompt, challenge=challenge, items=[prompt], spec=PROMPT_NEAR_DUPLICATES
            )
            prompt.save(force_insert=True)
            record_near_duplicates(model=Prompt, challenge=challenge, items=[prompt], near=near)
    except IntegrityError as error:  # the same prompt, sent at the same moment
        raise ContributionRefused(duplicate) from error
    return prompt


# The fields of a prompt its author may edit while it waits for validation.
EDITABLE_PROMPT_FIELDS = ("country", "language", "system_prompt", "text", "topic")


def describe_prompt_refusal(prompt: Prompt) -> str:
    """Why a prompt cannot be edited nor withdrawn by its author whatever its status: one taken
    from the arena's vote log (or a battle) is what people voted on."""
    if prompt.source == Prompt.Source.ARENA:
        return _("This prompt comes from the arena's votes: it cannot be edited or withdrawn.")
    return ""


def edit_prompt(
    *, item: Prompt, author, values: Mapping[str, Any], now: dt.datetime | None = None
) -> dict[str, tuple[Any, Any]]:
    """The author edits a prompt that still waits for validation (the caller,
    ``challenges.domain.own.amend_contribution``, has locked it and checked that it does), by
    the rules of a new prompt (``submit_prompt``): the quiz passed, plain text in Spanish or
    Portuguese about a country, not the same as another prompt of the challenge; its
    near-duplicate mark follows its new text. Returns the fields that changed."""
    challenge = item.challenge
    ensure_quiz_passed(challenge=challenge, user=author)
    if item.battles.exists() or item.votes.exists():
        raise ContributionRefused(
            _("This prompt comes from the arena's votes: it cannot be edited or withdrawn.")
        )
    checked = check_one_prompt(
        text=values.get("text", ""),
        system_prompt=values.get("system_prompt", ""),
        topic=values.get("topic", ""),
        country=values.get("country", ""),
        language=values.get("language", ""),
    )
    others = Prompt.objects.filter(challenge=challenge).exclude(pk=item.pk)
    duplicate = _("This prompt is already in the challenge.")
    if others.filter(fingerprint=checked["fingerprint"]).exists():
        raise ContributionRefused(duplicate)
    changes = apply_changes(item, checked, EDITABLE_PROMPT_FIELDS)
    if not changes:
        return {}
    item.fingerprint = checked["fingerprint"]
    try:
        with transaction.atomic():
            if "text" in changes:
                near = recheck_near_duplicates(
                    model=Prompt, challenge=challenge, item=item, spec=PROMPT_NEAR_DUPLICATES
                )
            item.save()
            if "text" in changes:
                record_near_duplicates(model=Prompt, challenge=challenge, items=[item], near=near)
    except IntegrityError as error:  # the same prompt, sent at the same moment
        raise ContributionRefused(duplicate) from error
    return changes


def _normalize_keys(record: Mapping[str, Any]) -> dict[str, Any]:
    return {str(key).strip().lower(): value for key, value in record.items()}


def import_prompts(
    *,
    challenge: Challenge,
    author,
    text: str,
    filename: str = "",
    now: dt.datetime | None = None,
    progress: Callable[[int, int], object] | None = None,
) -> UploadReport:
    """A person who passed the quiz uploads many prompts at once, while the challenge is open.

    Columns: ``prompt`` and ``pais`` (the country, by name or code) are required; ``idioma`` or
    ``language`` (es or pt; by default pt for Brazil and Portugal, es otherwise),
    ``system_prompt`` and ``tema`` or ``topic`` are optional. All or nothing: every row is
    checked, and if any row is wrong, or repeats a prompt of the file or of the challenge,
    nothing is stored (``DuplicatePolicy.REFUSE``). Returns the report (``stored``).
    ``progress(rows, errors)`` is told as rows are checked.
    """
    ensure_window_open(challenge=challenge, user=author, now=now)
    ensure_quiz_passed(challenge=challenge, user=author)
    rows = parse_rows(text, filename=filename)
    return _store_prompts(challenge=challenge, author=author, rows=rows, progress=progress)


def import_prompt_records(
    *,
    challenge: Challenge,
    author,
    rows: list[tuple[int, dict]],
    now: dt.datetime | None = None,
) -> UploadReport:
    """The same rules as ``import_prompts`` for records already read from elsewhere (a dataset
    of the Hub organization), numbered from 1: the quiz, the window, the same columns and
    checks, all or nothing. Returns the report (``stored``)."""
    ensure_window_open(challenge=challenge, user=author, now=now)
    ensure_quiz_passed(challenge=challenge, user=author)
    return _store_prompts(challenge=challenge, author=author, rows=rows)


def _store_prompts(
    *,
    challenge: Challenge,
    author,
    rows: list[tuple[int, dict]],
    progress: Callable[[int, int], object] | None = None,
) -> UploadReport:
    records = [(number, _normalize_keys(record)) for number, record in rows]
    present = set().union(*(record.keys() for _number, record in records))
    columns: dict[str, str | None] = {}
    missing = []
    for name, aliases in PROMPT_COLUMNS.items():
        columns[name] = next((alias for alias in aliases if alias in present), None)
    if columns["text"] is None:
        missing.append("prompt")
    if columns["country"] is None:
        missing.append("pais")
    if missing:
        raise UploadRejected(
            _("The file needs the columns %(columns)s (found: %(found)s).")
            % {
                "columns": ", ".join(f"“{name}”" for name in missing),
                "found": ", ".join(sorted(present)) or "—",
            }
        )
    labels = {name: column or PROMPT_COLUMNS[name][0] for name, column in columns.items()}

    def check_row(record: dict, *, row: int, errors: UploadErrors) -> Prompt | None:
        values = check_prompt(
            {name: record.get(column) if column else None for name, column in columns.items()},
            row=row,
            errors=errors,
            labels=labels,
        )
        if values is None:
            return None
        return Prompt(
            challenge=challenge,
            author=author,
            source=Prompt.Source.CSV,
            status=ContributionStatus.PENDING,
            **values,
        )

    return store_upload(
        rows=records,
        check_row=check_row,
        model=Prompt,
        challenge=challenge,
        duplicates=DuplicatePolicy.REFUSE,
        repeats=Repeats(
            field=labels["text"],
            same_as_row=_("The same prompt as row %(row)s."),
            already_stored=_("This prompt is already in the challenge."),
        ),
        conflict=UploadRejected(
            _(
                "Some of these prompts were just submitted by someone else; nothing was stored. "
                "Upload the file again to see which."
            )
        ),
        progress=progress,
        near_duplicates=PROMPT_NEAR_DUPLICATES,
    )
