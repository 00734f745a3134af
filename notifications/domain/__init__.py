"""Rules of notifications: who is told what, how emails are grouped, held and sent once."""

from notifications.domain.notify import notify, read_all, read_notification, unread_count
from notifications.domain.outbox import (
    OutboxRefused,
    edit_email,
    release_due_emails,
    render_email,
    send_email_now,
    send_emails,
    set_policy,
)
from notifications.domain.preferences import (
    email_language,
    read_unsubscribe_token,
    save_preferences,
    unsubscribe,
    unsubscribe_token,
)

__all__ = [
    "OutboxRefused",
    "edit_email",
    "email_language",
    "notify",
    "read_all",
    "read_notification",
    "read_unsubscribe_token",
    "release_due_emails",
    "render_email",
    "save_preferences",
    "send_email_now",
    "send_emails",
    "set_policy",
    "unread_count",
    "unsubscribe",
    "unsubscribe_token",
]
