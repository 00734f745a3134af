"""The outbox: emails wait while they collect events, then go at once or are held for the
organizers' review (per kind, ``KindPolicy``); organizers edit held ones and send them in bulk.

Sending is exactly-once-or-never per email: the state moves to "sending" in a transaction of
its own, under a row lock, before the SMTP conversation starts. A worker killed mid-send leaves
the email "sending", and the task delivered again finds it so and does not send it twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import socket
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from hackathon.errors import RuleRefused
from notifications.domain.preferences import unsubscribe_token
from notifications.models import ESSENTIAL_KINDS, Email, KindPolicy, Notification
from notifications.texts import describe, subject_for

log = logging.getLogger(__name__)

Enqueue = Callable[[int], object]


class OutboxRefused(RuleRefused):
    """The outbox cannot do this with these emails."""


class TransientSendError(Exception):
    """The SMTP server could not take the email now; trying again later may work."""


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path if path.startswith("/") else path


def unsubscribe_url(email: Email) -> str:
    token = unsubscribe_token(user_id=email.user_id, kind=email.kind)
    return absolute(reverse("notifications:unsubscribe", args=[token]))


def render_email(*, email: Email, notifications: list[Notification]) -> tuple[str, str]:
    """The subject and text of an email carrying these notifications, in its language."""
    with translation.override(email.language):
        items = []
        for notification in notifications:
            text = describe(kind=notification.kind, params=notification.params)
            items.append(
                {"text": text, "url": absolute(notification.url) if notification.url else ""}
            )
        subject = subject_for(kind=email.kind, params_list=[n.params for n in notifications])
        body = render_to_string(
            "notifications/email.txt",
            {
                "items": items,
                "essential": email.kind in ESSENTIAL_KINDS,
                "notifications_url": absolute(reverse("notifications:list")),
                "preferences_url": absolute(reverse("notifications:preferences")),
                "unsubscribe_url": unsubscribe_url(email),
            },
        )
    return subject[:200], body


def held_kinds() -> set[str]:
    return set(KindPolicy.objects.filter(hold=True).values_list("kind", flat=True))


def set_policy(*, kind: str, hold: bool) -> KindPolicy:
    """Organizers choose whether emails of a kind go at once or wait for their review."""
    policy, _created = KindPolicy.objects.update_or_create(kind=kind, defaults={"hold": hold})
    return policy


def release_due_emails(*, enqueue: Enqueue, now: dt.datetime | None = None) -> int:
    """Emails whose collecting time is over get their text, and are then held for review
    (their kind is held) or queued and handed to the sender. Returns how many were released."""
    now = now or timezone.now()
    held = held_kinds()
    with transaction.atomic():
        emails = list(
            Email.objects.select_for_update(skip_locked=True).filter(
                state=Email.State.COLLECTING, release_at__lte=now
            )
        )
        by_email: dict[int, list[Notification]] = {email.pk: [] for email in emails}
        for notification in Notification.objects.filter(email__in=emails).order_by(
            "created_at", "id"
        ):
            by_email[notification.email_id].append(notification)
        queued = []
        for email in emails:
            notifications = by_email[email.pk]
            if not notifications:
                email.delete()
                continue
            email.subject, email.body = render_email(email=email, notifications=notifications)
            email.state = Email.State.DRAFT if email.kind in held else Email.State.QUEUED
            email.save(update_fields=["subject", "body", "state"])
            if email.state == Email.State.QUEUED:
                queued.append(email.pk)
        transaction.on_commit(lambda: [enqueue(pk) for pk in queued])
    return len(emails)


def edit_email(*, email_id: int, subject: str, body: str) -> Email:
    """Organizers rewrite a held email; it is then sent as they left it."""
    subject, body = subject.strip(), body.strip()
    if not subject or not body:
        raise OutboxRefused(_("An email needs a subject and a message."))
    with transaction.atomic():
        email = Email.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.state != Email.State.DRAFT:
            raise OutboxRefused(_("Only emails held for review can be edited."))
        email.subject, email.body, email.edited = subject[:200], body, True
        email.save(update_fields=["subject", "body", "edited"])
    return email


def send_emails(*, email_ids: Iterable[int], enqueue: Enqueue) -> int:
    """Organizers send held emails (or try failed ones again), in bulk: each is queued and
    handed to the sender once the transaction commits. Returns how many were queued."""
    email_ids = list(email_ids)
    if not email_ids:
        raise OutboxRefused(_("Select at least one email."))
    with transaction.atomic():
        pks = list(
            Email.objects.select_for_update()
            .filter(pk__in=email_ids, state__in=[Email.State.DRAFT, Email.State.FAILED])
            .values_list("pk", flat=True)
        )
        Email.objects.filter(pk__in=pks).update(state=Email.State.QUEUED, last_error="")
        transaction.on_commit(lambda: [enqueue(pk) for pk in pks])
    return len(pks)


def build_message(email: Email) -> EmailMessage:
    headers = {}
    if email.kind not in ESSENTIAL_KINDS:
        # RFC 8058: mail clients offer one click, which POSTs "List-Unsubscribe=One-Click".
        headers["List-Unsubscribe"] = f"<{unsubscribe_url(email)}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return EmailMessage(subject=email.subject, body=email.body, to=[email.to], headers=headers)


TRANSIENT = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    ConnectionError,
    socket.timeout,
)


def send_email_now(*, email_id: int, final_attempt: bool = False) -> str | None:
    """Send one queued email through the configured backend, at most once.

    Under a row lock the email must still be queued; it becomes "sending" and that is
    committed before the SMTP server is contacted. Accepted: "sent". A transient refusal (the
    server unreachable, a 4xx reply): queued again and ``TransientSendError`` raised, for the
    task to retry later (on the last attempt: "failed"). A permanent one: "failed". Returns
    the state it left, or None when the email was not queued (gone, sent, being sent).
    """
    with transaction.atomic():
        email = Email.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.state != Email.State.QUEUED:
            return None
        email.state = Email.State.SENDING
        email.attempts += 1
        email.save(update_fields=["state", "attempts"])
    try:
        build_message(email).send()
    except (*TRANSIENT, smtplib.SMTPResponseException) as error:
        code = getattr(error, "smtp_code", 0)
        transient = isinstance(error, TRANSIENT) or 400 <= code < 500
        state = Email.State.FAILED if final_attempt or not transient else Email.State.QUEUED
        Email.objects.filter(pk=email.pk).update(state=state, last_error=str(error)[:500])
        log.warning("email %s not sent (%s): %s", email.pk, state, error)
        if state == Email.State.QUEUED:
            raise TransientSendError(str(error)) from error
        return state
    except Exception as error:
        Email.objects.filter(pk=email.pk).update(
            state=Email.State.FAILED, last_error=str(error)[:500]
        )
        raise
    Email.objects.filter(pk=email.pk).update(
        state=Email.State.SENT, sent_at=timezone.now(), last_error=""
    )
    return Email.State.SENT
