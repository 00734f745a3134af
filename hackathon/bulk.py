"""Loading many rows at once: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere.

``bulk_create`` builds one ``INSERT`` of up to a batch of rows, with a parameter per value, and
prepares every value through its field: at hundreds of thousands of rows (the demo and benchmark
data of ``seed_demo``) that is most of the time spent. ``insert_rows`` sends the same rows as
one ``COPY ... FROM STDIN`` stream instead, about five times faster, and leaves the instances
as ``bulk_create`` does: saved, with their primary keys (reserved from the table's sequence in
one query first), so that rows pointing at them can follow.

``copy_rows`` goes further for code that makes rows by the hundred thousand (``seed_demo``):
plain tuples of the values the database stores, no model instance at all (building one costs
more than writing its row); the keys rows point at are reserved first with ``reserve_ids``.
Around such a load, ``indexes_built_after`` drops the tables' indexes and foreign keys and
makes them again from their own definitions once the rows are in.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal

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
# ``json.dumps(value, ensure_ascii=False)``, without the encoder that call makes each time
# (a third of its cost on an upload's 20,000 lists of options).
_JSON_TEXT = json.JSONEncoder(ensure_ascii=False).encode
BATCH_ROWS = 20_000
# Characters of COPY input handed to the driver per read.
COPY_READ = 256 * 1024
FEW_ROWS = 100


def _text(value) -> str:
    """A value as the driver is handed it (``get_db_prep_save``'s result) in COPY's text
    format: psycopg2's Json adapter as its JSON, anything else ``copy_text`` does not know as
    its ``str``."""
    if hasattr(value, "adapted") and hasattr(value, "dumps"):  # psycopg2's Json adapter
        value = value.dumps(value.adapted)
    elif not (value is None or isinstance(value, (bool, str, dt.date))):
        value = str(value)
    return copy_text(value)


def copy_text(value) -> str:
    """A value as the database stores it (a text, a number, a key, True or False, a moment, a
    list or dict for a JSON column) in COPY's text format."""
    if isinstance(value, str):
        # Most texts hold none of COPY's special characters: four scans in C are cheaper
        # than translating every character.
        if "\\" in value or "\n" in value or "\r" in value or "\t" in value:
            return value.translate(COPY_ESCAPES)
        return value
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (list, dict)):
        return copy_text(_JSON_TEXT(value))
    if isinstance(value, dt.date):  # and datetime
        return value.isoformat()
    return str(value)


