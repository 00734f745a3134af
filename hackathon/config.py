"""Reading the platform's configuration from environment variables.

Every setting has a development default so that a newcomer runs the platform with nothing
installed; production (``DEBUG`` false) refuses to start while a required variable is missing.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def read_bool(name: str, *, default: bool) -> bool:
    """Read a yes/no variable; anything but a known word is a configuration error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def read_list(name: str, *, default: list[str]) -> list[str]:
    """Read a comma-separated variable into a list, ignoring blanks."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def read_int(name: str, *, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from error


def read_fraction(name: str, *, default: float) -> float:
    """Read a number between 0 and 1 (a share, a similarity); anything else is an error."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"{name} must be a number between 0 and 1, not {raw!r}."
        ) from error
    if not 0 < value <= 1:
        raise ImproperlyConfigured(f"{name} must be a number between 0 and 1, not {raw!r}.")
    return value


def require_in_production(names: list[str]) -> None:
    """Refuse to start production while any of ``names`` is unset, naming all of them at once."""
    missing = [name for name in names if not os.environ.get(name, "").strip()]
    if missing:
        raise ImproperlyConfigured(
            "DEBUG is off (production), so these environment variables are required: "
            + ", ".join(missing)
            + ". See the README's configuration section."
        )


EMAIL_SCHEMES = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtp+tls": "django.core.mail.backends.smtp.EmailBackend",
    "smtp+ssl": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}


def parse_email_url(url: str) -> dict[str, object]:
    """Turn ``EMAIL_URL`` (``smtp+tls://user:password@host:587``, ``console://``...) into settings."""
    parsed = urlparse(url)
    if parsed.scheme not in EMAIL_SCHEMES:
        raise ImproperlyConfigured(
            f"EMAIL_URL scheme must be one of {', '.join(sorted(EMAIL_SCHEMES))}, "
            f"not {parsed.scheme!r}."
        )
    options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    config: dict[str, object] = {"EMAIL_BACKEND": EMAIL_SCHEMES[parsed.scheme]}
    if parsed.scheme.startswith("smtp"):
        config.update(
            EMAIL_HOST=parsed.hostname or "localhost",
            EMAIL_PORT=parsed.port
            or (465 if parsed.scheme == "smtp+ssl" else 587 if parsed.scheme == "smtp+tls" else 25),
            EMAIL_HOST_USER=unquote(parsed.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parsed.password or ""),
            EMAIL_USE_TLS=parsed.scheme == "smtp+tls",
            EMAIL_USE_SSL=parsed.scheme == "smtp+ssl",
            EMAIL_TIMEOUT=int(options.get("timeout", 10)),
        )
    if parsed.scheme == "file":
        config["EMAIL_FILE_PATH"] = unquote(parsed.path)
    return config
