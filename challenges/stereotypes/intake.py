"""How stereotype ratings plug into the platform: review queue, progress, exports and the
published dataset of ratings."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from challenges.intake import Column, DatasetForm, Intake, Publication, Uploader, no_person_rules
from challenges.languages import language_name
from challenges.models import Challenge, ContributionStatus
from challenges.provenance import Provenance

from .domain.batching import BULK_BATCH
from .domain.pool import import_pairs
from .models import StereotypeRating
from .views import announce_pairs_added

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


# The published ratings, read through their pair. Whether the rater identifies with the
# nationality (own_nationality) is left out: it says something about the person. Each row has
# its stable id and its rater's key (``challenges.provenance``) beside the rater's region.
PUBLISHED_SOURCES = {
    "id": "pk",
    "pair_external_id": "pair__external_id",
    "language": "pair__language",
    "nationality": "pair__nationality",
    "attribute": "pair__attribute",
    "rating": "rating",
    "extra_attribute": "extra_attribute",
    "other_nationalities": "other_nationalities",
    "region": "region",
}
PUBLISHED_COLUMNS = {
    name: {"rating": "int64", "other_nationalities": "list<string>"}.get(name, "string")
    for name in [*PUBLISHED_SOURCES, "contributor"]
}


def _published(ratings):
    """Ratings count as soon as they are given; the invalidated ones and the skips are out."""
    return ratings.filter(status=ContributionStatus.VALIDATED, skipped=False)


def published_rows(challenge: Challenge) -> Iterator[dict]:
    """The published ratings of the challenge, oldest first, streamed in chunks."""
    provenance = Provenance(challenge)
    rows = (
        _published(StereotypeRating.objects.filter(challenge=challenge))
        .order_by("created_at", "pk")
        .values_list(*PUBLISHED_SOURCES.values(), "author_id")
    )
    for *values, author_id in rows.iterator(chunk_size=BULK_BATCH):
        row = dict(zip(PUBLISHED_SOURCES, values, strict=True))
        row["id"] = provenance.row_id(row["id"])
        row["contributor"] = provenance.contributor(author_id)
        yield row


PUBLICATION = Publication(
    label=_("stereotype ratings"),
    published=_published,
    forms=[DatasetForm(name="default", columns=PUBLISHED_COLUMNS, rows=published_rows)],
    summary=_(
        "Ratings, from 1 to 5, of how strongly a nationality and an attribute are associated "
        "in the rater's region, to measure stereotypes in language models."
    ),
    validation_rule=_(
        "Every participant gave informed consent first. Ratings count as soon as they are "
        "given; those invalidated by the organizers and the skipped pairs are left out."
    ),
    task_categories=["text-classification"],
    limitations=_(
        "A rating is how strongly one person perceives an association in their region, not a "
        "fact about any nationality; raters were volunteers, and some nationalities and "
        "regions have few ratings."
    ),
    uses=_(
        "Measuring and mitigating stereotypes in language models: finding the associations a "
        "model reproduces and testing whether a mitigation works."
    ),
    out_of_scope=_(
        "Teaching a model the stereotypes, presenting the associations as true, or using them "
        "to describe, profile or decide anything about people."
    ),
)


def store_pool_file(*, challenge, user, target=None, upload, progress=None):
    return import_pairs(challenge=challenge, upload=upload, progress=progress)


# The organizers' upload: pairs for the pool.
POOL_UPLOADER = Uploader(
    check=no_person_rules,
    store=store_pool_file,
    announce=announce_pairs_added,
    form_page=lambda challenge, target: ("stereotypes:pool", {"slug": challenge.slug}),
)


def build_intake() -> Intake:
    return Intake(
        kind="stereotypes",
        model=StereotypeRating,
        counted_label=_("validated ratings"),
        organize_url="stereotypes:pool",
        participate_url="stereotypes:home",
        review_columns=[
            Column(_("Language"), lambda item: language_name(item.pair.language)),
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
        publication=PUBLICATION,
        organizer_uploader=POOL_UPLOADER,
        export_fields=EXPORT_FIELDS,
        export_rows=export_rows,
    )
