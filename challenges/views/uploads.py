"""The messages that tell a participant or an organizer what an upload (or an import from the
Hub) did: what was stored, which rows were skipped as duplicates, why nothing was stored; and
the page of an upload checked in the background."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from challenges.domain.uploads import (
    can_see_upload,
    get_uploader,
    read_progress,
    upload_errors,
    upload_report,
)
from challenges.models import Upload
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


@login_required
def upload_page(request, pk: int):
    """An upload's page, for the person who sent it and the organizers (an organizers' upload:
    for organizers only; others: 404): its progress while it is checked (an htmx partial, polled every 2 s only then), then what it
    stored (the kind's messages, as after an upload) or every reason nothing was stored."""
    upload = get_object_or_404(Upload.objects.select_related("challenge__edition"), pk=pk)
    if not can_see_upload(user=request.user, upload=upload):
        raise Http404
    uploader = get_uploader(upload.challenge, channel=upload.channel)
    if request.htmx and not upload.is_active:
        # Finished: the whole page again, with the kind's messages and no more polling.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    if upload.status == Upload.Status.DONE:
        uploader.announce(request, upload_report(upload))
    rows_read, error_count = read_progress(upload)
    target = uploader.find_target(upload.challenge, upload.target_id)
    name, arguments = uploader.form_page(upload.challenge, target)
    context = {
        "upload": upload,
        "rows_read": rows_read,
        "error_count": error_count,
        "errors": upload_errors(upload),
        "back": reverse(name, kwargs=arguments) if name else "",
    }
    template = "challenges/upload.html#progress" if request.htmx else "challenges/upload.html"
    return render(request, template, context)
