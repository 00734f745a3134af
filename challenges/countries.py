"""Countries as people write them in uploads: ISO codes, or names in Spanish, Portuguese or
English, with or without accents ("BR", "BRA", "Brasil", "Brazil", "Perú", "peru")."""

from __future__ import annotations

import functools

from django.utils import translation
from django_countries import countries

from challenges.text import fold


@functools.cache
def _country_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for language in ("es", "pt", "en"):
        with translation.override(language):
            for code, name in countries:
                keys.setdefault(fold(str(name)), code)
    for code, _name in countries:
        keys.setdefault(fold(code), code)
        alpha3 = countries.alpha3(code)
        if alpha3:
            keys.setdefault(fold(alpha3), code)
    return keys


def parse_country(value) -> str:
    """The ISO 3166-1 alpha-2 code of the country ``value`` names; "" when it names none."""
    if not isinstance(value, str) or not value.strip():
        return ""
    return _country_keys().get(fold(value), "")
