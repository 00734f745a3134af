"""Text as it is stored and as it is compared: one place for both.

A text is STORED as typed, minus the invisible controls (``clean``): zero-width spaces,
bidirectional marks and overrides, soft hyphens, byte order marks. They change nothing a reader
sees, so a text carrying them is the same text; left in, they make a copy look new, a prompt
look non-empty, or a team name look free.

A text is COMPARED in its normalized form (``normalize``: cleaned, NFKC, typographic quotes
and dashes as ASCII, case folded, single spaces), or, to find duplicates, in its folded form
(``fold``: ``normalize`` without accents). Every duplicate check (``fingerprint``, the team
name key, near-duplicates) reads ``fold``; ``is_blank`` says whether anything visible is left.
"""

from __future__ import annotations

import hashlib
import re
import sys
import unicodedata
from collections.abc import Sequence
from functools import cache, lru_cache

# Characters that render as nothing (or only steer the direction of the text around them).
INVISIBLE_CONTROLS = frozenset(
    [
        "\u00ad",  # soft hyphen
        "\u034f",  # combining grapheme joiner
        "\u061c",  # Arabic letter mark
        "\u115f",  # Hangul choseong filler
        "\u1160",  # Hangul jungseong filler
        "\u17b4",  # Khmer vowel inherent aq
        "\u17b5",  # Khmer vowel inherent aa
        "\u180e",  # Mongolian vowel separator
        *(chr(code) for code in range(0x200B, 0x2010)),  # zero-width space ... right-to-left mark
        *(chr(code) for code in range(0x202A, 0x202F)),  # bidirectional embeddings, overrides
        *(chr(code) for code in range(0x2060, 0x2065)),  # word joiner, invisible operators
        *(chr(code) for code in range(0x2066, 0x2070)),  # bidirectional isolates, deprecated
        "\u3164",  # Hangul filler
        "\ufeff",  # zero-width no-break space (byte order mark)
        "\uffa0",  # halfwidth Hangul filler
    ]
)
_INVISIBLE = re.compile("[" + "".join(sorted(INVISIBLE_CONTROLS)) + "]")

# Typographic punctuation read as its ASCII form when texts are compared.
_PUNCTUATION = str.maketrans(
    {
        **dict.fromkeys("‘’‚‛′‵`´", "'"),
        **dict.fromkeys("“”„‟″‶«»‹›", '"'),
        **dict.fromkeys("‐‑‒–—―−⁃﹘﹣", "-"),
    }
)
_TYPOGRAPHIC = re.compile("[" + "".join(re.escape(chr(code)) for code in _PUNCTUATION) + "]")


def clean(text: str) -> str:
    """The text as it is stored: as typed, without the invisible controls
    (``INVISIBLE_CONTROLS``), and without the spaces around it."""
    if text.isascii():  # every invisible control is outside ASCII
        return text.strip()
    return _INVISIBLE.sub("", text).strip()


# Normalized texts remembered: an upload's row normalizes its options to compare them, then
# again for its fingerprint, and repeats its category, level and exam's name on every row.
NORMALIZED_KEPT = 4096


def _normalized(text: str) -> str:
    if not text.isascii():  # ASCII text is its own NFKC form, without invisible controls
        text = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text))
    if _TYPOGRAPHIC.search(text):
        text = text.translate(_PUNCTUATION)
    return " ".join(text.casefold().split())


@lru_cache(maxsize=NORMALIZED_KEPT)
def normalize(text: str) -> str:
    """The form two texts are compared in: cleaned, Unicode-normalized (NFKC: "ﬁ" is "fi",
    full-width letters are letters), typographic quotes and dashes as ASCII, case folded,
    single spaces. Accents are kept ("papa" and "papá" differ)."""
    return _normalized(text)


# Characters kept as they are by ``_combining_marks``' table, listed in it: ``str.translate``
# looks every character up, and one the table lacks costs a KeyError raised and cleared,
# where one found costs nothing more (Latin, Greek and Cyrillic letters, their accents
# apart, fold 40% faster).
_KEPT_AS_THEY_ARE = range(0x0530)


