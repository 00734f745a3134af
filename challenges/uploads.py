"""Uploaded files (JSON, JSON Lines, CSV): reading them into rows and storing them, all or nothing.

Every challenge's upload goes through here: the size and row limits, the text encoding (UTF-8
with or without BOM, UTF-16 with BOM), the format, and an error list that keeps the first 100
errors with their row and field, and counts the rest. ``store_upload`` is the one way the rows
become stored items: every row checked, repeats found in the file and among the stored items
(each kind says whether a repeat is skipped or refuses the file), one bulk insert, a report.
"""

from __future__ import annotations

import csv
import enum
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, Protocol, TypeVar

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from challenges.near_duplicates import (
    NearDuplicate,
    Signed,
    find_near_duplicates,
    index_items,
    sign,
)
from challenges.text import clean, is_blank

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UPLOAD_ROWS = 20_000
MAX_ERRORS_SHOWN = 100
HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")
# Stored fingerprints (or ids) looked up per query: an upload never loads the challenge's other
# items, and a query stays under SQLite's limit on parameters.
FINGERPRINT_CHUNK = 900
# A text made only of spaces and invisible characters.
NO_VISIBLE_TEXT = gettext_lazy("This field has only invisible characters; write visible text.")
# Rows per INSERT when an upload is stored.
BULK_BATCH = 2000
# The field types whose raw values ``insert_items`` hands to PostgreSQL as they are.
RAW_TYPES = frozenset(
    {
        "CharField", "TextField", "SlugField", "URLField", "EmailField", "BooleanField",
        "IntegerField", "BigIntegerField", "SmallIntegerField", "PositiveIntegerField",
        "PositiveBigIntegerField", "PositiveSmallIntegerField", "FloatField", "DateTimeField",
        "DateField", "ForeignKey", "JSONField",
    }
)  # fmt: skip
# Rows checked between two reports of an upload's progress.
PROGRESS_EVERY = 1000
# How deeply a value of an uploaded record may nest lists and objects (a record is 1 deep, its
# list of options 2): deeper input exhausts the parser's and the checks' recursion.
MAX_NESTING = 32
# Digits of a number in uploaded JSON: Python refuses to read integers of over 4,300 digits, and
# no field of any record needs more than a few.
MAX_NUMBER_DIGITS = 100
# What no text of an upload may hold: the C0 control characters but tab, newline and carriage
# return, DEL, the C1 control characters (PostgreSQL refuses NUL outright; the others hide text),
# and lone surrogates (a JSON escape can make one; they cannot be written as UTF-8).
FORBIDDEN_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# A JSON escape that may decode to one of them (a false alarm only costs a closer look).
FORBIDDEN_ESCAPE = re.compile(r"\\u00[0189][0-9a-f]|\\u007f|\\ud[89a-f]", re.IGNORECASE)
JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")

Item = TypeVar("Item", bound=models.Model)
CheckedItem = TypeVar("CheckedItem", bound=models.Model, covariant=True)


@dataclass(frozen=True)
class RowError:
    row: int  # 1 for the first record of the file; 0 for the file as a whole
    field: str
    message: str


@dataclass
class UploadErrors:
    """Collects every error; keeps the first MAX_ERRORS_SHOWN to show."""

    shown: list[RowError] = field(default_factory=list)
    total: int = 0

    def add(self, row: int, field_name: str, message: str) -> None:
        self.total += 1
        if len(self.shown) < MAX_ERRORS_SHOWN:
            self.shown.append(RowError(row, field_name, str(message)))

    @property
    def more(self) -> int:
        return self.total - len(self.shown)

    def __bool__(self) -> bool:
        return self.total > 0


class UploadRejected(Exception):
    """The upload stored nothing; ``errors`` says every reason."""

    def __init__(self, errors: UploadErrors | str):
        if isinstance(errors, str):
            message, errors = errors, UploadErrors()
            errors.add(0, "", message)
        super().__init__(f"{errors.total} errors")
        self.errors = errors


def text_encoding(start: bytes) -> str:
    """How uploaded text is read, from its first bytes: UTF-16 with its byte order mark, else
    UTF-8 ("utf-8-sig" also drops a UTF-8 byte order mark)."""
    return "utf-16" if start.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"


