"""Anti-joins for the "next item" queues, written out.

Every queue page asks for the first item a person has not dealt with yet: an item with no row
of theirs in another table (a rating, an answer, a skip, a validation). ``Exists(OuterRef(...))``
says that too, but Django builds and compiles a whole subquery for it on every request, which
cost more than the query itself on those pages; ``absent`` writes the same ``NOT EXISTS`` once
as SQL, on the same indexes. ``Queue`` writes the whole query out, for the same reason.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import re
from collections.abc import Iterable

from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.db.models.sql import Query

# What a condition's RawSQL gives; one field for all of them (building one per request cost more
# than the SQL's text).
CONDITION = models.BooleanField()


def _column(model: type[models.Model], field: str) -> str:
    if field == "pk":
        return model._meta.pk.column
    return model._meta.get_field(field).column


def absent(
    inner: type[models.Model],
    *,
    outer: type[models.Model],
    link: tuple[str, str],
    **equals: object,
) -> RawSQL:
    """A condition for a query on ``outer``: no row of ``inner`` whose field ``link[0]`` is the
    outer row's ``link[1]`` and whose other fields have the values ``equals``; for instance
    ``absent(Rating, outer=Pair, link=("pair", "pk"), author=person.pk)``."""
    quote = connection.ops.quote_name
    inner_field, outer_field = link
    conditions = [
        f"u.{quote(_column(inner, inner_field))} = "
        f"{quote(outer._meta.db_table)}.{quote(_column(outer, outer_field))}"
    ]
    params = []
    for name, value in equals.items():
        conditions.append(f"u.{quote(_column(inner, name))} = %s")
        params.append(value.pk if isinstance(value, models.Model) else value)
    sql = f"NOT EXISTS (SELECT 1 FROM {quote(inner._meta.db_table)} u WHERE {' AND '.join(conditions)})"
    return RawSQL(sql, params, output_field=CONDITION)


def fetch_rows(sql: str, params: list) -> list[tuple]:
    """The rows of a query of this module's kind (written out, ``%s`` placeholders).

    On PostgreSQL each connection prepares it once (``PREPARE``) and then only executes it:
    planning these anti-joins cost the server more than running them (0.6 ms against 0.1 ms
    for a validation queue), on every request of the queue pages. Prepared statements outlive
    transactions, rollbacks included, and the server plans them again after a table changes.
    """
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(sql, params)
            return cursor.fetchall()
        raw = connection.connection
        known = getattr(connection, "_prepared_queries", None)
        if known is None or known[0] is not raw:  # a new connection knows none of them
            known = connection._prepared_queries = (raw, set())
        name = "queue_" + hashlib.sha1(sql.encode(), usedforsecurity=False).hexdigest()[:20]
        arguments = f"({', '.join(['%s'] * len(params))})" if params else ""
        execute = f"EXECUTE {name}{arguments}"
        if name not in known[1]:
            # Prepared and executed in one round trip (and one query for the tests' counts).
            numbered = iter(range(1, len(params) + 1))
            placeholders = re.sub("%s", lambda _match: f"${next(numbered)}", sql)
            execute = f"PREPARE {name} AS {placeholders}; {execute}"
        cursor.execute(execute, params)
        rows = cursor.fetchall()
        known[1].add(name)
        return rows


def equal_to(model: type[models.Model], **equals: object) -> tuple[list[str], list]:
    """Conditions (SQL on ``model``'s table, and their parameters) that its fields have the
    values ``equals``: a list or tuple for one of them (none: no row), a row for its key; each
    value as the ORM would send it (a choice's value, an aware time, ...)."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    where, params = [], []
    for name, value in equals.items():
        field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        column = f"{table}.{quote(field.column)}"
        values = [
            field.get_db_prep_value(item.pk if isinstance(item, models.Model) else item, connection)
            for item in (value if isinstance(value, list | tuple) else [value])
        ]
        if not isinstance(value, list | tuple):
            where.append(f"{column} = %s")
        elif values:
            where.append(f"{column} IN ({', '.join(['%s'] * len(values))})")
        else:
            where.append("0=1")
        params.extend(values)
    return where, params


@functools.cache
def _selection(model: type[models.Model], related: str) -> tuple[list, list, str, str]:
    """The fields a queue reads of ``model`` (and of its ``related`` row), the join and the
    columns: the same for every request, so worked out once."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    fields, related_fields, join = list(model._meta.concrete_fields), [], ""
    columns = [f"{table}.{quote(field.column)}" for field in fields]
    if related:
        link = model._meta.get_field(related)
        related_fields = list(link.related_model._meta.concrete_fields)
        joined = quote(link.related_model._meta.db_table)
        join = (
            f" INNER JOIN {joined} ON {joined}.{quote(link.target_field.column)}"
            f" = {table}.{quote(link.column)}"
        )
        columns += [f"{joined}.{quote(field.column)}" for field in related_fields]
    return fields, related_fields, join, ", ".join(columns)


class Queue:
    """A "next item" queue written out as SQL: the rows of ``model`` whose fields have the
    values ``equals`` (a list or tuple: one of them) and that meet every one of ``conditions``
    (``absent``'s anti-joins, or any ``RawSQL`` on the model's table), in ``order_by``'s order
    (fields, ``-`` for descending), each with its ``related`` row (a foreign key, as
    ``select_related``). The "next item" pages' queries are such queues.

    The same QuerySet says this too, but building and compiling it cost twice the query
    itself on every request of the queue pages (0.5 ms against 0.25 ms, more with joins);
    here the SQL is put together from strings, and rows become instances as Django's own
    would (``Model.from_db``). Only for these few queries, whose tests compare them with the
    QuerySet that says the same.
    """

    def __init__(
        self,
        model: type[models.Model],
        *,
        equals: dict[str, object],
        conditions: Iterable[RawSQL] = (),
        order_by: tuple[str, ...] = ("pk",),
        related: str = "",
    ) -> None:
        self.model, self.related = model, related
        self.table = connection.ops.quote_name(model._meta.db_table)
        self.where, self.params = equal_to(model, **equals)
        for condition in conditions:
            self.where.append(condition.sql)
            self.params.extend(condition.params)
        quote = connection.ops.quote_name
        self.order_by = ", ".join(
            f"{self.table}.{quote(_column(model, name.removeprefix('-')))}"
            + (" DESC" if name.startswith("-") else "")
            for name in order_by
        )
        self.fields, self.related_fields, self.join, self.columns = _selection(model, related)

    def _narrowed(self, operator: str, pk: int) -> Queue:
        narrowed = copy.copy(self)
        column = f"{self.table}.{connection.ops.quote_name(self.model._meta.pk.column)}"
        narrowed.where = [*self.where, f"{column} {operator} %s"]
        narrowed.params = [*self.params, pk]
        return narrowed

    def after(self, pk: int) -> Queue:
        """The same queue from the item after ``pk`` on (in id order)."""
        return self._narrowed(">", pk)

    def _select(self, columns: str, limit: int) -> tuple[str, list]:
        sql = (
            f"SELECT {columns} FROM {self.table}{self.join} WHERE {' AND '.join(self.where)}"
            # The limit is written in: a prepared statement's plan depends on it.
            f" ORDER BY {self.order_by} LIMIT {int(limit)}"
        )
        return sql, list(self.params)

    def first(self) -> models.Model | None:
        """The queue's first item (with its related row), or None: one query."""
        fields = self.fields + (self.related_fields if self.related else [])
        rows = fetch_rows(*self._select(self.columns, 1))
        # The database's values as Django's own queries give them (time zones, JSON, ...),
        # with the converters found once per connection.
        found = getattr(connection, "_queue_converters", None)
        if found is None:  # the connection's own (each thread has its own): set through it
            found = connection._queue_converters = {}
        key = (self.model, self.related)
        if key not in found:
            compiler = Query(self.model).get_compiler(connection=connection)
            found[key] = (
                compiler,
                compiler.get_converters(
                    [field.get_col(field.model._meta.db_table) for field in fields]
                ),
            )
        compiler, converters = found[key]
        if converters:
            rows = list(compiler.apply_converters(rows, converters))
        if not rows:
            return None
        row, width = rows[0], len(self.fields)
        item = self.model.from_db(
            connection.alias, [field.attname for field in self.fields], row[:width]
        )
        if self.related:
            related = self.model._meta.get_field(self.related).related_model.from_db(
                connection.alias, [field.attname for field in self.related_fields], row[width:]
            )
            setattr(item, self.related, related)
        return item

    def ids(self, limit: int) -> list[int]:
        """The ids of the queue's first ``limit`` items, in order."""
        column = f"{self.table}.{connection.ops.quote_name(self.model._meta.pk.column)}"
        return [row[0] for row in fetch_rows(*self._select(column, limit))]

    def get(self, pk: int) -> models.Model | None:
        """The item ``pk`` (with its related row) if it is still in the queue: one query."""
        return self._narrowed("=", pk).first()
