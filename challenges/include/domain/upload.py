"""Uploading questions: a file or a Hub dataset of records added to an exam, all or nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from challenges.domain import (
    ContributionRefused,
    ensure_window_open,
)
from challenges.include.models import (
    Exam,
    ExamQuestion,
)
from challenges.models import Challenge, ContributionStatus
from challenges.uploads import (
    UploadErrors,
    UploadRejected,
    parse_rows,
    read_text,
)

from .records import clean_question_record

# How many fingerprints are looked up per query: the edition's are never all loaded.
FINGERPRINT_CHUNK = 900
BULK_BATCH = 2000


@dataclass
class UploadReport:
    """What an accepted upload stored, and which rows it skipped as duplicates (and why)."""

    stored: int = 0
    flagged: int = 0
    skipped: UploadErrors = field(default_factory=UploadErrors)


def find_stored_fingerprints(*, challenge: Challenge, fingerprints: Iterable[str]) -> set[str]:
    """Which of these fingerprints the challenge already holds, asked in chunks (index-backed
    by the unique constraint), without loading the challenge's other fingerprints."""
    fingerprints = list(fingerprints)
    stored: set[str] = set()
    for start in range(0, len(fingerprints), FINGERPRINT_CHUNK):
        chunk = fingerprints[start : start + FINGERPRINT_CHUNK]
        stored.update(
            ExamQuestion.objects.filter(challenge=challenge, fingerprint__in=chunk).values_list(
                "fingerprint", flat=True
            )
        )
    return stored


def upload_questions(
    *, exam: Exam, author, upload, filename: str = "", now: dt.datetime | None = None
) -> UploadReport:
    """A participant adds the questions of one of their exams from a file (JSON array, JSON
    Lines or CSV; official records or the workshop's format), while the challenge is open for
    them.

    All or nothing: when any row is invalid nothing is stored and every error is reported with
    its row and field (``UploadRejected``). A question already stored in the challenge, or
    repeated in the file, is skipped and reported, and the rest is stored. Questions of a
    rejected exam are not taken. New questions wait for review (pending).
    """
    ensure_can_add_questions(exam=exam, author=author, now=now)
    rows = parse_rows(read_text(upload), filename=filename or getattr(upload, "name", ""))
    return _store_questions(exam=exam, rows=rows)


def ensure_can_add_questions(*, exam: Exam, author, now: dt.datetime | None = None) -> None:
    """Questions go only to the person's own exam, while the challenge is open for them, and
    never to a rejected exam."""
    if exam.author_id != author.pk:
        raise ContributionRefused(_("You can only add questions to your own exams."))
    ensure_window_open(challenge=exam.challenge, user=author, now=now)
    if exam.status == ContributionStatus.REJECTED:
        raise ContributionRefused(_("This exam was rejected; its questions are not taken."))


def add_question_records(
    *, exam: Exam, author, rows: list[tuple[int, dict]], now: dt.datetime | None = None
) -> UploadReport:
    """The same rules as ``upload_questions`` for records already read from elsewhere (a
    dataset of the Hub organization), numbered from 1: the same checks, all or nothing, the
    same duplicates skipped, the new questions pending."""
    ensure_can_add_questions(exam=exam, author=author, now=now)
    return _store_questions(exam=exam, rows=rows)


def _store_questions(*, exam: Exam, rows: list[tuple[int, dict]]) -> UploadReport:
    errors = UploadErrors()
    candidates = []
    for row, record in rows:
        question = clean_question_record(record, row=row, exam=exam, errors=errors)
        if question is not None:
            candidates.append((row, question))
    if errors:
        raise UploadRejected(errors)

    report = UploadReport()
    notices: list[tuple[int, str]] = []
    with transaction.atomic():
        # One upload per exam at a time: a file sent twice finds the first copy stored.
        locked = Exam.objects.select_for_update().get(pk=exam.pk)
        if locked.status == ContributionStatus.REJECTED:
            raise ContributionRefused(_("This exam was rejected; its questions are not taken."))
        first_row: dict[str, int] = {}
        fresh = []
        for row, question in candidates:
            if question.fingerprint in first_row:
                notices.append(
                    (row, _("Duplicate of row %(row)s.") % {"row": first_row[question.fingerprint]})
                )
                continue
            first_row[question.fingerprint] = row
            fresh.append((row, question))
        stored = find_stored_fingerprints(challenge=exam.challenge, fingerprints=first_row)
        new = []
        for row, question in fresh:
            if question.fingerprint in stored:
                notices.append((row, _("Already stored in this challenge.")))
            else:
                new.append(question)
        try:
            with transaction.atomic():
                ExamQuestion.objects.bulk_create(new, batch_size=BULK_BATCH)
        except IntegrityError as error:
            # Somebody else stored one of these questions between the check and the insert.
            raise ContributionRefused(
                _(
                    "Some of these questions were stored by someone else at the same moment. Upload the file again: they will be skipped."
                )
            ) from error
    for row, message in sorted(notices):
        report.skipped.add(row, "question", message)
    report.stored = len(new)
    report.flagged = sum(1 for question in new if question.flagged_category)
    return report
