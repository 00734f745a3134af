"""The messages that tell a participant or an organizer what an upload (or an import from the
Hub) did: what was stored, which rows were skipped as duplicates, why nothing was stored."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import messages
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from challenges.uploads import UploadErrors, UploadReport, describe_errors

# A message is read at a glance: the first rows are listed, the rest counted.
ROWS_IN_MESSAGE = 20


def _list_rows(lines: Iterable[str], total: int) -> str:
    details = "; ".join(lines)
    more = total - min(total, ROWS_IN_MESSAGE)
    if more:
        details += " " + _("…and %(more)s more.") % {"more": more}
    return details


def describe_upload_errors(errors: UploadErrors) -> str:
    """Why nothing was stored, in one line: how many errors, then the first rows' (row, field,
    message; a problem of the whole file has no row)."""
    details = _list_rows(
        (
            (
                _("row %(row)s, %(field)s: %(message)s")
                % {"row": error.row, "field": error.field or "—", "message": error.message}
            )
            if error.row
            else error.message
            for error in errors.shown[:ROWS_IN_MESSAGE]
        ),
        errors.total,
    )
    return f"{describe_errors(errors)} {details}"


def announce_upload_errors(request, errors: UploadErrors) -> None:
    """The error message of a refused upload, for pages that redirect instead of showing the
    form again with its errors."""
    messages.error(request, describe_upload_errors(errors))


def announce_questions_stored(request, report: UploadReport) -> None:
    """The messages after an accepted upload of INCLUDE questions (or their import from the
    Hub): what was stored, what was flagged, which rows were skipped as duplicates."""
    skipped = report.skipped.total
    message = ngettext(
        "%(stored)s question stored", "%(stored)s questions stored", report.stored
    ) % {"stored": report.stored}
    message += "; " + ngettext(
        "%(skipped)s skipped as a duplicate.", "%(skipped)s skipped as duplicates.", skipped
    ) % {"skipped": skipped}
    if report.flagged:
        message += " " + ngettext(
            "%(flagged)s has a maths or science category: a reviewer will check it.",
            "%(flagged)s have a maths or science category: a reviewer will check them.",
            report.flagged,
        ) % {"flagged": report.flagged}
    messages.success(request, message)
    if skipped:
        details = _list_rows(
            (
                _("row %(row)s: %(message)s") % {"row": notice.row, "message": notice.message}
                for notice in report.skipped.shown[:ROWS_IN_MESSAGE]
            ),
            skipped,
        )
        messages.info(request, _("Skipped: %(details)s") % {"details": details})
    announce_upload_notes(request, report)


def announce_upload_notes(request, report: UploadReport) -> None:
    """The warnings after an accepted upload: the stored rows that wait for review as possible
    duplicates (and of what), and the words on other stored rows (INCLUDE: a language or
    country other than the exam's), the first rows listed."""
    for notes, heading in (
        (
            report.possible_duplicates,
            ngettext(
                "%(count)s row looks like another item and waits for review as a possible duplicate: %(details)s",
                "%(count)s rows look like other items and wait for review as possible duplicates: %(details)s",
                report.possible_duplicates.total,
            ),
        ),
        (
            report.notices,
            ngettext(
                "%(count)s row to check: %(details)s",
                "%(count)s rows to check: %(details)s",
                report.notices.total,
            ),
        ),
    ):
        if notes:
            details = _list_rows(
                (
                    _("row %(row)s: %(message)s") % {"row": note.row, "message": note.message}
                    for note in notes.shown[:ROWS_IN_MESSAGE]
                ),
                notes.total,
            )
            messages.warning(request, heading % {"count": notes.total, "details": details})


def announce_prompts_stored(request, count: int) -> None:
    """The message after an accepted upload of prompts (or their import from the Hub)."""
    messages.success(
        request,
        ngettext("%(count)s prompt was stored.", "%(count)s prompts were stored.", count)
        % {"count": count},
    )
