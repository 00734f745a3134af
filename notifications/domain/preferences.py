"""Each person's email choices: the language, the non-essential kinds they do not want, and
the signed one-click unsubscribe link that works without logging in."""

from __future__ import annotations

from django.core import signing
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from hackathon.errors import RuleRefused
from notifications.models import ESSENTIAL_KINDS, EmailSettings, Kind

EMAIL_LANGUAGES = ("es", "pt", "en")
UNSUBSCRIBE_SALT = "notifications.unsubscribe"


class PreferencesRefused(RuleRefused):
    """A preference cannot be saved as asked."""


def email_language(*, user, settings_row: EmailSettings | None = None) -> str:
    """The language of a person's emails: their choice, else the first of their declared
    languages the site speaks, else Spanish."""
    if settings_row is None:
        settings_row = EmailSettings.objects.filter(user=user).first()
    if settings_row and settings_row.language in EMAIL_LANGUAGES:
        return settings_row.language
    profile = getattr(user, "profile", None)
    for code in (profile.languages if profile else None) or []:
        if code in EMAIL_LANGUAGES:
            return code
    return "es"


def save_preferences(*, user, language: str, emailed_kinds: list[str]) -> EmailSettings:
    """A person chooses the language of their emails and which non-essential kinds reach them
    by email (essential ones, decisions, always do)."""
    if language not in ("", *EMAIL_LANGUAGES):
        raise PreferencesRefused(_("This language is not one the emails are written in."))
    optional = [kind for kind in Kind.values if kind not in ESSENTIAL_KINDS]
    unknown = set(emailed_kinds) - set(optional)
    if unknown:
        raise PreferencesRefused(_("This kind of notification does not exist."))
    with transaction.atomic():
        row, _created = EmailSettings.objects.select_for_update().get_or_create(user=user)
        row.language = language
        row.muted = [kind for kind in optional if kind not in emailed_kinds]
        row.save()
    return row


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    """A link's token saying "this person, this kind", signed with the site's key."""
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """The person and kind a token names, or None when it was not signed by this site."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in Kind.values:
        return None
    if not isinstance(data.get("u"), int):
        return None
    return data["u"], data["k"]


def unsubscribe(*, user_id: int, kind: str) -> bool:
    """The person stops receiving emails of a non-essential kind (essential ones always go).
    Returns whether anything changed."""
    if kind in ESSENTIAL_KINDS:
        return False
    with transaction.atomic():
        row, _created = EmailSettings.objects.select_for_update().get_or_create(user_id=user_id)
        if kind in row.muted:
            return False
        row.muted = [*row.muted, kind]
        row.save(update_fields=["muted"])
    return True
