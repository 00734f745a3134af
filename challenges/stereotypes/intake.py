"""How stereotype ratings plug into the shared pages: review queue, progress and exports."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from challenges.intake import Column, Intake
from challenges.models import Challenge

from .domain.batching import BULK_BATCH
from .models import StereotypeRating

EXPORT_FIELDS = [
    "id",
    "pair_id",
    "pair_external_id",
    "language",
    "nationality",
    "attribute",
    "rating",
    "extra_attribute",
    "other_nationalities",
    "region",
    "status",
    "author_id",
]


def export_rows(challenge: Challenge) -> Iterator[dict]:
    """Every rating of the challenge (never the skips), oldest first, without personal data:
    the author is their id only."""
    rows = (
        StereotypeRating.objects.filter(challenge=challenge, skipped=False)
        .order_by("created_at", "pk")
        .values_list(
            "pk",
            "pair_id",
            "pair__external_id",
            "pair__language",
            "pair__nationality",
            "pair__attribute",
            "rating",
            "extra_attribute",
            "other_nationalities",
            "region",
            "status",
            "author_id",
        )
    )
    for values in rows.iterator(chunk_size=BULK_BATCH):
        yield dict(zip(EXPORT_FIELDS, values, strict=True))


def build_intake() -> Intake:
    return Intake(
        kind="stereotypes",
        model=StereotypeRating,
        counted_label=_("validated ratings"),
        organize_url="stereotypes:pool",
        participate_url="stereotypes:home",
        review_columns=[
            Column(_("Language"), lambda item: item.pair.language),
            Column(_("Nationality"), lambda item: item.pair.nationality),
            Column(_("Attribute"), lambda item: item.pair.attribute),
            Column(_("Rating"), lambda item: _("skipped") if item.skipped else item.rating),
            Column(_("Extra attribute"), lambda item: item.extra_attribute),
            Column(
                _("Other nationalities"),
                lambda item: ", ".join(item.other_nationalities or []),
            ),
        ],
        review_related=["pair"],
        language_lookup="pair__language",
        search_lookups=["pair__nationality", "pair__attribute", "extra_attribute"],
        export_fields=EXPORT_FIELDS,
        export_rows=export_rows,
    )
