"""Every Hub import answers, Parquet included: whatever a dataset's Parquet file holds (random
bytes, or a table of random columns: NUL and other control characters in texts and column
names, structs nested deeper than the bound, NaN and infinities, whole numbers at int64's ends,
bytes, dates, decimals, lists), reading it (``hub.importing``'s reader, through ``datasets`` as
an import reads it) and storing its rows as an exam's questions end in rows and a report or a
refusal (``UploadRejected``, ``ContributionRefused``), never another exception.

Property-based (hypothesis), as the uploads' own readers are (tests/challenges/
test_uploads_robustness.py)."""

from __future__ import annotations

import datetime as dt
import decimal
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from challenges.include.domain import add_question_records
from challenges.uploads import MAX_NESTING, UploadRejected
from hub.importing import _read_records
from tests.challenges.include.factories import ExamFactory, IncludeChallengeFactory
from tests.challenges.test_uploads_robustness import FIELDS, answers, nasty_text

pytestmark = pytest.mark.django_db

# Each example reads a file through ``datasets`` (a few tenths of a second each).
EXAMPLES = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ROWS = 4
INT64 = 2**63


def deep_struct(depth: int) -> tuple[pa.DataType, dict]:
    """A struct column type nested ``depth`` deep and one value of it."""
    kind: pa.DataType = pa.string()
    value: object = "fondo"
    for _ in range(depth):
        kind = pa.struct([("a", kind)])
        value = {"a": value}
    return kind, value


def nullable(values: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(st.one_of(st.none(), values), min_size=ROWS, max_size=ROWS)


@st.composite
def columns(draw) -> pa.Array:
    """One column of ROWS values of a random Parquet type."""
    kind = draw(
        st.sampled_from(
            ["string", "int", "float", "binary", "list", "struct", "date", "timestamp", "decimal"]
        )
    )
    if kind == "string":
        return pa.array(draw(nullable(nasty_text)), type=pa.string())
    if kind == "int":
        whole = st.one_of(st.integers(-3, 5), st.sampled_from([-INT64, INT64 - 1]))
        return pa.array(draw(nullable(whole)), type=pa.int64())
    if kind == "float":
        return pa.array(draw(nullable(st.floats(allow_nan=True, allow_infinity=True))))
    if kind == "binary":
        return pa.array(draw(nullable(st.binary(max_size=20))), type=pa.binary())
    if kind == "list":
        texts = st.lists(st.one_of(st.none(), nasty_text), max_size=5)
        return pa.array(draw(nullable(texts)), type=pa.list_(pa.string()))
    if kind == "struct":
        struct, value = deep_struct(draw(st.integers(1, MAX_NESTING + 8)))
        return pa.array(draw(nullable(st.just(value))), type=struct)
    if kind == "date":
        return pa.array(draw(nullable(st.dates())), type=pa.date32())
    if kind == "timestamp":
        moments = st.datetimes(min_value=dt.datetime(1900, 1, 1))
        return pa.array(draw(nullable(moments)), type=pa.timestamp("us"))
    digits = st.decimals(allow_nan=False, allow_infinity=False, places=0, min_value=-(10**37))
    numbers = digits.filter(lambda number: abs(number) < decimal.Decimal(10) ** 37)
    return pa.array(draw(nullable(numbers)), type=pa.decimal128(38, 0))


@st.composite
def tables(draw) -> pa.Table:
    names = draw(
        st.lists(
            st.one_of(st.sampled_from(FIELDS), nasty_text.filter(bool)),
            min_size=1,
            max_size=6,
            unique=True,
        )
    )
    return pa.table({name: draw(columns()) for name in names})


@pytest.fixture
def exam(edition, participant):
    return ExamFactory(challenge=IncludeChallengeFactory(edition=edition), author=participant)


def read_and_store(exam, write) -> None:
    """The file ``write(path)`` makes, read as an import reads it, then stored as questions."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data" / "train.parquet"
        path.parent.mkdir()
        write(path)
        try:
            rows = _read_records(
                folder=Path(folder), files=["data/train.parquet"], cache_dir=Path(folder)
            )
        except UploadRejected as rejected:
            assert rejected.errors.total >= 1
            assert all(error.message for error in rejected.errors.shown)
            return
    answers(lambda: add_question_records(exam=exam, author=exam.author, rows=rows))


@EXAMPLES
@given(content=st.one_of(st.binary(max_size=400), st.binary(max_size=400).map(b"PAR1".__add__)))
def test_any_bytes_named_parquet_answer(exam, content):
    read_and_store(exam, lambda path: path.write_bytes(content))


@EXAMPLES
@given(table=tables())
def test_any_parquet_table_answers(exam, table):
    read_and_store(exam, lambda path: pq.write_table(table, path))


def test_a_struct_nested_past_the_bound_is_refused_naming_its_row():
    struct, value = deep_struct(MAX_NESTING + 1)
    table = pa.table({"question": pa.array([value], type=struct)})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "train.parquet"
        pq.write_table(table, path)
        with pytest.raises(UploadRejected) as raised:
            _read_records(folder=Path(folder), files=["train.parquet"], cache_dir=Path(folder))
    [error] = raised.value.errors.shown
    assert error.row == 1 and error.field.startswith("question")
    assert error.message == f"Lists and objects are nested more than {MAX_NESTING} deep."
