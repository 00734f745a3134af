"""The shortcuts of the upload check give what the definitions give: a question's folded text
from its folded parts (``fold_lines``), the ASCII paths of ``clean`` and ``normalize``, JSON
strings found by the unrolled pattern, and the band hashes of all an upload's texts at once,
each the BLAKE2b digest of its scope, its number and its values as the index has stored them."""

import hashlib
import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from challenges.near_duplicates import band_layout, sign, threshold
from challenges.text import clean, fold, fold_lines, normalize
from challenges.uploads.reading import JSON_STRING, UploadErrors, check_text, contains_html

# Characters where folding could go wrong at the joins: combining marks, spaces of every
# kind, compatibility forms, Hangul jamo that compose, invisible controls, line separators.
TRICKY = list("aAéÉñ ¿?`´¨\n\t\u00a0\u0301\u0308\u0345\u200b\u202e\ufb01Ｌｶﾞ각ÅΩß\u2028\x1c") + [
    "\u1100",
    "\u1161",
    "\u11a8",
    "\u0f73",
]
TEXTS = st.text(alphabet=st.sampled_from(TRICKY), max_size=12) | st.text(max_size=12)


@settings(max_examples=2000, deadline=None)
@given(st.lists(TEXTS, min_size=1, max_size=5))
def test_the_folded_parts_joined_are_the_folded_joined_text(parts):
    joined = fold_lines([fold(part) for part in parts])
    if joined is not None:
        assert joined == fold("\n".join(parts))
    else:
        assert not all(fold(part) for part in parts)


def test_a_part_folding_to_nothing_leaves_the_joined_text_to_fold():
    assert fold_lines(["pregunta", "", "b"]) is None
    assert fold_lines(["¿pregunta", "opcion a"]) == fold("¿Pregunta\nOpción A")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_text_is_cleaned_and_normalized_as_any_text(text):
    # The definitions, without the shortcut for ASCII.
    assert clean(text) == text.strip()
    expected = " ".join(text.replace("`", "'").casefold().split())
    assert normalize(text) == expected


def test_html_is_found_with_or_without_its_shortcut():
    assert contains_html("a <b>x</b>") and contains_html("<!-- x -->")
    assert not contains_html("1 < 2 > 0") and not contains_html("sin etiquetas")


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('"\\ab[]{}\n')), max_size=30))
def test_json_strings_are_found_as_the_alternation_finds_them(text):
    alternation = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
    assert JSON_STRING.sub("", text) == alternation.sub("", text)


def test_band_hashes_are_the_digests_of_their_scope_number_and_values():
    texts = ["¿En qué año se proclamó la independencia?\n1810\n1821", "", "x" * 300, "ab"]
    scopes = ["", "PE", "ñandú", "PE"]
    bands, rows = band_layout(threshold())
    for signed, scope in zip(sign(texts, scopes=scopes), scopes, strict=True):
        raw = signed.hashvalues.astype(np.uint32).tobytes()
        expected = tuple(
            int.from_bytes(
                hashlib.blake2b(
                    scope.encode("utf-8")
                    + b"\x1f"
                    + bytes([band])
                    + raw[band * rows * 4 :][: rows * 4],
                    digest_size=8,
                ).digest(),
                "big",
                signed=True,
            )
            for band in range(bands)
        )
        assert signed.bands == expected
        assert all(type(value) is int for value in signed.bands)


def test_folded_texts_given_sign_as_their_texts_do():
    texts = ["¿Pregunta número 1?\nOpción A", "Otra pregunta\nB"]
    folded = [fold(text) for text in texts]
    given_folded = sign(texts, folded=[folded[0], None])
    by_text = sign(texts)
    assert [s.bands for s in given_folded] == [s.bands for s in by_text]
    assert all(
        np.array_equal(a.hashvalues, b.hashvalues)
        for a, b in zip(given_folded, by_text, strict=True)
    )


def test_a_text_that_passed_is_checked_again_under_other_rules():
    errors = UploadErrors()
    assert check_text({"level": " Historia "}, "level", row=1, errors=errors) == "Historia"
    assert check_text({"level": " Historia "}, "level", row=2, errors=errors) == "Historia"
    assert check_text({"level": " Historia "}, "level", row=3, errors=errors, max_length=3)
    assert check_text({"level": "\u200b"}, "level", row=4, errors=errors, required=False) == ""
    assert check_text({"level": "\u200b"}, "level", row=5, errors=errors) == ""
    assert check_text({"level": "<b>x</b>"}, "level", row=6, errors=errors) == "<b>x</b>"
    assert [(error.row, error.message[:8]) for error in errors.shown] == [
        (3, "At most "),
        (5, "This fie"),
        (6, "HTML is "),
    ]
