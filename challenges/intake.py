"""The registry through which each challenge's app plugs into the shared pages.

Every data-collection challenge (INCLUDE, stereotypes, BLEND, preferences) registers an
``Intake`` from its AppConfig.ready(): the model whose rows count, how to show them in the
organizers' review queue, and how to export them. The shared pages (progress, review queue,
decision history, exports) then work for it without code of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.functional import Promise


@dataclass(frozen=True)
class Column:
    label: Promise | str
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class Intake:
    kind: str
    model: type[models.Model]
    # What counts, in words: "accepted questions", "validated answers"...
    counted_label: Promise | str
    # The participant's page for this challenge (URL name taking the challenge slug), if any.
    participate_url: str | None
    review_columns: list[Column]
    export_fields: list[str]
    export_rows: Callable[[Any], Iterable[dict]]
    # The challenge's own organizer page (URL name taking the challenge slug), if it has one.
    organize_url: str | None = None
    # Related objects the review queue shows, fetched with the rows (no query per row).
    review_related: list[str] = field(default_factory=list)
    # Lookups the review filters use; None when the challenge has no such notion.
    country_lookup: str | None = None
    language_lookup: str | None = None
    search_lookups: list[str] = field(default_factory=list)


REGISTRY: dict[str, Intake] = {}


def register(intake: Intake) -> None:
    REGISTRY[intake.kind] = intake


def get_intake(kind: str) -> Intake | None:
    return REGISTRY.get(kind)
