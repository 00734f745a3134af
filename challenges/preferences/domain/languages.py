"""Countries and languages: the language of a prompt, from a code or a name."""

from __future__ import annotations

import re
from typing import Any

from challenges.text import fold


def _fold(value: str) -> str:
    """Accents, case and dots removed, so that "Português" finds "portugues"."""
    return " ".join(fold(value).replace(".", " ").split())


LANGUAGE_NAMES = {
    "es": "es", "spa": "es", "espanol": "es", "castellano": "es", "spanish": "es",
    "espanhol": "es", "pt": "pt", "por": "pt", "portugues": "pt", "portuguese": "pt",
}  # fmt: skip


def parse_language(value: Any) -> str:
    """ "es" or "pt" from a code (with or without region: "pt-BR") or a language's name in
    Spanish, Portuguese or English; "" for anything else."""
    if not isinstance(value, str) or not value.strip():
        return ""
    folded = _fold(value).replace("_", "-")
    if folded in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[folded]
    first = re.split(r"[-\s(]", folded)[0]
    return LANGUAGE_NAMES.get(first, "")
