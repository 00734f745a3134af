"""Anti-joins for the "next item" queues, written out.

Every queue page asks for the first item a person has not dealt with yet: an item with no row
of theirs in another table (a rating, an answer, a skip, a validation). ``Exists(OuterRef(...))``
says that too, but Django builds and compiles a whole subquery for it on every request, which
cost more than the query itself on those pages; ``absent`` writes the same ``NOT EXISTS`` once
as SQL, on the same indexes.
"""

from __future__ import annotations

from django.db import connection, models
from django.db.models.expressions import RawSQL


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
    return RawSQL(sql, params, output_field=models.BooleanField())
