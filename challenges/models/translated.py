"""Texts kept in each content language (``title_es``, ``title_pt``, ``title_en``...)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language

CONTENT_LANGUAGES = ("es", "pt", "en")


def pick_translation(instance: models.Model, field: str) -> str:
    """The text of ``field`` in the active language, falling back to Spanish, then any."""
    language = (get_language() or "es").split("-")[0]
    for code in (language, "es", *CONTENT_LANGUAGES):
        text = getattr(instance, f"{field}_{code}", "")
        if text:
            return text
    return ""
