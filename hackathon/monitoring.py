"""Where unhandled errors go besides the log: Sentry when ``SENTRY_DSN`` is set, otherwise
mail to ``ADMINS``."""

from __future__ import annotations

import importlib.util

from django.core.exceptions import ImproperlyConfigured


def parse_admins(raw: str) -> list[tuple[str, str]]:
    """Read ``ADMINS`` (``name:email,name:email``; a bare email names itself) into Django's
    list of (name, email)."""
    admins = []
    for entry in (part.strip() for part in raw.split(",")):
        if not entry:
            continue
        name, _colon, email = entry.rpartition(":")
        if "@" not in email:
            raise ImproperlyConfigured(f"ADMINS entries are name:email, not {entry!r}.")
        admins.append((name.strip() or email.strip(), email.strip()))
    return admins


def start_error_reports(*, dsn: str, environment: str, traces_sample_rate: float) -> None:
    """Send unhandled errors (views, Celery tasks, error logs) to Sentry at ``dsn``. No
    personal data is sent: no cookies, no user, no request bodies."""
    if importlib.util.find_spec("sentry_sdk") is None:
        raise ImproperlyConfigured(
            "SENTRY_DSN is set but sentry-sdk is not installed: pip install -e '.[sentry]'."
        )
    import sentry_sdk  # noqa: PLC0415 -- slow import: only when SENTRY_DSN is set

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        send_default_pii=False,
        traces_sample_rate=traces_sample_rate,
    )
