"""Uploading questions: a file or a Hub dataset of records added to an exam, all or nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial

from django.utils.translation import gettext as _

from challenges.domain import ContributionRefused, ensure_window_open
from challenges.include.models import Exam, ExamQuestion, compared_text
from challenges.models import ContributionStatus
from challenges.uploads import (
    DuplicatePolicy,
    NearDuplicates,
    Repeats,
    UploadReport,
    parse_rows,
    read_text,
    store_upload,
)

from .records import clean_question_record, difference_notice, question_template

# A question is compared with its text and options, with every question of the challenge.
QUESTION_NEAR_DUPLICATES = NearDuplicates(
    text=lambda question: compared_text(question.question, question.options),
    reads=("question", "options"),
    # A new question's folded text, from the folded parts of its fingerprint.
    folded=lambda question: getattr(question, "folded_text", None),
)


def upload_questions(
    *,
    exam: Exam,
    author,
    upload,
    filename: str = "",
    now: dt.datetime | None = None,
    progress: Callable[[int, int], object] | None = None,
) -> UploadReport:
    """A participant adds the questions of one of their exams from a file (JSON array, JSON
    Lines or CSV; official records or the workshop's format), while the challenge is open for
    them.

    All or nothing: when any row is invalid nothing is stored and every error is reported with
    its row and field (``UploadRejected``). A question already stored in the challenge, or
    repeated in the file, is skipped and reported, and the rest is stored. Questions of a
    rejected exam are not taken. New questions wait for review (pending); one that nearly
    repeats a stored question or an earlier row is marked as its possible duplicate, and one
    whose language or country is not its exam's is flagged, both reported. ``progress(rows,
    errors)`` is told as rows are checked.
    """
    ensure_can_add_questions(exam=exam, author=author, now=now)
    rows = parse_rows(read_text(upload), filename=filename or getattr(upload, "name", ""))
    return _store_questions(exam=exam, rows=rows, progress=progress)


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


def _store_questions(
    *,
    exam: Exam,
    rows: list[tuple[int, dict]],
    progress: Callable[[int, int], object] | None = None,
) -> UploadReport:
    def lock_exam() -> None:
        # One upload per exam at a time: a file sent twice finds the first copy stored.
        locked = Exam.objects.select_for_update().get(pk=exam.pk)
        if locked.status == ContributionStatus.REJECTED:
            raise ContributionRefused(_("This exam was rejected; its questions are not taken."))

    return store_upload(
        rows=rows,
        check_row=partial(
            clean_question_record,
            exam=exam,
            template=question_template(exam),
            descriptions={},  # this upload's
        ),
        model=ExamQuestion,
        challenge=exam.challenge,
        duplicates=DuplicatePolicy.SKIP,
        repeats=Repeats(
            field="question",
            same_as_row=_("Duplicate of row %(row)s."),
            already_stored=_("Already stored in this challenge."),
        ),
        lock=lock_exam,
        # Somebody else stored one of these questions between the check and the insert.
        conflict=ContributionRefused(
            _(
                "Some of these questions were stored by someone else at the same moment. Upload the file again: they will be skipped."
            )
        ),
        flagged=lambda question: question.flagged_category,
        progress=progress,
        near_duplicates=QUESTION_NEAR_DUPLICATES,
        notice=difference_notice(exam),
    )
