"""Storing an upload's rows, all or nothing: ``store_upload`` checks every row, finds repeats
in the file and among the stored items (each kind says whether a repeat is skipped or refuses
the file), marks near-duplicates, inserts in bulk and reports."""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import IntegrityError, models, transaction
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges.near_duplicates import (
    NearDuplicate,
    Signed,
    find_near_duplicates,
    forget_item,
    index_items,
    sign,
)
from challenges.uploads.reading import (
    CheckedItem,
    Item,
    RowError,
    UploadErrors,
    UploadRejected,
)
from hackathon.bulk import copy_lines, copy_text, reserve_ids

# Stored fingerprints (or ids) looked up per query: an upload never loads the challenge's other
# items, and a query stays under SQLite's limit on parameters.
FINGERPRINT_CHUNK = 900
# Rows per INSERT when an upload is stored.
BULK_BATCH = 2000
# Rows from which an upload's items go to PostgreSQL as one COPY stream rather than INSERTs.
COPY_FROM = 100
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
    # A new item's ``text`` already folded when its row's check folded its parts (None: the
    # check folds ``text``); it must equal ``fold(text(item))``.
    folded: Callable[[models.Model], str | None] = lambda item: None


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


def copy_unsaved(template: Item, values: dict[str, Any]) -> Item:
    """An unsaved instance like the unsaved ``template``, with ``values`` (field attribute
    names: plain values, not related objects) set on it, as ``model(**template's values,
    **values)`` would make it but without the model's ``__init__``, which costs more than a
    row's checks: the attributes, the related objects the template holds and its database
    are copied. For models that no ``pre_init`` or ``post_init`` receiver listens to (their
    signals are not sent)."""
    item = template.__class__.__new__(template.__class__)
    item.__dict__.update(template.__dict__)
    item.__dict__.update(values)
    state = item._state = ModelState()
    state.db = template._state.db
    state.fields_cache = dict(template._state.fields_cache)
    return item


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


def _column_texts(values: list[Any]) -> list[str]:
    """One column's values in COPY's text format: converted once when every row has the same
    (the status, the dates, the exam's description an upload's rows share), else one by one."""
    first = values[0]
    if values.count(first) == len(values) and len(set(map(type, values))) == 1:
        return [copy_text(first)] * len(values)
    return list(map(copy_text, values))


