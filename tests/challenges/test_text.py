"""One normalization for comparison (``normalize``, ``fold``, ``fingerprint``, ``is_blank``) and
one for storage (``clean``)."""

import pytest

from challenges.text import (
    INVISIBLE_CONTROLS,
    clean,
    clean_together,
    fingerprint,
    fold,
    fold_together,
    is_blank,
    normalize,
)

BASE = "¿Quién fundó Lima?"


@pytest.mark.parametrize(
    "variant",
    [
        "¿Quién\u200b fundó Lima?",  # zero-width space
        "¿Quién fundó\u200f Lima?",  # right-to-left mark
        "\u202e¿Quién fundó Lima?\u202c",  # right-to-left override and pop
        "\ufeff¿Quién fun\u00addó Lima?",  # byte order mark, soft hyphen
        "¿Quién\u2060 fundó\u2066 Lima?\u2069",  # word joiner, isolates
        "  ¿QUIÉN   fundó\tLima?\n",  # case and spacing
        "¿Quién fundó Lima？",  # full-width question mark (NFKC)
        "¿Quien fundo Lima?",  # accents
    ],
)
def test_variants_have_the_same_fingerprint(variant):
    assert fingerprint(variant) == fingerprint(BASE)


def test_nfkc_forms_meet():
    assert normalize("ﬁesta Ｌｉｍａ ²") == "fiesta lima 2"


def test_typographic_quotes_and_dashes_are_ascii():
    assert normalize("“Hola” – ‘chau’ — «sí»") == '"hola" - \'chau\' - "sí"'
    assert fingerprint("El “Inca” Garcilaso") == fingerprint('El "Inca" Garcilaso')


def test_accents_are_kept_by_normalize_and_folded_by_fold():
    assert normalize("Papá") == "papá" and normalize("Papa") == "papa"
    assert fold("Papá") == "papa"


def test_different_texts_differ():
    assert fingerprint("¿Quién fundó Lima?") != fingerprint("¿Quién fundó Cusco?")
    assert fingerprint("a", "b") != fingerprint("a b")


@pytest.mark.parametrize(
    "text", ["", "   ", "\u200b", "\u200b\u200f\ufeff \u2060", "\u00ad\t\u202e", "\u0301"]
)
def test_text_with_nothing_visible_is_blank(text):
    assert is_blank(text)


def test_visible_text_is_not_blank():
    assert not is_blank("\u200ba") and not is_blank("0")


def test_clean_keeps_what_was_typed_minus_the_invisible_controls():
    assert clean("  ¿Quién\u200b fundó “Lima”?\u200f ") == "¿Quién fundó “Lima”?"
    assert clean("ÁRBOL — ﬁn") == "ÁRBOL — ﬁn"
    assert clean("".join(sorted(INVISIBLE_CONTROLS))) == ""


# Texts whose steps could act across the boundary between two texts joined: combining marks
# starting a text, a spacing accent (NFKC makes it a space and a mark), spaces of every kind at
# the edges, letters that fold to several (ß, ﬁ), Hangul syllables (NFKD splits them), and the
# separator itself inside a text.
TOGETHER = [
    [
        "¿Quién fundó Lima?",
        "\u0301acento suelto",
        "Perú\u0303",
        "a´",
        "  ¿QUIÉN\u00a0\u2003 fundó\tLima?\n",
    ],
    ["Straße ﬁn", "ｆｕｌｌ ｗｉｄｔｈ", "한국어 문제", "Ελληνικά Κυριλλица", "“comillas” — guion"],
    ["\u200b\ufeff", "   ", "", "\u0301", "solo ascii"],
    ["texto con \0 dentro", "otro", "más\0", "\0", "fin"],
    ["plain ascii", "only", "here", "NO accents", "1821"],
]


@pytest.mark.parametrize("texts", TOGETHER)
def test_texts_processed_together_come_out_as_each_alone(texts):
    assert clean_together(texts) == [clean(text) for text in texts]
    assert fold_together(texts) == ([normalize(t) for t in texts], [fold(t) for t in texts])
