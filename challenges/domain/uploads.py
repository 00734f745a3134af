"""Uploads checked in the background: a file is kept as an ``Upload`` and a Celery task checks
and stores it through the kind's Uploader for the upload's channel (``Intake.uploader``:
participants' files; ``Intake.organizer_uploader``: organizers' files; a dataset of the Hub
organization: ``hub.upload_channel``), never switching on the kind.

A participant has at most one upload (or import from the Hub) being checked at a time and
``UPLOADS_PER_HOUR`` an hour. Organizers' uploads have no such limit: the few organizers send
the edition's own data (a question bank per country, each day's vote log), sending a file again
adds nothing, and the size and row limits bound each check.

The check is idempotent: it locks the upload row, checks that it is still to be done, and
stores the rows and the outcome in one transaction, so a worker killed midway (Celery
redelivers the task: acks_late) leaves nothing half stored and the second run stores
everything once.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.roles import is_organizer
from challenges.domain.windows import ContributionRefused
from challenges.intake import Uploader, get_uploader_of
from challenges.models import Challenge, Upload
from challenges.uploads import (
    UploadErrors,
    UploadRejected,
    UploadReport,
    ensure_upload_size,
    errors_as_list,
    errors_from_list,
)

logger = logging.getLogger(__name__)

PROGRESS_SECONDS = 3600


def get_uploader(challenge: Challenge, *, channel: str = Upload.Channel.PARTICIPANTS) -> Uploader:
    """How the challenge's kind takes uploads of a channel (the participants' files by
    default); refused when it takes none."""
    uploader = get_uploader_of(challenge.kind, channel)
    if uploader is None:
        raise ContributionRefused(_("This challenge does not take uploaded files."))
    return uploader


def can_see_upload(*, user, upload: Upload) -> bool:
    """An upload's page is for the organizers, and for the participant who sent it (an
    organizers' upload: for organizers only)."""
    if is_organizer(user):
        return True
    return upload.channel != Upload.Channel.ORGANIZERS and upload.uploaded_by_id == user.pk


def ensure_may_upload(*, user, now: dt.datetime | None = None) -> None:
    """One upload being checked at a time per person, and at most UPLOADS_PER_HOUR an hour.
    Call it with the person's row locked."""
    now = now or timezone.now()
    mine = Upload.objects.filter(uploaded_by=user).exclude(channel=Upload.Channel.ORGANIZERS)
    stale = now - dt.timedelta(minutes=settings.UPLOAD_STALE_MINUTES)
    if mine.filter(status__in=Upload.ACTIVE, created_at__gt=stale).exists():
        raise ContributionRefused(
            _(
                "Your previous upload is still being checked: wait until it is done, then send this one."
            )
        )
    limit = settings.UPLOADS_PER_HOUR
    if mine.filter(created_at__gt=now - dt.timedelta(hours=1)).count() >= limit:
        raise ContributionRefused(
            ngettext(
                "You have sent %(limit)s upload in the last hour, the most an hour allows. Try again later.",
                "You have sent %(limit)s uploads in the last hour, the most an hour allows. Try again later.",
                limit,
            )
            % {"limit": limit}
        )


def start_upload(
    *,
    challenge: Challenge,
    user,
    file,
    target=None,
    channel: str = Upload.Channel.PARTICIPANTS,
    enqueue: Callable[[int], object],
    now: dt.datetime | None = None,
) -> Upload:
    """A person sends a file to a challenge: the kind's rules for the person (window, quiz,
    their own exam), the size limit and the per-person limits are checked at once; then the file
    is kept as a queued ``Upload`` of the ``channel`` and handed to ``enqueue`` (the task's
    ``delay``) once the transaction commits. An organizers' upload is refused to anyone else
    and has no per-person limit. Refusals: ``ContributionRefused``, ``UploadRejected`` (too
    large)."""
    uploader = get_uploader(challenge, channel=channel)
    by_organizers = channel == Upload.Channel.ORGANIZERS
    if by_organizers and not is_organizer(user):
        raise ContributionRefused(_("Only the organizers upload these files."))
    ensure_upload_size(file)
    uploader.check(challenge=challenge, user=user, target=target, now=now)
    with transaction.atomic():
        if not by_organizers:
            # One person's uploads one at a time: the limits below stay true until the commit.
            User.objects.select_for_update().filter(pk=user.pk).first()
            ensure_may_upload(user=user, now=now)
        filename = str(getattr(file, "name", "") or "")[:200]
        upload = Upload(
            challenge=challenge,
            uploaded_by=user,
            target_id=getattr(target, "pk", None),
            channel=channel,
            filename=filename.replace("\x00", ""),
        )
        upload.file.save(filename or "upload", file, save=False)
        upload.save()
        transaction.on_commit(lambda: enqueue(upload.pk))
    return upload


def _progress_key(upload_id: int) -> str:
    return f"upload-progress:{upload_id}"


def read_progress(upload: Upload) -> tuple[int, int]:
    """Rows read and errors so far: live while the check runs (its transaction shows nothing
    before it ends), then as stored."""
    if upload.is_active:
        live = cache.get(_progress_key(upload.pk))
        if live:
            return tuple(live)
    return upload.rows_read, upload.error_count


