"""Loading many rows at once: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere.

``bulk_create`` builds one ``INSERT`` of up to a batch of rows, with a parameter per value, and
prepares every value through its field: at hundreds of thousands of rows (the demo and benchmark
data of ``seed_demo``) that is most of the time spent. ``insert_rows`` sends the same rows as
one ``COPY ... FROM STDIN`` stream instead, about five times faster, and leaves the instances
as ``bulk_create`` does: saved, with their primary keys (reserved from the table's sequence in
one query first), so that rows pointing at them can follow.
"""

from __future__ import annotations

import datetime as dt
import json
import operator
from collections.abc import Callable, Iterable

from django.db import connection, models, transaction
from django.utils import timezone

# Fields whose Python value is already what the database stores (the instances are built by
# code, not from forms): their value is written as it is, without the field's preparation.
PLAIN_FIELDS = (
    models.AutoField,
    models.BigAutoField,
    models.CharField,
    models.TextField,
    models.EmailField,
    models.SlugField,
    models.URLField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveBigIntegerField,
    models.PositiveSmallIntegerField,
    models.BooleanField,
    models.ForeignKey,
    models.OneToOneField,
)
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})
BATCH_ROWS = 20_000
# Characters of COPY input handed to the driver per read.
COPY_READ = 256 * 1024
FEW_ROWS = 100


def _text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(COPY_ESCAPES)
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "adapted") and hasattr(value, "dumps"):  # psycopg2's Json adapter
        return value.dumps(value.adapted).translate(COPY_ESCAPES)
    return str(value).translate(COPY_ESCAPES)


def _plain_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        # Most texts hold none of COPY's special characters: four scans in C are cheaper
        # than translating every character.
        if "\\" in value or "\n" in value or "\r" in value or "\t" in value:
            return value.translate(COPY_ESCAPES)
        return value
    return str(value)


def _converter(field: models.Field, now: dt.datetime) -> Callable[[object], str]:
    """How to write one field's Python value as COPY text, as ``bulk_create`` would store it."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        stamp = now.isoformat()
        return lambda _value: stamp
    if type(field) in PLAIN_FIELDS:
        return _plain_text
    if isinstance(field, models.DateTimeField):
        return lambda value: "\\N" if value is None else value.isoformat()
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return lambda value: (
            "\\N" if value is None else json.dumps(value, cls=encoder).translate(COPY_ESCAPES)
        )
    return lambda value: _text(field.get_db_prep_save(value, connection))


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new primary keys from the table's sequence, in order (one query)."""
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(table), column, count],
        )
        return [row[0] for row in cursor.fetchall()]


class _CopyReader:
    """COPY's input as ``copy_expert`` reads it (``read(size)``), taken from the lines a chunk
    at a time: a large COPY never holds its whole text at once (joined, then again as a
    StringIO's four bytes a character)."""

    def __init__(self, lines: Iterable[str]):
        self.lines = iter(lines)

    def read(self, size: int = -1) -> str:
        chunk, length = [], 0
        for line in self.lines:
            chunk.append(line)
            length += len(line) + 1
            if 0 < size <= length:
                break
        if not chunk:
            return ""
        chunk.append("")
        return "\n".join(chunk)


def copy_lines(cursor, table: str, columns: str, lines: Iterable[str]) -> None:
    """Lines in COPY's text format (tab-separated, escaped, without their line ends) into the
    quoted ``table``'s ``columns`` (quoted, comma-separated) by one ``COPY ... FROM STDIN``,
    read from ``lines`` as it goes (they may be a generator). A constraint met raises
    Django's ``IntegrityError``, as an ``INSERT`` would (the raw cursor's errors are the
    driver's own)."""
    with cursor.db.wrap_database_errors:
        cursor.cursor.copy_expert(
            f"COPY {table} ({columns}) FROM STDIN", _CopyReader(lines), size=COPY_READ
        )


def insert_rows(
    model: type[models.Model], objs: Iterable[models.Model], *, ignore_conflicts: bool = False
) -> list[models.Model]:
    """Insert the instances like ``model.objects.bulk_create(objs)`` (with
    ``ignore_conflicts``: rows that would break a unique constraint are left out, and the
    instances get no primary key), by ``COPY`` on PostgreSQL. Returns the instances."""
    objs = list(objs)
    if not objs:
        return objs
    if connection.vendor != "postgresql" or len(objs) < FEW_ROWS:
        # A few rows go faster in one INSERT than in a sequence query and a COPY.
        return model.objects.bulk_create(objs, batch_size=2000, ignore_conflicts=ignore_conflicts)
    meta = model._meta
    fields = [field for field in meta.local_concrete_fields if not field.generated]
    if ignore_conflicts:
        fields = [field for field in fields if field is not meta.pk]
    else:
        missing = [obj for obj in objs if obj.pk is None]
        for obj, pk in zip(missing, reserve_ids(model, len(missing)), strict=True):
            obj.pk = pk
    now = timezone.now()
    converters = [_converter(field, now) for field in fields]
    read = operator.attrgetter(*[field.attname for field in fields])
    relations = [index for index, field in enumerate(fields) if field.is_relation]
    stamped = [field.attname for field in fields if getattr(field, "auto_now", False)
               or getattr(field, "auto_now_add", False)]  # fmt: skip
    # Read once: the connection is a proxy, each attribute a lookup of the current thread's.
    alias, quote = connection.alias, connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    table = quote(meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        target = table
        if ignore_conflicts:
            target = quote(f"copy_{meta.db_table}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {target} AS SELECT {columns} FROM {table} WITH NO DATA"
            )
        for start in range(0, len(objs), BATCH_ROWS):
            lines = []
            for obj in objs[start : start + BATCH_ROWS]:
                values = read(obj)
                if len(fields) == 1:
                    values = (values,)
                if any(values[index] is None for index in relations):
                    # A related object given before it had its key: take its key now.
                    obj._prepare_related_fields_for_save(operation_name="insert_rows")
                    values = read(obj) if len(fields) > 1 else (read(obj),)
                lines.append(
                    "\t".join(
                        [convert(value) for convert, value in zip(converters, values, strict=True)]
                    )
                )
                for attname in stamped:
                    setattr(obj, attname, now)
                obj._state.adding, obj._state.db = False, alias
            copy_lines(cursor, target, columns, lines)
        if ignore_conflicts:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {target} "
                "ON CONFLICT DO NOTHING"
            )
            cursor.execute(f"DROP TABLE {target}")
    return objs
