"""Organizers import a preference dataset in the shared 2025 shape ("v0": country,
system_prompt, question, chosen, rejected; one row per prompt), so that an earlier edition's
published prompts and their preferred answers join the challenge."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges.domain import decide_contributions
from challenges.models import Challenge, ContributionStatus
from challenges.preferences.models import ArenaUpload, ArenaVote, Prompt
from challenges.text import fingerprint
from challenges.uploads import (
    PROGRESS_EVERY,
    UploadErrors,
    UploadRejected,
    check_text,
    detect_format,
    parse_rows,
)

from .arena import ARENA_TEXT_MAX_LENGTH, ArenaImportReport
from .batching import BATCH_SIZE
from .prompts import check_prompt

# The columns of the shared shape; "language" may be added, the others are required.
SHARED_SHAPE_COLUMNS = ("country", "system_prompt", "question", "chosen", "rejected")
REQUIRED_COLUMNS = ("country", "question", "chosen", "rejected")
# How a row's problems name its fields: by the file's columns.
SHARED_SHAPE_LABELS = {
    "text": "question",
    "system_prompt": "system_prompt",
    "topic": "topic",
    "country": "country",
    "language": "language",
}


def is_shared_shape(text: str, *, filename: str = "") -> bool:
    """Whether an uploaded file is a CSV in the shared shape rather than an arena vote log: its
    first line names the columns question, chosen and rejected."""
    if detect_format(text, filename) != "csv":
        return False
    header = {
        name.strip().strip('"').lower()
        for name in text.lstrip("\ufeff").split("\n", 1)[0].split(",")
    }
    return {"question", "chosen", "rejected"} <= header


def prompt_key(*, country: str, system_prompt: str, question: str) -> str:
    """What makes a prompt of the shared shape itself: its country, system prompt and question
    (folded), so that one question asked for several countries stays several prompts. Stored
    as the imported prompt's fingerprint."""
    return fingerprint("shared", country, system_prompt, question)


def _check_row(record: dict[str, Any], *, row: int, errors: UploadErrors) -> dict | None:
    """A row's prompt under the rules of a prompt upload (``prompts.check_prompt``: country,
    language, lengths, plain text), and its two answers."""
    before = errors.total
    prompt = check_prompt(
        {
            "text": record.get("question"),
            "system_prompt": record.get("system_prompt"),
            "topic": None,
            "country": record.get("country"),
            "language": record.get("language"),
        },
        row=row,
        errors=errors,
        labels=SHARED_SHAPE_LABELS,
    )
    answers = [
        check_text(
            record, name, row=row, errors=errors, required=False, max_length=ARENA_TEXT_MAX_LENGTH
        )
        for name in ("chosen", "rejected")
    ]
    if prompt is None or errors.total > before:
        return None
    chosen, rejected = answers
    country, system_prompt, question = prompt["country"], prompt["system_prompt"], prompt["text"]
    return {
        "country": country,
        "language": prompt["language"],
        "system_prompt": system_prompt,
        "question": question,
        "chosen": chosen,
        "rejected": rejected,
        "key": prompt_key(country=country, system_prompt=system_prompt, question=question),
    }


def _stored_keys(*, challenge: Challenge, keys: Iterable[str]) -> dict[str, int]:
    keys, found = list(keys), {}
    for start in range(0, len(keys), BATCH_SIZE):
        found.update(
            Prompt.objects.filter(
                challenge=challenge, fingerprint__in=keys[start : start + BATCH_SIZE]
            ).values_list("fingerprint", "pk")
        )
    return found


