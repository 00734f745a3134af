"""The signatures of near-duplicates are computed for all texts at once (numpy), yet they are
exactly datasketch's: the same MinHash values as ``MinHash.update_batch`` with the "affine32"
scheme, so the band hashes stored in the index before keep meeting the new ones; and texts are
folded as the definition says (every combining mark removed)."""

import sys
import unicodedata

import numpy as np
import pytest
from datasketch import MinHash

from challenges import near_duplicates
from challenges.near_duplicates import NUM_PERM, SEED, _permutations, _shingle_hashes, sign
from challenges.text import _PUNCTUATION as PUNCTUATION
from challenges.text import fold, normalize

TEXTS = [
    "",
    "a",
    "abcd",
    "abcde",
    "¿En qué año se proclamó la independencia del Perú?\n1821\n1824\n1879\n1810",
    "Qual é a capital do Brasil? Brasília",
    "日本語のテキスト、한국어 텍스트",
    "x" * 3000,
]


def datasketch_values(text: str) -> np.ndarray:
    minhash = MinHash(
        num_perm=NUM_PERM,
        seed=SEED,
        hashfunc=int,
        permutations=_permutations(),
        scheme="affine32",
    )
    minhash.update_batch(_shingle_hashes([fold(text)])[0].tolist())
    return minhash.hashvalues


@pytest.mark.parametrize("chunk", [near_duplicates.SIGN_CHUNK, 1, 7])
def test_the_values_are_datasketchs_whatever_the_chunk(monkeypatch, chunk):
    monkeypatch.setattr(near_duplicates, "SIGN_CHUNK", chunk)
    for signed, text in zip(sign(TEXTS), TEXTS, strict=True):
        assert np.array_equal(signed.hashvalues, datasketch_values(text)), text[:20]
        assert signed.minhash.jaccard(signed.minhash) == 1.0


def test_the_similarity_is_datasketchs():
    first, second = sign([TEXTS[4], TEXTS[4].replace("Perú", "Chile")])
    expected = MinHash(
        num_perm=NUM_PERM, seed=SEED, hashvalues=datasketch_values(TEXTS[4]), scheme="affine32"
    ).jaccard(
        MinHash(
            num_perm=NUM_PERM,
            seed=SEED,
            hashvalues=datasketch_values(TEXTS[4].replace("Perú", "Chile")),
            scheme="affine32",
        )
    )
    assert first.jaccard(second) == expected and 0.5 < expected < 1


def test_folding_removes_every_combining_mark_as_a_table_of_them_would():
    marks = {code: None for code in range(sys.maxunicode + 1) if unicodedata.combining(chr(code))}
    texts = ["a" + "a".join(map(chr, marks)) + "a", *TEXTS, "Perú «Matemáticas» – ﬁn Ǆ ḉ"]
    for text in texts:
        folded = " ".join(
            unicodedata.normalize("NFKC", text).translate(PUNCTUATION).casefold().split()
        )
        expected = unicodedata.normalize("NFKD", folded).translate(marks)
        assert fold(text) == expected
    assert fold("Perú «Matemáticas» – ﬁn") == 'peru "matematicas" - fin'
    assert normalize("Perú «Matemáticas» – ﬁn") == 'perú "matemáticas" - fin'
