"""Checks on single values: language codes, countries, categories flagged for the reviewer."""

from __future__ import annotations

import functools
import re

import pycountry

from accounts.languages import LANGUAGE_CODES
from challenges.countries import parse_country
from challenges.text import fold

# Categories that look like mathematics or natural sciences (accents folded, lower case): such
# questions are stored but flagged for the reviewer, since INCLUDE collects regional knowledge.
FLAGGED_WORDS = frozenset(
    """
    math maths mathematics mathematic mathematical matematica matematicas matematico matematicos matematiques
    matematika matematikak algebra arithmetic aritmetica geometry geometria calculus calculo
    trigonometry trigonometria statistics estadistica estatistica
    physics fisica fisika chemistry quimica kimika biology biologia bioloxia biologie
    """.split()
)
FLAGGED_PHRASES = (
    ("natural", "science"),
    ("natural", "sciences"),
    ("ciencias", "naturales"),
    ("ciencias", "naturais"),
    ("ciencias", "da", "natureza"),
    ("ciencies", "naturals"),
    ("ciencias", "de", "la", "naturaleza"),
)
WORD = re.compile(r"\w+")


@functools.lru_cache(maxsize=4096)
def is_language_code(value: str) -> bool:
    """A language is an ISO 639-1 (two letters) or ISO 639-3 (three letters) code, or one of
    the community's codes (accounts.languages), such as "nah"."""
    code = (value or "").strip().lower()
    if code in LANGUAGE_CODES:
        return True
    if len(code) == 2 and code.isalpha():
        return pycountry.languages.get(alpha_2=code) is not None
    if len(code) == 3 and code.isalpha():
        return pycountry.languages.get(alpha_3=code) is not None
    return False


def resolve_country(value: str) -> str | None:
    """The ISO 3166 alpha-2 code of a country given by its code ("BR") or by its name in
    Spanish, Portuguese or English ("Brasil", "España", "Spain"); None when unknown."""
    return parse_country(value) or None


def is_flagged_category(*texts: str) -> bool:
    """A category naming mathematics or natural sciences (in any of the community's languages,
    compared word by word, accents ignored) is flagged for the reviewer, not refused."""
    return any(_names_maths_or_science(text or "") for text in texts)


@functools.lru_cache(maxsize=4096)  # a file repeats a handful of categories
def _names_maths_or_science(text: str) -> bool:
    words = WORD.findall(fold(text))
    if FLAGGED_WORDS.intersection(words):
        return True
    for phrase in FLAGGED_PHRASES:
        size = len(phrase)
        if any(
            tuple(words[start : start + size]) == phrase for start in range(len(words) - size + 1)
        ):
            return True
    return False