def import_shared_preferences(
    *,
    challenge: Challenge,
    text: str,
    filename: str = "",
    by,
    progress: Callable[[int, int], object] | None = None,
) -> ArenaImportReport:
    """Organizers import a CSV in the shared shape: columns country (a name such as "Perú" or
    an ISO code), system_prompt (may be empty), question, chosen and rejected (either may be
    empty), and optionally language (es or pt; by default pt for Brazil and Portugal).

    Each row becomes a prompt of the challenge (source: a dataset; the importing organizer its
    author) validated by that organizer (a ReviewDecision each, since the dataset was
    validated when it was published), and, when both answers are written, a vote that chose
    ``chosen`` over ``rejected`` (no model names: the shape has none). Duplicates are judged on
    (country, system prompt, question): a question repeated for several countries stays
    several prompts; a row repeating an earlier row or a prompt imported before is skipped and
    counted, so importing the same file twice adds nothing. All or nothing: one wrong row
    (unknown country, missing question, HTML...) stores nothing.
    """
    rows = parse_rows(text, filename=filename)
    records = [
        (number, {str(k).strip().lower(): v for k, v in record.items()}) for number, record in rows
    ]
    present = set().union(*(record.keys() for _number, record in records))
    missing = [name for name in REQUIRED_COLUMNS if name not in present]
    if missing:
        raise UploadRejected(
            _("The file needs the columns %(columns)s (found: %(found)s).")
            % {
                "columns": ", ".join(f"“{name}”" for name in missing),
                "found": ", ".join(sorted(present)) or "—",
            }
        )
    errors = UploadErrors()
    parsed = []
    for checked, (number, record) in enumerate(records, start=1):
        if progress is not None and checked % PROGRESS_EVERY == 0:
            progress(checked, errors.total)
        values = _check_row(record, row=number, errors=errors)
        if values is not None:
            parsed.append((number, record, values))
    if errors:
        raise UploadRejected(errors)
    now = timezone.now()
    with transaction.atomic():
        # One upload at a time per challenge: the duplicates check below stays true.
        Challenge.objects.select_for_update().filter(pk=challenge.pk).first()
        stored = _stored_keys(challenge=challenge, keys=(values["key"] for *_r, values in parsed))
        upload = ArenaUpload.objects.create(
            challenge=challenge, uploaded_by=by, filename=filename[:255]
        )
        new: dict[str, tuple[dict, dict]] = {}
        for _number, record, values in parsed:
            if values["key"] not in stored and values["key"] not in new:
                new[values["key"]] = (record, values)
        prompts = Prompt.objects.bulk_create(
            [
                Prompt(
                    challenge=challenge,
                    author=by,
                    source=Prompt.Source.DATASET,
                    status=ContributionStatus.PENDING,
                    country=values["country"],
                    language=values["language"],
                    system_prompt=values["system_prompt"],
                    text=values["question"],
                    fingerprint=key,
                )
                for key, (_record, values) in new.items()
            ],
            batch_size=BATCH_SIZE,
        )
        votes = [
            ArenaVote(
                challenge=challenge,
                upload=upload,
                prompt=prompt,
                vote_type=ArenaVote.VoteType.LEFT,
                system_prompt=values["system_prompt"],
                question=values["question"],
                question_fingerprint=fingerprint(values["question"]),
                answer_a=values["chosen"],
                answer_b=values["rejected"],
                chosen=values["chosen"],
                rejected=values["rejected"],
                tstamp=now,
                raw=dict(record),
                fingerprint=key,
            )
            for prompt, (key, (record, values)) in zip(prompts, new.items(), strict=True)
            if values["chosen"] and values["rejected"]
        ]
        ArenaVote.objects.bulk_create(votes, batch_size=BATCH_SIZE)
        if prompts:
            decide_contributions(
                model=Prompt,
                challenge=challenge,
                ids=[prompt.pk for prompt in prompts],
                status=ContributionStatus.VALIDATED,
                by=by,
            )
        upload.votes_added = upload.matched = len(votes)
        upload.prompts_created = len(prompts)
        upload.duplicates = len(parsed) - len(prompts)
        upload.save(update_fields=["votes_added", "matched", "prompts_created", "duplicates"])
    return ArenaImportReport(
        upload=upload,
        added=len(votes),
        duplicates=len(parsed) - len(prompts),
        matched=len(votes),
        unmatched=0,
        prompts_created=len(prompts),
        rows=len(rows),
    )
