import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from challenges.text import fingerprint
from challenges.uploads import (
    MAX_ERRORS_SHOWN,
    UploadErrors,
    UploadRejected,
    check_text,
    parse_rows,
    read_text,
)


def upload(content: bytes, name: str = "data.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def rejected_message(call) -> str:
    with pytest.raises(UploadRejected) as raised:
        call()
    return " ".join(error.message for error in raised.value.errors.shown)


def test_utf8_with_and_without_bom_and_utf16():
    assert read_text(upload('[{"a": "ñ"}]'.encode())) == '[{"a": "ñ"}]'
    assert read_text(upload('\ufeff[{"a": "ñ"}]'.encode())) == '[{"a": "ñ"}]'
    assert read_text(upload('[{"a": "ñ"}]'.encode("utf-16"))) == '[{"a": "ñ"}]'


def test_wrong_encoding_is_explained():
    assert "not UTF-8" in rejected_message(
        lambda: read_text(upload("pregunta: ñandú".encode("latin-1")))
    )


@pytest.mark.parametrize("content", [b"", b"   \n  ", b"\xef\xbb\xbf"])
def test_empty_files_are_refused(content):
    assert "empty" in rejected_message(lambda: read_text(upload(content)))


def test_files_over_the_size_limit_are_refused():
    assert "limit is 1 MB" in rejected_message(
        lambda: read_text(upload(b"x" * (1024 * 1024 + 1)), max_bytes=1024 * 1024)
    )


def test_a_stream_longer_than_its_declared_size_is_still_refused():
    class Lying(io.BytesIO):
        size = 10

    assert "larger than" in rejected_message(lambda: read_text(Lying(b"x" * 2048), max_bytes=1024))


def test_json_array_json_lines_and_csv():
    assert parse_rows('[{"q": 1}, {"q": 2}]') == [(1, {"q": 1}), (2, {"q": 2})]
    assert parse_rows('{"q": 1}\n\n{"q": 2}\n', filename="x.jsonl") == [
        (1, {"q": 1}),
        (2, {"q": 2}),
    ]
    assert parse_rows("Prompt,Pais\nhola,PE\n", filename="x.csv") == [
        (1, {"prompt": "hola", "pais": "PE"})
    ]
    assert parse_rows("prompt;pais\nhola;PE\n", filename="x.csv") == [
        (1, {"prompt": "hola", "pais": "PE"})
    ]


def test_malformed_json_says_where():
    message = rejected_message(lambda: parse_rows('[{"q": 1},\n {"q": }]'))
    assert "line 2" in message


def test_json_lines_errors_carry_their_row():
    with pytest.raises(UploadRejected) as raised:
        parse_rows('{"q": 1}\nnot json\n[1, 2]\n', filename="x.jsonl")
    assert [error.row for error in raised.value.errors.shown] == [2, 3]


def test_csv_rows_with_extra_values_are_errors():
    with pytest.raises(UploadRejected) as raised:
        parse_rows("a,b\n1,2\n1,2,3\n", filename="x.csv")
    assert raised.value.errors.shown[0].row == 2


def test_row_limit():
    text = "\n".join(f'{{"q": {n}}}' for n in range(12))
    assert "limit is 10" in rejected_message(
        lambda: parse_rows(text, filename="x.jsonl", max_rows=10)
    )


def test_errors_keep_the_first_hundred_and_count_the_rest():
    errors = UploadErrors()
    for row in range(1, 151):
        errors.add(row, "question", "bad")
    assert len(errors.shown) == MAX_ERRORS_SHOWN and errors.total == 150 and errors.more == 50


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (None, "required"),
        ("  ", "required"),
        ("<b>ok</b>", "HTML"),
        ("x" * 11, "At most 10"),
        (["a"], "must be text"),
    ],
)
def test_check_text(value, problem):
    errors = UploadErrors()
    check_text({"field": value}, "field", row=3, errors=errors, max_length=10)
    assert errors.shown[0].row == 3 and problem in errors.shown[0].message


def test_check_text_accepts_plain_text_with_angle_brackets_in_maths():
    errors = UploadErrors()
    assert check_text({"field": "2 < 3 y 5 > 4"}, "field", row=1, errors=errors) == "2 < 3 y 5 > 4"
    assert not errors


def test_fingerprint_ignores_case_spacing_and_unicode_forms():
    assert fingerprint("¿Qué  es?", "Á") == fingerprint("¿qué es? ", "A\u0301".upper())
    assert fingerprint("a", "b") != fingerprint("a b")