def _converter(field: models.Field, now: dt.datetime) -> Callable[[object], str]:
    """How to write one field's Python value as COPY text, as ``bulk_create`` would store it."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        stamp = now.isoformat()
        return lambda _value: stamp
    if type(field) in PLAIN_FIELDS:
        return copy_text
    if isinstance(field, models.DateTimeField):
        return lambda value: "\\N" if value is None else value.isoformat()
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return lambda value: (
            "\\N" if value is None else json.dumps(value, cls=encoder).translate(COPY_ESCAPES)
        )
    if isinstance(field, models.DecimalField):
        return _decimal_converter(field)
    return lambda value: _text(field.get_db_prep_save(value, connection))


def _decimal_converter(field: models.DecimalField) -> Callable[[object], str]:
    """A Decimal is stored as it is (Django rounds only floats, to the field's digits): its
    text, without the field's preparation, which costs more than the rest of the row."""

    def convert(value) -> str:
        if value is None:
            return "\\N"
        if type(value) is Decimal:
            return str(value)
        return _text(field.get_db_prep_save(value, connection))

    return convert


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new primary keys from the table's sequence, in order (one query). Elsewhere
    than on PostgreSQL, the keys after the largest stored (call it in the transaction that
    inserts them: SQLite has one writer at a time)."""
    if connection.vendor != "postgresql":
        largest = model.objects.aggregate(largest=models.Max("pk"))["largest"] or 0
        return list(range(largest + 1, largest + 1 + count))
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


@contextmanager
def _copy_target(cursor, db_table: str, columns: str, *, ignore_conflicts: bool) -> Iterator[str]:
    """The quoted table a COPY of ``columns`` writes to: ``db_table`` itself, or with
    ``ignore_conflicts`` a temporary table of those columns, whose rows then join ``db_table``
    with ``ON CONFLICT DO NOTHING`` (COPY has no such clause)."""
    quote = connection.ops.quote_name
    table = quote(db_table)
    if not ignore_conflicts:
        yield table
        return
    target = quote(f"copy_{db_table}")
    cursor.execute(f"CREATE TEMPORARY TABLE {target} AS SELECT {columns} FROM {table} WITH NO DATA")
    yield target
    cursor.execute(
        f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {target} ON CONFLICT DO NOTHING"
    )
    cursor.execute(f"DROP TABLE {target}")


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
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        _copy_target(cursor, meta.db_table, columns, ignore_conflicts=ignore_conflicts) as target,
    ):
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
    return objs


# Fields whose value ``str`` writes as COPY reads it, when it cannot be missing (a number, a
# text, a key, True or False, a moment): a whole row of them is one join in C.
STR_FIELDS = (
    models.IntegerField,
    models.AutoField,
    models.ForeignKey,
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.DateField,  # and DateTimeField: "2026-12-01 15:00:00+00:00"
)


def _row_converter(field: models.Field) -> Callable[[object], str]:
    """How to write one value a caller of ``copy_rows`` gives (what the database stores) as
    COPY text: texts and numbers as they are, JSON encoded, moments in ISO format."""
    if isinstance(field, models.BooleanField):
        return lambda value: "\\N" if value is None else ("t" if value else "f")
    if isinstance(field, models.JSONField):
        # One encoder for every row (``json.dumps`` with options makes one per call), letters
        # unescaped (the column keeps the JSON parsed, not its text): most values then hold
        # no backslash, and COPY's escaping has nothing to do.
        encode = (field.encoder or json.JSONEncoder)(ensure_ascii=False).encode
        return lambda value: "\\N" if value is None else copy_text(encode(value))
    if isinstance(field, models.DateField):  # and DateTimeField
        return lambda value: "\\N" if value is None else value.isoformat()
    if isinstance(
        field,
        (
            models.IntegerField,
            models.AutoField,
            models.ForeignKey,
            models.CharField,
            models.TextField,
        ),
    ):
        return copy_text
    if isinstance(field, models.DecimalField):
        return _decimal_converter(field)
    return lambda value: _text(field.get_db_prep_save(value, connection))


def copy_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence],
    *,
    ignore_conflicts: bool = False,
) -> int:
    """Insert ``rows``, each a tuple of the values of ``fields`` (attribute names: ``author_id``,
    not ``author``) in that order, as the database stores them (keys, a country's code, a
    list for a JSON field; None only where the column allows it), by ``COPY`` on PostgreSQL
    (``bulk_create`` elsewhere). Fields not given take their default (a callable one called
    for each row), ``auto_now`` ones the current time; a primary key not given comes from the
    table's sequence, in the rows' order. With ``ignore_conflicts``, rows that would break a
    unique constraint are left out. No signal is sent, nothing is validated. Returns how many
    rows were sent."""
    meta = model._meta
    by_name = {field.attname: field for field in meta.local_concrete_fields}
    given = [by_name[name] for name in fields]
    others = [
        field
        for field in meta.local_concrete_fields
        if field.attname not in fields and not field.generated and field is not meta.pk
    ]
    now = timezone.now()
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0  # not even a round trip
    rows = itertools.chain([first], rows)
    if connection.vendor != "postgresql":
        objs = [model(**dict(zip(fields, row, strict=True))) for row in rows]
        model.objects.bulk_create(objs, batch_size=2000, ignore_conflicts=ignore_conflicts)
        return len(objs)
    # Columns ``str`` writes first (one join per row), then those needing a converter each,
    # then the same text on every row for stamps and fixed defaults, then callable defaults
    # (a salt, a moment), called once per row.
    plain = [i for i, field in enumerate(given) if isinstance(field, STR_FIELDS) and not field.null]
    converted = [(i, _row_converter(field)) for i, field in enumerate(given) if i not in plain]
    fixed, per_row = [], []
    for field in others:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            fixed.append((field, now.isoformat()))
        elif field.has_default() and callable(field.default):
            per_row.append((field, field.get_default, _row_converter(field)))
        else:
            fixed.append((field, _row_converter(field)(field.get_default())))
    columns = (
        [given[i] for i in plain]
        + [given[i] for i, _convert in converted]
        + [field for field, _text in fixed]
        + [field for field, *_rest in per_row]
    )
    suffix = "".join("\t" + text for _field, text in fixed)
    pick = operator.itemgetter(*plain) if len(plain) > 1 else lambda row: [row[i] for i in plain]
    width, tabs = len(given), len(plain) - 1
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in columns)
    # No savepoint (two more round trips): as ``bulk_create``, a failure fails the caller's
    # transaction.
    with (
        transaction.atomic(savepoint=False),
        connection.cursor() as cursor,
        _copy_target(cursor, meta.db_table, names, ignore_conflicts=ignore_conflicts) as target,
    ):
        sent, refused = [0], []

        def lines() -> Iterator[str]:
            for row in rows:
                if len(row) != width:
                    refused.append(ValueError(f"{len(row)} values for {width} fields: {row!r}"))
                    raise refused[0]
                values = pick(row)
                line = "\t".join(map(str, values))
                if "\\" in line or "\n" in line or "\r" in line or line.count("\t") != tabs:
                    # A text holding one of COPY's special characters: escape value by value.
                    line = "\t".join([str(value).translate(COPY_ESCAPES) for value in values])
                if converted:
                    rest = "\t".join([convert(row[i]) for i, convert in converted])
                    line = f"{line}\t{rest}" if plain else rest
                line += suffix
                if per_row:
                    line += "".join(
                        "\t" + convert(default()) for _field, default, convert in per_row
                    )
                sent[0] += 1
                yield line

        # Streamed: PostgreSQL reads the first rows while the next ones are being made.
        try:
            copy_lines(cursor, target, names, lines())
        except Exception as error:  # whatever the driver made of the refusal raised in lines()
            if refused:  # the COPY was cancelled because of the row, which says more
                raise refused[0] from error
            raise
    return sent[0]


# Below this many rows, keeping the indexes up to date costs less than building them again.
REBUILD_FROM_ROWS = 50_000


@contextmanager
def indexes_built_after(
    *models_loaded: type[models.Model], rows: int, from_rows: int = REBUILD_FROM_ROWS
) -> Iterator[None]:
    """Load ``rows`` rows into these models' tables with their indexes (all but the primary
    keys), unique constraints and foreign keys dropped, made again at the end from the
    definitions PostgreSQL gives of them (``pg_get_indexdef``, ``pg_get_constraintdef``).

    Building an index once from sorted rows costs a fraction of updating it row by row, and a
    foreign key added checks every row in one join instead of one lookup per row at commit.
    What the constraints refuse is still refused, when they come back: a duplicate or a key
    pointing nowhere fails the whole transaction. For tables loaded without
    ``ignore_conflicts`` (which needs the unique indexes in place), in one transaction (this
    one: on failure the drops are undone with the rows); the tables are locked until it ends.

    Checks pending in the transaction run first (``SET CONSTRAINTS ALL IMMEDIATE``: a table
    with pending checks cannot be altered); the constraints are deferred again afterwards, as
    Django makes every foreign key. Does nothing below ``from_rows`` rows or off PostgreSQL.
    """
    if rows < from_rows or connection.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in models_loaded]
    quote = connection.ops.quote_name
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname, conrelid::regclass::text, pg_get_constraintdef(oid)"
                " FROM pg_constraint WHERE contype IN ('f', 'u')"
                " AND conrelid = ANY(%s::regclass[]) ORDER BY contype DESC, conname",
                [tables],
            )  # unique constraints first, to be made again before the keys that may use them
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
                " WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary AND NOT EXISTS"
                " (SELECT 1 FROM pg_constraint WHERE conindid = indexrelid AND contype <> 'f')"
                " ORDER BY 1",
                [tables],
            )
            indexes = cursor.fetchall()
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for name, table, _definition in constraints:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {name}")
        yield
        with connection.cursor() as cursor:
            for _name, definition in indexes:
                cursor.execute(definition)
            for name, table, definition in constraints:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
