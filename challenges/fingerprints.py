"""Recomputing stored fingerprints when the way texts are compared changes (data migrations).

A fingerprint is unique per challenge. Computed anew, two rows stored before may now have the
same one (a text and its copy with a zero-width space): the first (lowest id) keeps it, each
later one keeps its content and its status, gets ``duplicate:<id>`` as fingerprint (unique,
never a digest) and, where the model has one, its ``possible_duplicate_of`` set to the first,
so that a reviewer finds it; the pairs are returned and logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from django.db import models
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat

logger = logging.getLogger(__name__)

DUPLICATE_PREFIX = "duplicate:"
# A value no digest and no duplicate marker has, held while the new values are written.
_PENDING_PREFIX = "~"


def recompute_fingerprints(
    *,
    model: type[models.Model],
    compute: Callable[[models.Model], dict[str, str]],
    reads: Sequence[str],
    duplicate_of: str | None = None,
    batch_size: int = 1000,
) -> list[tuple[int, int]]:
    """Write the values ``compute(row)`` gives (its ``fingerprint`` and any other keys) on
    every row of ``model`` (a migration's historical model), challenge by challenge, reading
    ``reads`` fields ``batch_size`` rows at a time; returns (later row, first row) for each
    row whose new fingerprint repeats an earlier row's (see the module's docstring).

    Rows whose values change first get a placeholder, then their new values, so that no
    intermediate state meets the unique constraint on (challenge, fingerprint).
    """
    duplicates: list[tuple[int, int]] = []
    challenges = (
        model.objects.order_by("challenge_id").values_list("challenge_id", flat=True).distinct()
    )
    for challenge_id in list(challenges):
        first_with: dict[str, int] = {}
        changes: list[tuple[int, dict]] = []
        rows = (
            model.objects.filter(challenge_id=challenge_id)
            .order_by("pk")
            .only("pk", "fingerprint", *reads, *([duplicate_of] if duplicate_of else []))
        )
        for row in rows.iterator(chunk_size=batch_size):
            values = compute(row)
            first = first_with.setdefault(values["fingerprint"], row.pk)
            if duplicate_of:
                values[f"{duplicate_of}_id"] = getattr(row, f"{duplicate_of}_id")
            if first != row.pk:
                values["fingerprint"] = f"{DUPLICATE_PREFIX}{row.pk}"
                if duplicate_of:
                    values[f"{duplicate_of}_id"] = first
                duplicates.append((row.pk, first))
            if any(getattr(row, name) != value for name, value in values.items()):
                changes.append((row.pk, values))
        for start in range(0, len(changes), batch_size):
            model.objects.filter(
                pk__in=[pk for pk, _ in changes[start : start + batch_size]]
            ).update(fingerprint=Concat(Value(_PENDING_PREFIX), Cast("pk", CharField())))
        for start in range(0, len(changes), batch_size):
            batch = changes[start : start + batch_size]
            fields = sorted({name for _, values in batch for name in values})
            model.objects.bulk_update(
                [model(pk=pk, **values) for pk, values in batch], fields, batch_size=batch_size
            )
    if duplicates:
        logger.warning(
            "%s: %s rows now repeat an earlier row of their challenge and were kept with a "
            "'duplicate:<id>' fingerprint (row, first row): %s",
            model._meta.label,
            len(duplicates),
            duplicates[:100],
        )
    return duplicates