@contextmanager
def _cycles_collected_after() -> Iterator[None]:
    """Python's collector of reference cycles paused while a file is checked: the check makes
    hundreds of thousands of objects (records, questions, signatures) that live until it ends
    and form no cycles, and the collector, run again and again as they pile up, walked them
    all each time (a tenth of the check). It runs as usual once the check is done."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check_upload(*, upload_id: int) -> Upload | None:
    """Check and store a queued upload (the task's work) through its kind's uploader for the
    upload's channel.

    Idempotent: an upload gone or finished is left as it is. The upload row is locked and its
    status checked before the file is read, and the rows are stored in the transaction that
    marks it done, so a check cut short stores nothing and is simply run again. What an
    uploader fetches (a dataset of the Hub) is fetched before the lock, outside any
    transaction: fetching has no effect, and the status is checked again under the lock. A
    refusal (``UploadRejected``, ``ContributionRefused``) marks it failed with every reason.
    """
    upload = Upload.objects.select_related("challenge__edition").filter(pk=upload_id).first()
    if upload is None or not upload.is_active:
        return upload
    with transaction.atomic():
        # Visible at once to the page; a worker lost after this leaves it to the redelivery.
        Upload.objects.filter(pk=upload_id, status=Upload.Status.QUEUED).update(
            status=Upload.Status.CHECKING, started_at=timezone.now()
        )
    try:
        with _cycles_collected_after():
            uploader = get_uploader(upload.challenge, channel=upload.channel)
            target = uploader.find_target(upload.challenge, upload.target_id)
            fetched, refusal = _fetch(upload, uploader=uploader, target=target)
            with transaction.atomic():
                locked = Upload.objects.select_for_update().filter(pk=upload_id).first()
                if locked is None or not locked.is_active:
                    return locked
                locked.challenge = upload.challenge
                if refusal is None:
                    refusal = _store(locked, uploader=uploader, target=target, fetched=fetched)
                if refusal is not None:
                    _record_refusal(locked, refusal)
                locked.finished_at = timezone.now()
                locked.save()
    except Exception:
        # Not a refusal: a bug or the database. The person is told; the error goes on.
        logger.exception("Upload %s could not be checked", upload_id)
        Upload.objects.filter(pk=upload_id, status__in=Upload.ACTIVE).update(
            status=Upload.Status.FAILED,
            refusal=_("The file could not be checked. Try again later."),
            finished_at=timezone.now(),
        )
        raise
    finally:
        cache.delete(_progress_key(upload_id))
    return locked


Refusal = UploadRejected | ContributionRefused


def _fetch(upload: Upload, *, uploader: Uploader, target) -> tuple[Any, Refusal | None]:
    """What the uploader fetches from what the kept file names (a dataset of the Hub), read
    before anything is locked so that no transaction waits on the network; or its refusal."""
    if uploader.fetch is None:
        return None, None
    try:
        with upload.file.open("rb") as kept:
            fetched = uploader.fetch(
                challenge=upload.challenge,
                user=upload.uploaded_by,
                target=target,
                upload=File(kept.file, name=upload.filename),
            )
    except (UploadRejected, ContributionRefused) as refusal:
        return None, refusal
    return fetched, None


def _store(upload: Upload, *, uploader: Uploader, target, fetched) -> Refusal | None:
    """Store the rows of the kept file (or of what was fetched) and mark the upload done; or
    the refusal, the upload left as it was."""

    read = [0]  # rows checked, kept for a refusal: its page says how many were read

    def progress(rows: int, errors: int) -> None:
        read[0] = rows
        cache.set(_progress_key(upload.pk), (rows, errors), PROGRESS_SECONDS)

    def store(content) -> Any:
        return uploader.store(
            challenge=upload.challenge,
            user=upload.uploaded_by,
            target=target,
            upload=content,
            progress=progress,
        )

    try:
        if uploader.fetch is not None:
            report = store(fetched)
        else:
            with upload.file.open("rb") as kept:
                report = store(File(kept.file, name=upload.filename))
    except (UploadRejected, ContributionRefused) as refusal:
        upload.rows_read = read[0]
        return refusal
    upload.status = Upload.Status.DONE
    upload.report = uploader.report_as_data(report)
    upload.rows_read = upload.report["rows"]
    return None


def _record_refusal(upload: Upload, refusal: Refusal) -> None:
    """A failed upload, with every error of its rows or the one refusal of the rules."""
    upload.status = Upload.Status.FAILED
    if isinstance(refusal, UploadRejected):
        upload.error_count = refusal.errors.total
        upload.errors = {"shown": errors_as_list(refusal.errors), "total": refusal.errors.total}
    else:
        upload.refusal = str(refusal.message)


def upload_report(upload: Upload) -> UploadReport | Any | None:
    """What a done upload stored, as the kind's upload returned it (an UploadReport, or the
    kind's own report)."""
    if not upload.report:
        return None
    uploader = get_uploader(upload.challenge, channel=upload.channel)
    return uploader.report_from_data(upload.report)


def upload_errors(upload: Upload) -> UploadErrors | None:
    """Why a failed upload stored nothing, row by row (None for a refusal of the rules)."""
    if not upload.errors:
        return None
    return errors_from_list(upload.errors["shown"], total=upload.errors["total"])
