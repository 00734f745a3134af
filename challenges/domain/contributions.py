"""Rules shared by every challenge's contributions: who counts them, and how they are decided."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, models, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges.domain.queues import equal_to, fetch_rows
from challenges.domain.windows import ContributionRefused
from challenges.models import Challenge, ContributionStatus, ReviewDecision

# Sent after a transaction that changed what counts (for scoring): challenge, author_ids.
contributions_changed = Signal()
# Sent after a transaction that decided contributions (for notifications): challenge, status,
# reason, author_counts ({author id: how many of theirs}).
contributions_decided = Signal()

# Which decision may follow which status.
ALLOWED_DECISIONS = {
    ContributionStatus.VALIDATED: {ContributionStatus.PENDING, ContributionStatus.REJECTED},
    ContributionStatus.REJECTED: {ContributionStatus.PENDING, ContributionStatus.VALIDATED},
    ContributionStatus.INVALIDATED: {ContributionStatus.VALIDATED, ContributionStatus.PENDING},
    ContributionStatus.PENDING: {ContributionStatus.REJECTED, ContributionStatus.INVALIDATED},
}


def item_type_of(model: type[models.Model]) -> str:
    return model._meta.label_lower


def announce_change(*, challenge: Challenge, author_ids: Iterable[int]) -> None:
    """Tell the scoring rules, once the transaction commits, whose counts changed."""
    author_ids = sorted(set(author_ids))
    if author_ids:
        transaction.on_commit(
            lambda: contributions_changed.send(
                sender=Challenge, challenge=challenge, author_ids=author_ids
            )
        )


def announce_decisions(
    *, challenge: Challenge, status: str, reason: str, author_ids: Iterable[int]
) -> None:
    """Tell, once the transaction commits, whose contributions were decided, how and why."""
    author_counts: dict[int, int] = {}
    for author_id in author_ids:
        author_counts[author_id] = author_counts.get(author_id, 0) + 1
    if author_counts:
        transaction.on_commit(
            lambda: contributions_decided.send(
                sender=Challenge,
                challenge=challenge,
                status=status,
                reason=reason,
                author_counts=author_counts,
            )
        )


def check_decision(*, status: str, reason: str) -> str:
    """A decision exists, and a rejection or an invalidation has a reason (the authors read
    it); returns the reason as kept."""
    reason = (reason or "").strip()
    if status not in ALLOWED_DECISIONS:
        raise ContributionRefused(_("This decision does not exist."))
    if status in (ContributionStatus.REJECTED, ContributionStatus.INVALIDATED) and not reason:
        raise ContributionRefused(_("Give a reason: the authors will read it."))
    return reason


def decide_contributions(
    *,
    model: type[models.Model],
    challenge: Challenge,
    ids: Iterable[int],
    status: str,
    by,
    reason: str = "",
    queryset: models.QuerySet | None = None,
) -> int:
    """Organizers accept (validate), reject or invalidate contributions, in bulk.

    A rejection or an invalidation needs a reason, which the author sees. Each change is kept as
    a ReviewDecision; items already in that status, or in a status it cannot follow, are left
    as they are. Returns how many changed.
    """
    reason = check_decision(status=status, reason=reason)
    ids = list(ids)
    if not ids:
        raise ContributionRefused(_("Select at least one item."))
    base = queryset if queryset is not None else model.objects.all()
    with transaction.atomic():
        decided = _record_decisions(
            model=model,
            items=base.filter(
                challenge=challenge, pk__in=ids, status__in=ALLOWED_DECISIONS[status]
            ),
            challenge=challenge,
            status=status,
            reason=reason,
            by=by,
        )
        announce_change(challenge=challenge, author_ids=(author_id for _pk, author_id in decided))
        announce_decisions(
            challenge=challenge,
            status=status,
            reason=reason,
            author_ids=(author_id for _pk, author_id in decided),
        )
    return len(decided)


def _record_decisions(
    *, model: type[models.Model], items: models.QuerySet, challenge: Challenge, status: str,
    reason: str, by,
) -> list[tuple[int, int]]:  # fmt: skip
    """Give ``items`` the status and record a ReviewDecision for each; their (pk, author id).

    On PostgreSQL one statement: the update locks the rows it changes (and checks their status
    again once a concurrent decision on them commits), the decisions are inserted from what it
    returns. Elsewhere, the rows are locked and read, then updated and recorded."""
    now = timezone.now()
    decided_by = by.pk if by is not None else None
    if connection.vendor != "postgresql":
        rows = list(items.select_for_update().values_list("pk", "author_id"))
        pks = [pk for pk, _author in rows]
        model.objects.filter(pk__in=pks).update(
            status=status, decision_reason=reason, decided_at=now
        )
        ReviewDecision.objects.bulk_create(
            ReviewDecision(
                challenge=challenge, item_type=item_type_of(model), item_id=pk, status=status,
                reason=reason, decided_by_id=decided_by,
            )
            for pk in pks
        )  # fmt: skip
        return rows
    quote = connection.ops.quote_name
    meta, decision = model._meta, ReviewDecision._meta
    pk, author, status_column = (
        quote(meta.get_field(name).column) for name in (meta.pk.name, "author", "status")
    )
    chosen, chosen_params = items.values("pk").query.sql_with_params()
    decision_columns = ", ".join(
        quote(decision.get_field(name).column)
        for name in ("challenge", "item_type", "item_id", "status", "reason", "decided_by", "decided_at")
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH decided AS (UPDATE {quote(meta.db_table)}"
            f" SET {status_column} = %s, {quote(meta.get_field('decision_reason').column)} = %s,"
            f" {quote(meta.get_field('decided_at').column)} = %s"
            f" WHERE {pk} IN ({chosen}) AND {status_column} = ANY(%s)"
            f" RETURNING {pk}, {author}),"
            f" recorded AS (INSERT INTO {quote(decision.db_table)} ({decision_columns})"
            f" SELECT %s, %s, {pk}, %s, %s, %s, %s FROM decided)"
            f" SELECT {pk}, {author} FROM decided",
            [status, reason, now, *chosen_params, [str(value) for value in ALLOWED_DECISIONS[status]],
             challenge.pk, item_type_of(model), status, reason, decided_by, now],
        )  # fmt: skip
        return cursor.fetchall()


def reject_possible_duplicates(
    *, model: type[models.Model], challenge: Challenge, by, reason: str
) -> int:
    """Organizers reject, at once, every pending contribution of the challenge marked as a
    possible duplicate of another (``possible_duplicate_of``), with a reason, as
    ``decide_contributions`` does (a ReviewDecision each). Returns how many changed."""
    if not reason.strip():
        raise ContributionRefused(_("Give a reason: the authors will read it."))
    ids = list(
        model.objects.filter(
            challenge=challenge,
            status=ContributionStatus.PENDING,
            possible_duplicate_of__isnull=False,
        ).values_list("pk", flat=True)
    )
    if not ids:
        raise ContributionRefused(_("No pending item is marked as a possible duplicate."))
    return decide_contributions(
        model=model,
        challenge=challenge,
        ids=ids,
        status=ContributionStatus.REJECTED,
        by=by,
        reason=reason,
    )


STATUSES = tuple(ContributionStatus.values)  # the enum builds a new list on every read


def count_by_status(
    *, model: type[models.Model], challenge: Challenge, author_ids: Iterable[int] | None = None
) -> dict[str, int]:
    """How many contributions the given people (everyone, without ``author_ids``) have in each
    status (one query).

    Written out as SQL (``queues.fetch_rows``): the "next item" pages show the person's counts
    on every request, and building and compiling the grouped QuerySet cost twice its query.
    """
    counts = dict.fromkeys(STATUSES, 0)
    equals: dict = {"challenge": challenge}
    if author_ids is not None:
        equals["author"] = list(author_ids)
    where, params = equal_to(model, **equals)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    status = f"{table}.{quote(model._meta.get_field('status').column)}"
    sql = f"SELECT {status}, COUNT(*) FROM {table} WHERE {' AND '.join(where)} GROUP BY {status}"
    for name, total in fetch_rows(sql, params):
        counts[name] = total
    counts["submitted"] = sum(
        value for key, value in counts.items() if key != ContributionStatus.DRAFT
    )
    return counts