@cache
def _combining_marks() -> dict[int, int | None]:
    """Every combining mark (accents, tildes, cedillas...), as a ``str.translate`` table that
    removes it (on texts of an upload's length, two and a half times as fast as a regular
    expression of their ranges), with the other characters of _KEPT_AS_THEY_ARE kept."""
    table: dict[int, int | None] = {code: code for code in _KEPT_AS_THEY_ARE}
    table.update(
        dict.fromkeys(
            code for code in range(sys.maxunicode + 1) if unicodedata.combining(chr(code))
        )
    )
    return table


def fold(text: str) -> str:
    """``normalize`` without accents, for finding duplicates: "Matemáticas" and "matematicas",
    "Perú" and "peru" meet."""
    return _without_accents(normalize(text))


def _without_accents(normalized: str) -> str:
    if normalized.isascii():
        return normalized
    return unicodedata.normalize("NFKD", normalized).translate(_combining_marks())


# Between texts processed together (``clean_together``, ``fold_together``): no step of
# ``clean``, ``normalize`` or ``fold`` removes, adds or merges it (it is no space, no invisible
# control, no combining mark, and Unicode normalization never composes nor reorders across it),
# so each text comes out of the joined text as it would alone.
_SEPARATOR = "\0"


def clean_together(texts: Sequence[str]) -> list[str]:
    """``[clean(text) for text in texts]``, with one pass over the texts joined: a row's
    question and options."""
    joined = _SEPARATOR.join(texts)
    if joined.isascii() or not _INVISIBLE.search(joined):
        # Each text itself where it has no spaces at its ends: no copy of it is kept.
        return [text.strip() for text in texts]
    joined = _INVISIBLE.sub("", joined)
    if joined.count(_SEPARATOR) != len(texts) - 1:  # a text holds the separator
        return [clean(text) for text in texts]
    return [part.strip() for part in joined.split(_SEPARATOR)]


def fold_together(texts: Sequence[str]) -> tuple[list[str], list[str]]:
    """``[normalize(text) ...]`` and ``[fold(text) ...]`` of the texts, each step done once on
    the texts joined instead of once per text (a row's question and options: a fifth of the
    calls), without ``normalize``'s memory of recent texts, which new texts only fill."""
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != len(texts) - 1:  # a text holds the separator
        return [normalize(text) for text in texts], [fold(text) for text in texts]
    # The joined text's single spaces may stand beside a separator: each part's own are kept.
    normalized = [" ".join(part.split()) for part in _normalized(joined).split(_SEPARATOR)]
    folded = _without_accents(_SEPARATOR.join(normalized)).split(_SEPARATOR)
    return normalized, folded


def fold_lines(folded: Sequence[str]) -> str | None:
    """``fold`` of texts joined by line breaks, from each text's folded form: a line break
    folds to a space like any run of spaces, and every step of ``fold`` works character by
    character or between such spaces, so the folded parts joined by a space are the folded
    whole. None when a part folds to nothing (its spaces would merge with its neighbours'):
    fold the joined text then."""
    if not all(folded):
        return None
    return " ".join(folded)


# An ASCII letter or digit, which folding keeps: a text holding one is not blank.
_ASCII_ALNUM = re.compile("[A-Za-z0-9]")


def is_blank(text: str) -> bool:
    """Whether nothing visible is left once the text is folded (only spaces, invisible
    controls or lone accents)."""
    return _ASCII_ALNUM.search(text) is None and not fold(text)


def fingerprint(*parts: str) -> str:
    """A stable digest of folded texts, to find the same item uploaded twice."""
    return fingerprint_folded([fold(part) for part in parts])


def fingerprint_folded(folded: Sequence[str]) -> str:
    """``fingerprint`` of texts already folded (a check that folds them once for more than
    the fingerprint)."""
    return hashlib.sha256("\x1f".join(folded).encode("utf-8")).hexdigest()
