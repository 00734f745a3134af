"""Languages and countries by name, in the page's language, from the codes items store.

The community's languages (``accounts.languages``) are named by the project's own catalog;
any other ISO 639 code by pycountry's translations of ISO 639-3; a code neither knows is shown
as it is. Countries are named by django-countries."""

from __future__ import annotations

import functools
import gettext as gettext_module

import pycountry
from django.utils import translation
from django_countries import countries

from accounts.languages import LANGUAGE_CHOICES
from challenges.text import fold

COMMUNITY_LANGUAGES = dict(LANGUAGE_CHOICES)
# The page's language as pycountry's catalogs name it.
PYCOUNTRY_LOCALES = {"es": ["es"], "pt": ["pt_BR", "pt"], "en": []}


@functools.cache
def _iso639_catalog(language: str) -> gettext_module.NullTranslations:
    locales = PYCOUNTRY_LOCALES.get(language, [])
    if not locales:
        return gettext_module.NullTranslations()
    return gettext_module.translation(
        "iso639-3", pycountry.LOCALES_DIR, languages=locales, fallback=True
    )


@functools.lru_cache(maxsize=2048)
def _iso639_name(code: str) -> str:
    if len(code) == 2:
        found = pycountry.languages.get(alpha_2=code)
    elif len(code) == 3:
        found = pycountry.languages.get(alpha_3=code)
    else:
        found = None
    return found.name if found is not None else ""


def language_name(code: str | None) -> str:
    """The name of the language ``code`` stands for, in the active language ("gn": "Guaraní"
    on a Spanish page); the code itself when it names no language; "" for no code."""
    code = (code or "").strip()
    if not code:
        return ""
    folded = code.lower()
    if folded in COMMUNITY_LANGUAGES:
        return str(COMMUNITY_LANGUAGES[folded])
    english = _iso639_name(folded)
    if not english:
        return code
    active = (translation.get_language() or "en").split("-")[0]
    return _iso639_catalog(active).gettext(english)


def country_name(code: str | None) -> str:
    """The name of the country of ISO 3166 code ``code`` in the active language; the code
    itself when it names none; "" for no code."""
    code = str(code or "").strip()
    if not code:
        return ""
    return str(countries.name(code.upper())) or code


def named_choices(codes, name) -> list[tuple[str, str]]:
    """(code, name) for each distinct code, sorted by name as the active language reads it."""
    named = {str(code): name(code) for code in codes if code}
    return sorted(named.items(), key=lambda pair: (fold(pair[1]), pair[0]))