def sniff_csv_dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    """The CSV dialect of a text's start: comma, semicolon or tab separated; comma if unsure."""
    try:
        return csv.Sniffer().sniff(sample[:4096], delimiters=",;\t")
    except csv.Error:
        return csv.excel


def ensure_upload_size(upload, *, max_bytes: int = MAX_UPLOAD_BYTES) -> None:
    """Refuse a file whose declared size is over the limit, before keeping or reading it."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise UploadRejected(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(size / 1024 / 1024, 1), "limit": max_bytes // 1024 // 1024}
        )


def read_text(upload, *, max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """The uploaded file's text: refuse files too large, empty or not in a Unicode encoding."""
    ensure_upload_size(upload, max_bytes=max_bytes)
    raw = upload.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise UploadRejected(
            _("The file is larger than %(limit)s MB.") % {"limit": max_bytes // 1024 // 1024}
        )
    if not raw.strip():
        raise UploadRejected(_("The file is empty."))
    encoding = text_encoding(raw[:2])
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise UploadRejected(
            _(
                "The file is not UTF-8 text (byte %(position)s cannot be read). Save it as UTF-8 and upload it again."
            )
            % {"position": error.start + 1}
        ) from error
    if not text.strip():
        raise UploadRejected(_("The file is empty."))
    return text


def detect_format(text: str, filename: str = "") -> str:
    """json, jsonl or csv: from the file name's extension, else from the first character."""
    suffix = PurePath(filename).suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    start = text.lstrip()[:1]
    if start == "[":
        return "json"
    if start == "{":
        return "jsonl"
    if suffix == ".json":
        return "json"
    return "csv"


def parse_rows(
    text: str, *, filename: str = "", max_rows: int = MAX_UPLOAD_ROWS
) -> list[tuple[int, dict]]:
    """Records of a JSON array, JSON Lines or CSV text, numbered from 1."""
    kind = detect_format(text, filename)
    if kind == "json":
        rows = _parse_json_array(text)
    elif kind == "jsonl":
        rows = _parse_json_lines(text, max_rows=max_rows)
    else:
        rows = _parse_csv(text, max_rows=max_rows)
    if len(rows) > max_rows:
        raise UploadRejected(
            _("The file has %(count)s rows; the limit is %(limit)s. Split it into smaller files.")
            % {"count": f"{len(rows):,}", "limit": f"{max_rows:,}"}
        )
    if not rows:
        raise UploadRejected(_("The file has no rows."))
    if FORBIDDEN_CHARACTER.search(text) or (kind != "csv" and FORBIDDEN_ESCAPE.search(text)):
        ensure_plain_values(rows)
    return rows


class JSONRefused(ValueError):
    """Valid JSON the uploads do not read: nested too deeply, a number too long or not finite."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def nesting_depth(text: str, *, stop_above: int = MAX_NESTING) -> int:
    """How deeply a JSON text nests lists and objects, counted without recursion (strings left
    out); counting stops once above ``stop_above``."""
    brackets = NOT_A_BRACKET.sub("", JSON_STRING.sub("", text))
    depth = deepest = 0
    for bracket in brackets:
        if bracket in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_above:
                    break
        else:
            depth -= 1
    return deepest


def _json_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise JSONRefused(
            _("A number has more than %(limit)s digits.") % {"limit": MAX_NUMBER_DIGITS}
        )
    return int(digits)


def _json_float(digits: str) -> float:
    if len(digits) > MAX_NUMBER_DIGITS:
        raise JSONRefused(
            _("A number has more than %(limit)s digits.") % {"limit": MAX_NUMBER_DIGITS}
        )
    number = float(digits)
    if not math.isfinite(number):
        raise JSONRefused(_("The number %(number)s is too large.") % {"number": digits[:20]})
    return number


def _json_constant(name: str) -> Any:
    raise JSONRefused(_("%(value)s is not a number; JSON has no such value.") % {"value": name})


def load_json(text: str) -> Any:
    """JSON as uploads read it: at most MAX_NESTING deep, numbers of at most MAX_NUMBER_DIGITS
    digits, no NaN nor Infinity. Raises ``json.JSONDecodeError`` for a syntax error and
    ``JSONRefused`` for the rest (both are ValueErrors)."""
    if nesting_depth(text) > MAX_NESTING:
        raise JSONRefused(
            _("Lists and objects are nested more than %(limit)s deep.") % {"limit": MAX_NESTING}
        )
    return json.loads(
        text, parse_int=_json_int, parse_float=_json_float, parse_constant=_json_constant
    )


def _printable(name: str) -> str:
    """A field name as an error can show it: forbidden characters written as their code."""
    return FORBIDDEN_CHARACTER.sub(lambda found: f"U+{ord(found.group()):04X}", name)


def ensure_plain_values(rows: Iterable[tuple[int, dict]]) -> None:
    """Refuse (``UploadRejected``, naming each row and field) records holding a forbidden
    character (FORBIDDEN_CHARACTER) in any text, name or value, however nested, and records
    nested more than MAX_NESTING deep (a Parquet file's structs). Walks without recursion."""
    errors = UploadErrors()
    for row, record in rows:
        pending: list[tuple[str, Any, int]] = [("", record, 1)]
        while pending:
            path, value, depth = pending.pop()
            if isinstance(value, str):
                found = FORBIDDEN_CHARACTER.search(value)
                if found:
                    errors.add(
                        row,
                        _printable(path),
                        _(
                            "This text holds a control character (%(code)s), which is not allowed: remove it."
                        )
                        % {"code": f"U+{ord(found.group()):04X}"},
                    )
                continue
            if not isinstance(value, (dict, list, tuple)):
                continue
            if depth > MAX_NESTING:
                errors.add(
                    row,
                    _printable(path),
                    _("Lists and objects are nested more than %(limit)s deep.")
                    % {"limit": MAX_NESTING},
                )
                continue
            if isinstance(value, dict):
                for key, item in value.items():
                    name = f"{path}.{key}" if path else str(key)
                    if FORBIDDEN_CHARACTER.search(str(key)):
                        pending.append((name, str(key), depth))
                    pending.append((name, item, depth + 1))
            else:
                pending.extend(
                    (f"{path}[{index}]", item, depth + 1) for index, item in enumerate(value)
                )
    if errors:
        raise UploadRejected(errors)


def _parse_json_array(text: str) -> list[tuple[int, dict]]:
    try:
        data = load_json(text)
    except json.JSONDecodeError as error:
        raise UploadRejected(
            _("The file is not valid JSON: %(problem)s at line %(line)s, column %(column)s.")
            % {"problem": error.msg, "line": error.lineno, "column": error.colno}
        ) from error
    except JSONRefused as refused:
        raise UploadRejected(refused.message) from refused
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise UploadRejected(_("The JSON file must hold a list of records."))
    errors = UploadErrors()
    rows = []
    for number, record in enumerate(data, start=1):
        if isinstance(record, dict):
            rows.append((number, record))
        else:
            errors.add(number, "", _("Each record must be a JSON object."))
    if errors:
        raise UploadRejected(errors)
    return rows


def _parse_json_lines(text: str, *, max_rows: int) -> list[tuple[int, dict]]:
    errors = UploadErrors()
    rows = []
    number = 0
    # Lines end at a newline only: a JSON string may hold other line separators (U+2028...).
    for line in text.split("\n"):
        if not line.strip():
            continue
        number += 1
        if number > max_rows:
            rows.append((number, {}))
            continue
        try:
            record = load_json(line)
        except json.JSONDecodeError as error:
            errors.add(number, "", _("Not valid JSON: %(problem)s.") % {"problem": error.msg})
            continue
        except JSONRefused as refused:
            errors.add(number, "", refused.message)
            continue
        if not isinstance(record, dict):
            errors.add(number, "", _("Each line must be a JSON object."))
            continue
        rows.append((number, record))
    if errors:
        raise UploadRejected(errors)
    return rows


def _parse_csv(text: str, *, max_rows: int) -> list[tuple[int, dict]]:
    dialect = sniff_csv_dialect(text)
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    rows = []
    errors = UploadErrors()
    try:
        # Reading the header reads the first line: it may be the one the csv module refuses.
        if not reader.fieldnames or not any(name and name.strip() for name in reader.fieldnames):
            raise UploadRejected(_("The CSV file needs a header row with the column names."))
        reader.fieldnames = [(name or "").strip().lower() for name in reader.fieldnames]
        for number, record in enumerate(reader, start=1):
            if number > max_rows:
                rows.append((number, {}))
                continue
            if None in record:
                errors.add(number, "", _("This row has more values than the header has columns."))
                continue
            rows.append((number, {key: (value or "").strip() for key, value in record.items()}))
    except csv.Error as error:
        raise UploadRejected(
            _("The CSV file cannot be read: %(problem)s.") % {"problem": error}
        ) from error
    if errors:
        raise UploadRejected(errors)
    return rows


def contains_html(value: str) -> bool:
    return bool(HTML_TAG.search(value))


def check_text(
    record: dict,
    key: str,
    *,
    row: int,
    errors: UploadErrors,
    required: bool = True,
    max_length: int = 2000,
    label: str | None = None,
) -> str:
    """A text field of a record: present if required, with something visible in it (not only
    invisible characters), plain text (no HTML), not too long. Returned as stored: without its
    invisible controls (``challenges.text.clean``)."""
    value = record.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.add(row, label or key, _("This field is required."))
        return ""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        errors.add(row, label or key, _("This field must be text."))
        return ""
    text = clean(str(value))
    if is_blank(text):
        if required:
            errors.add(row, label or key, NO_VISIBLE_TEXT)
        return ""
    if len(text) > max_length:
        errors.add(
            row,
            label or key,
            _("At most %(limit)s characters (this has %(length)s).")
            % {"limit": max_length, "length": len(text)},
        )
    elif contains_html(text):
        errors.add(row, label or key, _("HTML is not allowed here; send plain text."))
    return text


def describe_errors(errors: UploadErrors) -> str:
    """A one-line summary for a message: "12 errors; nothing was stored"."""
    return ngettext(
        "%(count)s error; nothing was stored.",
        "%(count)s errors; nothing was stored.",
        errors.total,
    ) % {"count": errors.total}


# --- storing an upload ---------------------------------------------------------------------


class DuplicatePolicy(enum.Enum):
    """What an upload does with a row that repeats an earlier row of its file or a stored item."""

    # Left out and reported (``UploadReport.skipped``); the other rows are stored.
    SKIP = "skip"
    # An error naming the row and the earlier row or the stored item: nothing is stored.
    REFUSE = "refuse"


class CheckRow(Protocol[CheckedItem]):
    """A kind's check of one row: its problems go to ``errors``; returns the row's unsaved item
    (with its ``fingerprint``), or None when the row has errors."""

    def __call__(self, record: dict, *, row: int, errors: UploadErrors) -> CheckedItem | None: ...


@dataclass(frozen=True)
class Repeats:
    """How a kind of upload names a row with the same content (fingerprint) as an earlier row
    or a stored item: the field, and messages that may use %(row)s (the earlier row) and
    %(id)s (the earlier row's or the stored item's id, for kinds with ids)."""

    field: str
    same_as_row: str
    already_stored: str


@dataclass(frozen=True)
class Ids:
    """For kinds whose rows carry their own id, unique in the challenge: the model attribute
    holding it, the field errors name, and the messages (with %(id)s and %(row)s)."""

    attribute: str
    field: str
    # Error: the id of an earlier row (under SKIP only when that row holds other content).
    used_by_row: str
    # Error: the id of a stored item with other content.
    used_by_stored: str
    # Skipped under either policy: the same id and content as a stored item (the file again).
    stored_again: str
    # Skipped (SKIP): the same id and content as an earlier row.
    same_row_again: str = ""


@dataclass(frozen=True)
class NearDuplicates:
    """How a kind's uploaded items are compared with near-duplicates
    (``challenges.near_duplicates``): the text compared and its scope (items of different
    scopes are never near-duplicates). The model has a ``possible_duplicate_of`` self-reference,
    set on the items that nearly repeat a stored item or an earlier row."""

    text: Callable[[models.Model], str]
    # The fields ``text`` and ``scope`` read (only these are loaded of the stored candidates).
    reads: tuple[str, ...]
    scope: Callable[[models.Model], str] = lambda item: ""


@dataclass(frozen=True)
class NearDuplicateCheck:
    """The new items' signatures and what each nearly repeats (None: nothing), in order."""

    signed: list[Signed]
    matches: list[NearDuplicate | None]


@dataclass
class UploadReport:
    """What an accepted upload stored, and which rows it skipped as duplicates (and why)."""

    rows: int = 0
    stored: int = 0
    # Stored, but flagged for the reviewer (INCLUDE: maths or science categories).
    flagged: int = 0
    skipped: UploadErrors = field(default_factory=UploadErrors)
    # Stored, waiting for review as possible duplicates: the row and what it nearly repeats.
    possible_duplicates: UploadErrors = field(default_factory=UploadErrors)
    # Stored, with a word for the uploader (INCLUDE: another language or country than the exam).
    notices: UploadErrors = field(default_factory=UploadErrors)

    def as_dict(self) -> dict:
        """The report as plain data, to keep in the session until the next page shows it (an
        ``Upload`` keeps ``flagged`` beside it)."""
        return {
            "rows": self.rows,
            "stored": self.stored,
            "skipped": errors_as_list(self.skipped),
            "skipped_total": self.skipped.total,
            "possible_duplicates": errors_as_list(self.possible_duplicates),
            "possible_duplicates_total": self.possible_duplicates.total,
            "notices": errors_as_list(self.notices),
            "notices_total": self.notices.total,
        }

    @classmethod
    def from_dict(cls, data: dict) -> UploadReport:
        return cls(
            rows=data["rows"],
            stored=data["stored"],
            flagged=data.get("flagged", 0),
            skipped=errors_from_list(data["skipped"], total=data["skipped_total"]),
            possible_duplicates=errors_from_list(
                data.get("possible_duplicates", []), total=data.get("possible_duplicates_total", 0)
            ),
            notices=errors_from_list(data.get("notices", []), total=data.get("notices_total", 0)),
        )


def errors_as_list(errors: UploadErrors) -> list[dict]:
    """The errors shown, as plain data (row, field, message)."""
    return [
        {"row": item.row, "field": item.field, "message": item.message} for item in errors.shown
    ]


def errors_from_list(shown: list[dict], *, total: int) -> UploadErrors:
    return UploadErrors(
        shown=[RowError(item["row"], item["field"], item["message"]) for item in shown],
        total=total,
    )


def find_stored(
    *,
    model: type[models.Model],
    challenge: models.Model,
    field: str,
    values: Iterable[str],
    returning: Sequence[str] = (),
) -> dict[str, tuple]:
    """The challenge's items whose ``field`` is one of ``values``: value → the ``returning``
    fields. Asked FINGERPRINT_CHUNK values at a time (index-backed by the unique constraints),
    without loading the challenge's other items."""
    wanted = sorted(set(values))
    found: dict[str, tuple] = {}
    for start in range(0, len(wanted), FINGERPRINT_CHUNK):
        chunk = wanted[start : start + FINGERPRINT_CHUNK]
        for value, *others in model.objects.filter(
            challenge=challenge, **{f"{field}__in": chunk}
        ).values_list(field, *returning):
            found[value] = tuple(others)
    return found


def _raw_value(value: Any) -> Any:
    """A raw attribute value as the database driver takes it (JSON as its text)."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value


def insert_items(model: type[Item], items: list[Item]) -> None:
    """Insert unsaved items BULK_BATCH at a time and set their primary keys, as
    ``bulk_create`` does; on PostgreSQL each batch is one INSERT of the raw attribute values
    (RETURNING the keys, in the order of the rows), without the per-value preparation of
    Django's, which cost most of a 20,000-row upload. A unique constraint met raises
    IntegrityError either way."""
    connection = transaction.get_connection()
    fields = [column for column in model._meta.concrete_fields if not column.primary_key]
    raw = all(
        column.get_internal_type() in RAW_TYPES and not getattr(column, "multiple", False)
        for column in fields
    )
    if connection.vendor != "postgresql" or not items or not raw:
        model.objects.bulk_create(items, batch_size=BULK_BATCH)
        return
    now = timezone.now()
    for column in fields:  # auto_now(_add): as bulk_create would set them, once for all rows
        if getattr(column, "auto_now", False) or getattr(column, "auto_now_add", False):
            for item in items:
                item.__dict__[column.attname] = now
    columns = ", ".join(connection.ops.quote_name(column.column) for column in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    attributes = [column.attname for column in fields]
    key = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        for start in range(0, len(items), BULK_BATCH):
            batch = items[start : start + BULK_BATCH]
            # The raw values: a field's descriptor (a country's) costs more than the INSERT.
            values = [
                _raw_value(item.__dict__[attribute]) for item in batch for attribute in attributes
            ]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(batch))} "
                f"RETURNING {key}",
                values,
            )
            for item, (pk,) in zip(batch, cursor.fetchall(), strict=True):
                item.pk = pk
                item._state.adding, item._state.db = False, connection.alias


def store_upload(
    *,
    rows: list[tuple[int, dict]],
    check_row: CheckRow[Item],
    model: type[Item],
    challenge: models.Model,
    duplicates: DuplicatePolicy,
    repeats: Repeats,
    ids: Ids | None = None,
    lock: Callable[[], object] | None = None,
    conflict: Exception | None = None,
    flagged: Callable[[Item], bool] | None = None,
    progress: Callable[[int, int], object] | None = None,
    near_duplicates: NearDuplicates | None = None,
    notice: Callable[[Item], str] | None = None,
) -> UploadReport:
    """Store the new items of an upload's rows in one transaction, all or nothing.

    Every row is checked: ``check_row(record, row=, errors=)`` adds the row's problems to
    ``errors`` and returns its unsaved item (with a ``fingerprint``), or None. Each item is
    compared with the earlier rows kept (the same fingerprint; with ``ids``, the same id), then,
    after ``lock`` (which locks what the upload checks, and may refuse), with the challenge's
    stored items, looked up FINGERPRINT_CHUNK at a time. A repeat is skipped and reported, or
    is an error, as ``duplicates`` says; under SKIP a row is dealt with for its first repeat,
    under REFUSE every repeat is an error. With ``ids``, an id already used for other content is
    always an error, and a row identical to a stored item (same id and content) is that item
    sent again: skipped under either policy, so that sending a file twice adds nothing. Any
    error stores nothing (``UploadRejected`` with every error). The new items are inserted
    BULK_BATCH at a time; an insert that meets a unique constraint (the same item stored by
    someone else meanwhile) raises ``conflict`` instead, and nothing is stored. ``progress(rows
    checked, errors so far)`` is told every PROGRESS_EVERY rows (an upload's page shows it).

    With ``near_duplicates``, each new item that nearly repeats an earlier new row or a stored
    item of the challenge (``challenges.near_duplicates``, after ``lock``) is stored with its
    ``possible_duplicate_of`` set, and reported; every new item's bands join the index in the
    same transaction. ``notice(item)`` is a word on a stored row (empty: none), reported.
    """
    skip = duplicates is DuplicatePolicy.SKIP
    errors = UploadErrors()
    notices: list[tuple[int, str, str]] = []

    def repeat(row: int, field_name: str, message: str) -> None:
        if skip:
            notices.append((row, field_name, message))
        else:
            errors.add(row, field_name, message)

    def id_of(item: Item) -> str:
        return getattr(item, ids.attribute) if ids else ""

    kept: list[tuple[int, Item]] = []
    rows_by_fingerprint: dict[str, tuple[int, Item]] = {}
    rows_by_id: dict[str, tuple[int, Item]] = {}
    for checked, (row, record) in enumerate(rows, start=1):
        if progress is not None and checked % PROGRESS_EVERY == 0:
            progress(checked, errors.total)
        item = check_row(record, row=row, errors=errors)
        if item is None:
            continue
        same_id = rows_by_id.get(id_of(item)) if ids else None
        if same_id is not None:
            earlier_row, earlier = same_id
            names = {"row": earlier_row, "id": id_of(item)}
            if earlier.fingerprint != item.fingerprint or not skip:
                errors.add(row, ids.field, ids.used_by_row % names)
            else:
                notices.append((row, ids.field, ids.same_row_again % names))
            if skip:
                continue
        same_content = rows_by_fingerprint.get(item.fingerprint)
        if same_content is not None:
            earlier_row, earlier = same_content
            repeat(
                row, repeats.field, repeats.same_as_row % {"row": earlier_row, "id": id_of(earlier)}
            )
            continue
        if same_id is not None:
            continue
        rows_by_fingerprint[item.fingerprint] = (row, item)
        if ids:
            rows_by_id[id_of(item)] = (row, item)
        kept.append((row, item))

    with transaction.atomic():
        if lock is not None:
            lock()
        stored_ids = (
            find_stored(
                model=model,
                challenge=challenge,
                field=ids.attribute,
                values=rows_by_id,
                returning=["fingerprint"],
            )
            if ids
            else {}
        )
        stored_contents = find_stored(
            model=model,
            challenge=challenge,
            field="fingerprint",
            values=rows_by_fingerprint,
            returning=[ids.attribute] if ids else [],
        )
        new: list[Item] = []
        for row, item in kept:
            stored = stored_ids.get(id_of(item)) if ids else None
            if stored is not None:
                if stored == (item.fingerprint,):
                    notices.append((row, ids.field, ids.stored_again))
                else:
                    errors.add(row, ids.field, ids.used_by_stored % {"id": id_of(item)})
                continue
            stored = stored_contents.get(item.fingerprint)
            if stored is not None:
                stored_id = stored[0] if stored else ""
                repeat(row, repeats.field, repeats.already_stored % {"id": stored_id})
                continue
            new.append(item)
        if errors:
            raise UploadRejected(errors)
        rows_of = {id(item): row for row, item in kept}
        near = (
            check_near_duplicates(model=model, challenge=challenge, items=new, spec=near_duplicates)
            if near_duplicates
            else None
        )
        # No savepoint: a conflict leaves this transaction, which rolls back as a whole.
        try:
            insert_items(model, new)
        except IntegrityError as error:
            if conflict is None:
                raise
            raise conflict from error
        if near is not None:
            record_near_duplicates(model=model, challenge=challenge, items=new, near=near)
    report = UploadReport(
        rows=len(rows),
        stored=len(new),
        flagged=sum(1 for item in new if flagged(item)) if flagged else 0,
    )
    for row, field_name, message in sorted(notices):
        report.skipped.add(row, field_name, message)
    for position, item in enumerate(new):
        match = near.matches[position] if near else None
        if match is not None:
            report.possible_duplicates.add(
                rows_of[id(item)],
                repeats.field,
                _("Possible duplicate of #%(id)s.") % {"id": item.possible_duplicate_of_id}
                if match.stored_id
                else _("Possible duplicate of row %(row)s.")
                % {"row": rows_of[id(new[match.earlier])]},
            )
        words = notice(item) if notice else ""
        if words:
            report.notices.add(rows_of[id(item)], repeats.field, words)
    return report


def check_near_duplicates(
    *, model: type[Item], challenge: models.Model, items: list[Item], spec: NearDuplicates
) -> NearDuplicateCheck:
    """What each new (unsaved) item nearly repeats, with their signatures: a stored item's id
    is set on the item at once (``possible_duplicate_of``), an earlier item's once both are
    saved (``record_near_duplicates``). Run it inside the transaction that stores them."""

    def stored_texts(candidates) -> dict[int, tuple[str, str]]:
        return {
            stored.pk: (spec.text(stored), spec.scope(stored))
            for stored in model.objects.filter(challenge=challenge, pk__in=candidates).only(
                "pk", *spec.reads
            )
        }

    signed = sign([spec.text(item) for item in items], scopes=[spec.scope(item) for item in items])
    matches = find_near_duplicates(
        challenge_id=challenge.pk,
        item_type=model._meta.label_lower,
        signed=signed,
        stored_texts=stored_texts,
    )
    for item, match in zip(items, matches, strict=True):
        if match is not None and match.stored_id:
            item.possible_duplicate_of_id = match.stored_id
    return NearDuplicateCheck(signed, matches)


def record_near_duplicates(
    *, model: type[Item], challenge: models.Model, items: list[Item], near: NearDuplicateCheck
) -> None:
    """Once the new items are saved: the repeats of earlier items point at them, and every new
    item's bands join the index."""
    links = []
    for item, match in zip(items, near.matches, strict=True):
        if match is not None and match.earlier is not None:
            item.possible_duplicate_of_id = items[match.earlier].pk
            links.append((item.pk, item.possible_duplicate_of_id))
    index_items(
        challenge_id=challenge.pk,
        item_type=model._meta.label_lower,
        items=zip((item.pk for item in items), near.signed, strict=True),
        links=links,
        model=model,
    )
