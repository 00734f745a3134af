"""Reading uploaded files (JSON, JSON Lines, CSV) into rows, all or nothing.

Every challenge's upload goes through here: the size and row limits, the text encoding (UTF-8
with or without BOM, UTF-16 with BOM), the format, and an error list that keeps the first 100
errors with their row and field, and counts the rest.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePath

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UPLOAD_ROWS = 20_000
MAX_ERRORS_SHOWN = 100
HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")


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


def read_text(upload, *, max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """The uploaded file's text: refuse files too large, empty or not in a Unicode encoding."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise UploadRejected(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(size / 1024 / 1024, 1), "limit": max_bytes // 1024 // 1024}
        )
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
    return rows


def _parse_json_array(text: str) -> list[tuple[int, dict]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise UploadRejected(
            _("The file is not valid JSON: %(problem)s at line %(line)s, column %(column)s.")
            % {"problem": error.msg, "line": error.lineno, "column": error.colno}
        ) from error
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
    for line in text.splitlines():
        if not line.strip():
            continue
        number += 1
        if number > max_rows:
            rows.append((number, {}))
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            errors.add(number, "", _("Not valid JSON: %(problem)s.") % {"problem": error.msg})
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
    if not reader.fieldnames or not any(name and name.strip() for name in reader.fieldnames):
        raise UploadRejected(_("The CSV file needs a header row with the column names."))
    reader.fieldnames = [(name or "").strip().lower() for name in reader.fieldnames]
    rows = []
    errors = UploadErrors()
    try:
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
    """A text field of a record: present if required, plain text (no HTML), not too long."""
    value = record.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.add(row, label or key, _("This field is required."))
        return ""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        errors.add(row, label or key, _("This field must be text."))
        return ""
    text = str(value).strip()
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


def normalize(text: str) -> str:
    """The form two texts are compared in: Unicode-normalized, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def fingerprint(*parts: str) -> str:
    """A stable digest of normalized texts, to find the same item uploaded twice."""
    joined = "\x1f".join(normalize(part) for part in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def describe_errors(errors: UploadErrors) -> str:
    """A one-line summary for a message: "12 errors; nothing was stored"."""
    return ngettext(
        "%(count)s error; nothing was stored.",
        "%(count)s errors; nothing was stored.",
        errors.total,
    ) % {"count": errors.total}


def fold(text: str) -> str:
    """``normalize`` without accents: "Matemáticas" and "matematicas", "Perú" and "peru" meet."""
    decomposed = unicodedata.normalize("NFKD", normalize(text))
    return "".join(char for char in decomposed if not unicodedata.combining(char))
