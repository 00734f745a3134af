"""Every upload answers: whatever the bytes, each reader and each kind's upload ends in a report
or a refusal (``UploadRejected``, ``ContributionRefused``), never another exception.

Property-based (hypothesis): random bytes, random JSON structures holding NUL and other control
characters, deep nesting, huge numbers and wrong types, and random CSV, through ``read_text``,
``parse_rows`` and the upload function of every kind.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from challenges.blend import domain as blend
from challenges.domain import ContributionRefused
from challenges.include.domain import upload_questions
from challenges.preferences import domain as preferences
from challenges.stereotypes import domain as stereotypes
from challenges.uploads import (
    MAX_NESTING,
    MAX_NUMBER_DIGITS,
    UploadRejected,
    ensure_plain_values,
    load_json,
    nesting_depth,
    parse_rows,
    read_text,
)
from tests.challenges.blend.factories import BlendChallengeFactory
from tests.challenges.include.conftest import official
from tests.challenges.include.factories import ExamFactory, IncludeChallengeFactory
from tests.challenges.preferences.factories import (
    PreferencesChallengeFactory,
    pass_quiz,
    vote_line,
)
from tests.challenges.stereotypes.factories import StereotypesChallengeFactory

EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# The field names of every kind's records: random records use them, so that the kinds' checks
# meet wrong types and odd values, not only unknown columns.
FIELDS = [
    "question", "options", "answer", "correct_answer", "category", "category_en",
    "category_original_lang", "original_question_num", "question_id", "language", "country",
    "exam_name", "source", "license", "level", "prompt", "pais", "idioma", "system_prompt",
    "tema", "topic", "id", "nationality", "attribute", "type", "tstamp", "states", "models",
    "username", "ip", "option_a", "option_b", "option_c", "option_d",
]  # fmt: skip

nasty_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(["\x00", "\x01", "\x1b", "\x7f", "\x85", "\u2028", "\t", "\n", "\r"]),
        st.characters(codec="utf-8"),
    ),
    max_size=30,
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    nasty_text,
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.one_of(st.sampled_from(FIELDS), nasty_text), children, max_size=5),
    ),
    max_leaves=20,
)
records = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=8)
# Texts json.dumps cannot make: numbers of thousands of digits, deep nesting, NaN, escapes.
hostile_values = st.one_of(
    st.integers(min_value=MAX_NUMBER_DIGITS, max_value=6000).map(lambda n: "9" * n),
    st.integers(min_value=MAX_NUMBER_DIGITS, max_value=6000).map(lambda n: "1." + "5" * n),
    st.integers(min_value=MAX_NESTING, max_value=50_000).map(lambda n: "[" * n + "]" * n),
    st.integers(min_value=MAX_NESTING, max_value=50_000).map(lambda n: '{"a":' * n + "1" + "}" * n),
    st.sampled_from(
        ["NaN", "Infinity", "-Infinity", "1e999", '"\\u0000"', '"\\ud800"', '"\\u009f"']
    ),
)


@st.composite
def json_texts(draw) -> tuple[str, str]:
    """A JSON array or JSON Lines text of random records, some values replaced by hostile ones."""
    rows = draw(st.lists(records, min_size=1, max_size=6))
    lines = []
    for record in rows:
        text = json.dumps(record, ensure_ascii=draw(st.booleans()))
        if record and draw(st.booleans()):
            key = draw(st.sampled_from(sorted(record)))
            hostile = draw(hostile_values)
            text = text.replace(
                json.dumps(key) + ": " + json.dumps(record[key]), f'"{key}": {hostile}', 1
            )
        lines.append(text)
    if draw(st.booleans()):
        return "[" + ",\n".join(lines) + "]", "data.json"
    return "\n".join(lines), "data.jsonl"


@st.composite
def csv_texts(draw) -> tuple[str, str]:
    header = draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=8, unique=True))
    separator = draw(st.sampled_from([",", ";", "\t"]))
    cell = st.one_of(nasty_text, hostile_values, st.sampled_from(['"', '""', '"a,b"', "0", "²"]))
    rows = draw(st.lists(st.lists(cell, min_size=0, max_size=len(header) + 2), max_size=6))
    lines = [separator.join(header)] + [separator.join(row) for row in rows]
    return "\n".join(lines), "data.csv"


any_text = st.one_of(json_texts(), csv_texts())
any_bytes = st.one_of(
    st.binary(max_size=500),
    any_text.map(lambda text: text[0].encode("utf-8", "surrogatepass")),
    any_text.map(lambda text: text[0].encode("utf-16")),
)


def answers(call) -> None:
    """The call ends in a report or a refusal with at least one reason."""
    try:
        call()
    except UploadRejected as rejected:
        assert rejected.errors.total >= 1
        assert all(error.message for error in rejected.errors.shown)
    except ContributionRefused as refused:
        assert refused.message


# --- the readers ---------------------------------------------------------------------------------


@EXAMPLES
@given(content=any_bytes)
def test_read_text_answers_whatever_the_bytes(content):
    answers(lambda: read_text(SimpleUploadedFile("data.json", content)))


@EXAMPLES
@given(text=any_text)
def test_parse_rows_answers_every_json_json_lines_and_csv_text(text):
    answers(lambda: parse_rows(*text[:1], filename=text[1]))


@EXAMPLES
@given(text=st.text(max_size=300))
def test_parse_rows_answers_any_text_under_each_format(text):
    for filename in ("data.json", "data.jsonl", "data.csv"):
        answers(lambda: parse_rows(text, filename=filename))  # noqa: B023


@EXAMPLES
@given(text=any_text)
def test_rows_read_never_hold_a_control_character(text):
    try:
        rows = parse_rows(text[0], filename=text[1])
    except UploadRejected:
        return
    ensure_plain_values(rows)  # would raise: parse_rows lets no such row through


# --- each kind's upload, through its domain ------------------------------------------------------


@pytest.fixture
def exam(edition, participant):
    return ExamFactory(challenge=IncludeChallengeFactory(edition=edition), author=participant)


@pytest.fixture
def preferences_challenge(edition, participant):
    challenge = PreferencesChallengeFactory(edition=edition)
    pass_quiz(challenge=challenge, user=participant)
    return challenge


@pytest.fixture
def blend_challenge(edition):
    return BlendChallengeFactory(edition=edition)


@pytest.fixture
def stereotypes_challenge(edition):
    return StereotypesChallengeFactory(edition=edition)


@pytest.mark.django_db
@EXAMPLES
@given(content=any_bytes)
def test_include_upload_answers(exam, content):
    answers(
        lambda: upload_questions(
            exam=exam, author=exam.author, upload=SimpleUploadedFile("q.json", content)
        )
    )


@pytest.mark.django_db
@EXAMPLES
@given(text=any_text)
def test_include_upload_of_records_answers(exam, text):
    upload = SimpleUploadedFile(text[1], text[0].encode("utf-8", "surrogatepass"))
    answers(lambda: upload_questions(exam=exam, author=exam.author, upload=upload))


@pytest.mark.django_db
@EXAMPLES
@given(text=any_text)
def test_prompts_upload_answers(preferences_challenge, participant, text):
    answers(
        lambda: preferences.import_prompts(
            challenge=preferences_challenge, author=participant, text=text[0], filename=text[1]
        )
    )


@pytest.mark.django_db
@EXAMPLES
@given(
    text=any_text,
    hostile=hostile_values,
    field=st.sampled_from(["type", "tstamp", "states", "models"]),
)
def test_arena_votes_upload_answers(preferences_challenge, organizer, text, hostile, field):
    challenge = preferences_challenge
    answers(
        lambda: preferences.import_arena_votes(
            challenge=challenge, text=text[0], filename=text[1], by=organizer
        )
    )
    line = vote_line()
    vote = json.dumps(line).replace(
        json.dumps(field) + ": " + json.dumps(line[field]), f'"{field}": {hostile}'
    )
    answers(
        lambda: preferences.import_arena_votes(
            challenge=challenge, text=vote, filename="votes.jsonl", by=organizer
        )
    )


@pytest.mark.django_db
@EXAMPLES
@given(text=any_text)
def test_blend_question_bank_upload_answers(blend_challenge, text):
    upload = SimpleUploadedFile(text[1], text[0].encode("utf-8", "surrogatepass"))
    answers(lambda: blend.import_questions(challenge=blend_challenge, upload=upload))


@pytest.mark.django_db
@EXAMPLES
@given(text=any_text)
def test_stereotype_pool_upload_answers(stereotypes_challenge, text):
    upload = SimpleUploadedFile(text[1], text[0].encode("utf-8", "surrogatepass"))
    answers(lambda: stereotypes.import_pairs(challenge=stereotypes_challenge, upload=upload))


# --- the bounds, one by one ---------------------------------------------------------------------


def errors_of(text: str, filename: str = "data.json") -> list[tuple[int, str, str]]:
    with pytest.raises(UploadRejected) as raised:
        parse_rows(text, filename=filename)
    return [(error.row, error.field, error.message) for error in raised.value.errors.shown]


@pytest.mark.parametrize(
    ("text", "filename"),
    [
        ('[{"question": "a"}, {"question": "b\\u0000c"}]', "data.json"),
        ('{"question": "a"}\n{"question": "b\\u0000c"}', "data.jsonl"),
        ("question\na\nb\x00c\n", "data.csv"),
    ],
)
def test_a_nul_is_refused_naming_the_row_and_field(text, filename):
    assert errors_of(text, filename) == [
        (
            2,
            "question",
            "This text holds a control character (U+0000), which is not allowed: remove it.",
        )
    ]


@pytest.mark.parametrize("character", ["\x01", "\x1f", "\x7f", "\x85", "\x9f"])
def test_other_control_characters_are_refused_anywhere_in_a_record(character):
    record = {"options": ["a", {"deep": f"b{character}"}], "question": "ok"}
    [(row, field, message)] = errors_of(json.dumps([record]))
    assert (row, field) == (1, "options[1].deep")
    assert f"U+{ord(character):04X}" in message


def test_a_control_character_in_a_column_name_is_named_readably():
    [(row, field, _message)] = errors_of("ques\x00tion\nabc\n", "data.csv")
    assert (row, field) == (1, "quesU+0000tion")


def test_tabs_newlines_and_other_scripts_are_text():
    text = json.dumps([{"question": "línea\tuna\r\nlínea dos \u2028 ñandú 漢字 👍"}])
    assert parse_rows(text)[0][1]["question"].startswith("línea\tuna")


def test_a_lone_surrogate_is_refused():
    assert "U+D800" in errors_of('[{"question": "\\ud800"}]')[0][2]


def test_deep_nesting_is_refused_without_recursion():
    deep = "[" * 100_000 + "]" * 100_000
    assert errors_of(f'[{{"options": {deep}}}]') == [
        (0, "", f"Lists and objects are nested more than {MAX_NESTING} deep.")
    ]
    assert errors_of(f'{{"options": {deep}}}', "data.jsonl") == [
        (1, "", f"Lists and objects are nested more than {MAX_NESTING} deep.")
    ]


def test_nesting_is_counted_outside_strings_only():
    assert nesting_depth('[{"a": "[[[[[[{{{{", "b": [1, [2]]}]') == 4
    assert load_json(json.dumps({"text": "[" * 10_000})) == {"text": "[" * 10_000}


def test_huge_numbers_nan_and_infinity_are_refused():
    long_number = f"A number has more than {MAX_NUMBER_DIGITS} digits."
    assert errors_of('[{"answer": ' + "9" * 5000 + "}]")[0][2] == long_number
    assert errors_of('[{"answer": 0.' + "5" * 5000 + "}]")[0][2] == long_number
    assert "too large" in errors_of('[{"answer": 1e999}]')[0][2]
    assert "NaN is not a number" in errors_of('{"answer": NaN}', "data.jsonl")[0][2]
    assert load_json('{"answer": 3, "weight": -1.5}') == {"answer": 3, "weight": -1.5}


def test_a_csv_cell_of_thousands_of_digits_is_an_error_of_its_row(exam):
    header = "question,option_a,option_b,option_c,option_d,answer,category_en,original_question_num"
    text = f"{header}\n¿Sí?,a,b,c,d,{'9' * 5000},History,²\n"
    with pytest.raises(UploadRejected) as raised:
        upload_questions(
            exam=exam, author=exam.author, upload=SimpleUploadedFile("q.csv", text.encode())
        )
    fields = {(error.row, error.field) for error in raised.value.errors.shown}
    assert fields == {(1, "answer"), (1, "original_question_num")}


def test_an_options_cell_nested_deeply_is_an_error_of_its_row(exam):
    record = official(options="[" * 5000 + "]" * 5000)
    with pytest.raises(UploadRejected) as raised:
        upload_questions(
            exam=exam,
            author=exam.author,
            upload=SimpleUploadedFile("q.json", json.dumps([record]).encode()),
        )
    assert [(error.row, error.field) for error in raised.value.errors.shown] == [(1, "options")]
