"""Log records as JSON lines, one per record, for whatever collects the containers' output.

Each line has ``time`` (UTC, ISO 8601), ``level``, ``logger`` and ``message``; a record about a
request (Django's ``django.request`` logger passes it) adds ``path``, ``method`` and
``status``; one with an exception adds ``exception`` (its type) and ``traceback``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging


class JsonLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            line["path"] = request.path
            line["method"] = request.method
        status = getattr(record, "status_code", None)
        if status is not None:
            line["status"] = status
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = record.exc_info[0].__qualname__
            line["traceback"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["traceback"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)