def insert_items(
    model: type[Item], items: list[Item], *, keyed: Callable[[], object] | None = None
) -> bool:
    """Insert unsaved items and set their primary keys, as ``bulk_create`` does; on
    PostgreSQL the raw attribute values, without the per-value preparation of Django's, which
    cost most of a 20,000-row upload: COPY_FROM rows or more as one ``COPY`` stream (their
    keys reserved from the table's sequence first, in the order of the items; a third of the
    backend's time of ``INSERT``), fewer BULK_BATCH at a time as ``INSERT ... RETURNING``. A
    unique constraint met raises IntegrityError either way.

    ``keyed()`` is called when the items have their keys but are not written yet (the COPY
    path), so that it may set attributes that need their keys (a link to an earlier item)
    in the rows written; returns whether it was called."""
    connection = transaction.get_connection()
    fields = [column for column in model._meta.concrete_fields if not column.primary_key]
    raw = all(
        column.get_internal_type() in RAW_TYPES and not getattr(column, "multiple", False)
        for column in fields
    )
    if connection.vendor != "postgresql" or not items or not raw:
        model.objects.bulk_create(items, batch_size=BULK_BATCH)
        return False
    now = timezone.now()
    for column in fields:  # auto_now(_add): as bulk_create would set them, once for all rows
        if getattr(column, "auto_now", False) or getattr(column, "auto_now_add", False):
            for item in items:
                item.__dict__[column.attname] = now
    columns = ", ".join(connection.ops.quote_name(column.column) for column in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    attributes = [column.attname for column in fields]
    key = connection.ops.quote_name(model._meta.pk.column)
    if len(items) >= COPY_FROM:
        for item, pk in zip(items, reserve_ids(model, len(items)), strict=True):
            item.pk = pk
        if keyed is not None:
            keyed()
        columns_texts = [[str(item.pk) for item in items]] + [
            _column_texts([item.__dict__[name] for item in items]) for name in attributes
        ]
        lines = map("\t".join, zip(*columns_texts, strict=True))
        with connection.cursor() as cursor:
            copy_lines(cursor, table, f"{key}, {columns}", lines)
        for item in items:
            item._state.adding, item._state.db = False, connection.alias
        return keyed is not None
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
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
    return False


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
    checked = 0
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
    if progress is not None:
        progress(checked, errors.total)  # every row read, errors or not

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
            linked = insert_items(
                model,
                new,
                keyed=(lambda: link_near_duplicates(items=new, near=near)) if near else None,
            )
        except IntegrityError as error:
            if conflict is None:
                raise
            raise conflict from error
        if near is not None:
            record_near_duplicates(
                model=model, challenge=challenge, items=new, near=near, linked=linked
            )
    report = UploadReport(
        rows=len(rows),
        stored=len(new),
        flagged=sum(1 for item in new if flagged(item)) if flagged else 0,
    )
    for row, field_name, message in sorted(notices):
        report.skipped.add(row, field_name, message)
    # Translated once: an exam's questions alike but for a number are thousands of repeats.
    of_stored, of_row = _("Possible duplicate of #%(id)s."), _("Possible duplicate of row %(row)s.")
    for position, item in enumerate(new):
        match = near.matches[position] if near else None
        if match is not None:
            report.possible_duplicates.add(
                rows_of[id(item)],
                repeats.field,
                of_stored % {"id": item.possible_duplicate_of_id}
                if match.stored_id
                else of_row % {"row": rows_of[id(new[match.earlier])]},
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

    signed = sign(
        [spec.text(item) for item in items],
        scopes=[spec.scope(item) for item in items],
        folded=[spec.folded(item) for item in items],
    )
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


def recheck_near_duplicates(
    *, model: type[Item], challenge: models.Model, item: Item, spec: NearDuplicates
) -> NearDuplicateCheck:
    """A stored item whose text its author edited, compared again as a new item would be: its
    old entries leave the index and its mark is cleared, then set from the stored items its new
    text nearly repeats. Save the item, then ``record_near_duplicates`` indexes it again."""
    forget_item(item_type=model._meta.label_lower, item_id=item.pk)
    item.possible_duplicate_of_id = None
    return check_near_duplicates(model=model, challenge=challenge, items=[item], spec=spec)


def link_near_duplicates(*, items: list[Item], near: NearDuplicateCheck) -> list[tuple[int, int]]:
    """Once the new items have their keys: the repeats of earlier items point at them
    (``possible_duplicate_of``); returns those (item, earlier item) keys."""
    links = []
    for item, match in zip(items, near.matches, strict=True):
        if match is not None and match.earlier is not None:
            item.possible_duplicate_of_id = items[match.earlier].pk
            links.append((item.pk, item.possible_duplicate_of_id))
    return links


def record_near_duplicates(
    *,
    model: type[Item],
    challenge: models.Model,
    items: list[Item],
    near: NearDuplicateCheck,
    linked: bool = False,
) -> None:
    """Once the new items are saved: the repeats of earlier items point at them (in the
    database too, unless ``linked``: they were saved pointing at them), and every new item's
    bands join the index."""
    # Linked: the items were set pointing at them before they were written (``insert_items``).
    links = () if linked else link_near_duplicates(items=items, near=near)
    index_items(
        challenge_id=challenge.pk,
        item_type=model._meta.label_lower,
        items=zip((item.pk for item in items), near.signed, strict=True),
        links=links,
        model=model,
    )
