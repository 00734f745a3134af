"""Reading an uploaded file into rows: size and row limits, text encoding, format (JSON,
JSON Lines, CSV), bounded nesting and numbers, no control characters, and the error list
that keeps the first errors with their row and field."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePath
from typing import Any, TypeVar

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from challenges.text import clean, is_blank

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UPLOAD_ROWS = 20_000
MAX_ERRORS_SHOWN = 100
HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")
# A text made only of spaces and invisible characters.
NO_VISIBLE_TEXT = gettext_lazy("This field has only invisible characters; write visible text.")
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
# A JSON string (unrolled: a third of the time of the alternation on an upload, the same matches:
# '"(?:[^"\\]|\\.)*"').
JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
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
    return "<" in value and HTML_TAG.search(value) is not None


# Texts whose outcome is remembered: a file repeats its category, level, exam name, source
# and licence on every row.
PASSING_KEPT = 4096


@lru_cache(maxsize=PASSING_KEPT)
def _passing_text(value: str, max_length: int) -> str | None:
    """``check_text``'s text of a value that passes all its checks (something visible, at
    most ``max_length`` characters, no HTML), or None: the check finds what is wrong."""
    if not value.strip():
        return None
    text = clean(value)
    if is_blank(text) or len(text) > max_length or contains_html(text):
        return None
    return text


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
    if type(value) is str:
        passing = _passing_text(value, max_length)
        if passing is not None:
            return passing
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
