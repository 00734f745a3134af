"""Exports for organizers: CSV and JSON Lines, streamed, never with personal data."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable

from django.http import StreamingHttpResponse

# A cell starting with one of these may run as a formula in a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value):
        return value


def _safe_cell(value):
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def stream_csv(*, filename: str, fields: list[str], rows: Iterable[dict]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # so that spreadsheets read UTF-8
        yield writer.writerow(fields)
        for row in rows:
            yield writer.writerow([_safe_cell(row.get(name, "")) for name in fields])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def stream_jsonl(
    *, filename: str, fields: list[str], rows: Iterable[dict]
) -> StreamingHttpResponse:
    def lines():
        for row in rows:
            yield (
                json.dumps(
                    {name: row.get(name) for name in fields}, ensure_ascii=False, default=str
                )
                + "\n"
            )

    response = StreamingHttpResponse(lines(), content_type="application/x-ndjson; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.jsonl"'
    return response
