"""Telling people: one notification per person an event concerns, gathered by kind into one
email per person while the events keep coming (``NOTIFICATIONS_GROUP_SECONDS``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from hackathon.memo import forget, person_scope, remember
from notifications.domain.preferences import email_language
from notifications.models import ESSENTIAL_KINDS, Email, EmailSettings, Notification


def notify(
    *,
    user_ids: Iterable[int],
    kind: str,
    params: dict,
    url: str = "",
    dedupe_key: str = "",
    now: dt.datetime | None = None,
) -> list[Notification]:
    """Tell these people (and only them) that an event of ``kind`` happened.

    Each gets a notification in the site. Unless they turned this kind off (essential kinds,
    decisions, cannot be), it joins their email of this kind still collecting events, or starts
    one that collects until ``NOTIFICATIONS_GROUP_SECONDS`` from now. With a ``dedupe_key``, a
    person already told under that key is not told again (periodic reminders). Returns the new
    notifications.
    """
    now = now or timezone.now()
    user_ids = sorted(set(user_ids))
    if not user_ids:
        return []
    with transaction.atomic():
        # Locked in one order: two events for the same people at once join the same email.
        users = list(
            User.objects.select_for_update(of=("self",))
            .select_related("profile")
            .filter(pk__in=user_ids, is_active=True)
            .order_by("pk")
        )
        if dedupe_key:
            told = set(
                Notification.objects.filter(user__in=users, dedupe_key=dedupe_key).values_list(
                    "user_id", flat=True
                )
            )
            users = [user for user in users if user.pk not in told]
        if not users:
            return []
        preferences = {row.user_id: row for row in EmailSettings.objects.filter(user__in=users)}
        # Locked: an email being released meanwhile is waited for, then no longer collecting
        # (PostgreSQL reads it again), and the event starts a new one instead of being lost.
        collecting = {
            email.user_id: email
            for email in Email.objects.select_for_update().filter(
                user__in=users, kind=kind, state=Email.State.COLLECTING, campaign=None
            )
        }
        release_at = now + dt.timedelta(seconds=settings.NOTIFICATIONS_GROUP_SECONDS)
        new_emails = []
        for user in users:
            row = preferences.get(user.pk)
            wanted = kind in ESSENTIAL_KINDS or not (row and kind in row.muted)
            if wanted and user.email and user.pk not in collecting:
                email = Email(
                    user=user,
                    kind=kind,
                    to=user.email,
                    language=email_language(user=user, settings_row=row),
                    release_at=release_at,
                )
                new_emails.append(email)
                collecting[user.pk] = email
            elif not wanted:
                collecting.pop(user.pk, None)
        Email.objects.bulk_create(new_emails)
        created = [
            Notification(
                user=user,
                kind=kind,
                params=params,
                url=url,
                dedupe_key=dedupe_key,
                email=collecting.get(user.pk),
            )
            for user in users
        ]
        Notification.objects.bulk_create(created)
        forget(*(person_scope(user.pk) for user in users))
    return created


def unread_count(*, user) -> int:
    """How many of the person's notifications are unread (the bell on every page of theirs):
    remembered for their scope, which a new notification or a reading of theirs moves on."""
    if not user.is_authenticated:
        return 0
    return remember(
        "unread-notifications",
        lambda: Notification.objects.filter(user=user, read_at=None).count(),
        scope=person_scope(user.pk),
    )


def read_notification(*, user, notification_id: int, now: dt.datetime | None = None) -> bool:
    """A person marks one of their own notifications as read (somebody else's: nothing)."""
    read = Notification.objects.filter(pk=notification_id, user=user, read_at=None).update(
        read_at=now or timezone.now()
    )
    forget(person_scope(user.pk))
    return bool(read)


def read_all(*, user, now: dt.datetime | None = None) -> int:
    """A person marks every notification of theirs as read. Returns how many were unread."""
    read = Notification.objects.filter(user=user, read_at=None).update(
        read_at=now or timezone.now()
    )
    forget(person_scope(user.pk))
    return read
