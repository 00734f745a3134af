"""The pool of pairs: uploading it (all or nothing, duplicates left out) and listing it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.languages import LANGUAGE_CODES
from challenges.models import Challenge, ContributionStatus
from challenges.stereotypes.models import (
    ATTRIBUTE_MAX,
    EXTERNAL_ID_MAX,
    NATIONALITY_MAX,
    StereotypePair,
    StereotypeRating,
)
from challenges.uploads import (
    UploadErrors,
    UploadRejected,
    check_text,
    fingerprint,
    normalize,
    parse_rows,
    read_text,
)

from .batching import BULK_BATCH, in_chunks


@dataclass
class PoolImport:
    """What an upload of the pool did: pairs added, and duplicates left out (with why)."""

    created: int = 0
    rows: int = 0
    duplicates: UploadErrors = field(default_factory=UploadErrors)

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "rows": self.rows,
            "duplicates": [
                {"row": item.row, "field": item.field, "message": item.message}
                for item in self.duplicates.shown
            ],
            "duplicates_total": self.duplicates.total,
        }


@dataclass(frozen=True)
class _Candidate:
    row: int
    external_id: str
    language: str
    nationality: str
    attribute: str
    fingerprint: str


def read_pool_rows(*, rows: list[tuple[int, dict]]) -> tuple[list[_Candidate], UploadErrors]:
    """Check every record of a pool file; return the pairs and the in-file duplicates.

    Each record needs ``id`` (unique in the pool), ``language`` (a code of the platform's
    language list), ``nationality`` and ``attribute``, as plain text. A record repeating an
    earlier one (the same id and pair, or the same language, nationality and attribute once
    normalized) is a duplicate, reported and left out; the same id for two different pairs is
    an error. Raises UploadRejected with every error.
    """
    errors = UploadErrors()
    duplicates = UploadErrors()
    candidates: list[_Candidate] = []
    by_id: dict[str, _Candidate] = {}
    by_fingerprint: dict[str, _Candidate] = {}
    for row, record in rows:
        external_id = check_text(record, "id", row=row, errors=errors, max_length=EXTERNAL_ID_MAX)
        language = check_text(record, "language", row=row, errors=errors, max_length=8).lower()
        nationality = check_text(
            record, "nationality", row=row, errors=errors, max_length=NATIONALITY_MAX
        )
        attribute = check_text(
            record, "attribute", row=row, errors=errors, max_length=ATTRIBUTE_MAX
        )
        if language and language not in LANGUAGE_CODES:
            errors.add(
                row,
                "language",
                _("“%(code)s” is not a language code of the platform (use one of: %(codes)s).")
                % {"code": language, "codes": ", ".join(sorted(LANGUAGE_CODES))},
            )
            continue
        if not (external_id and language and nationality and attribute):
            continue
        candidate = _Candidate(
            row=row,
            external_id=external_id,
            language=language,
            nationality=" ".join(nationality.split()),
            attribute=" ".join(attribute.split()),
            fingerprint=fingerprint(language, nationality, attribute),
        )
        same_id = by_id.get(external_id)
        if same_id is not None:
            if same_id.fingerprint == candidate.fingerprint:
                duplicates.add(
                    row, "id", _("Repeats row %(row)s; left out.") % {"row": same_id.row}
                )
            else:
                errors.add(
                    row,
                    "id",
                    _("The id “%(id)s” is already used by row %(row)s for another pair.")
                    % {"id": external_id, "row": same_id.row},
                )
            continue
        same_pair = by_fingerprint.get(candidate.fingerprint)
        if same_pair is not None:
            duplicates.add(
                row,
                "attribute",
                _("The same pair as row %(row)s (id “%(id)s”); left out.")
                % {"row": same_pair.row, "id": same_pair.external_id},
            )
            continue
        by_id[external_id] = candidate
        by_fingerprint[candidate.fingerprint] = candidate
        candidates.append(candidate)
    if errors:
        raise UploadRejected(errors)
    return candidates, duplicates


def import_pairs(*, challenge: Challenge, upload) -> PoolImport:
    """Add an uploaded pool file (CSV, JSON or JSON Lines) to the challenge's pool, all or
    nothing.

    Every row is checked first (see read_pool_rows); any error stores nothing. Pairs already in
    the pool (the same id with the same pair, or the same pair under another id) are reported
    and left out, so uploading the same file again adds nothing; an id already in the pool for
    a different pair is an error. One upload per challenge at a time (the challenge row is
    locked).
    """
    text = read_text(upload)
    rows = parse_rows(text, filename=getattr(upload, "name", "") or "")
    candidates, duplicates = read_pool_rows(rows=rows)
    report = PoolImport(rows=len(rows), duplicates=duplicates)
    errors = UploadErrors()
    with transaction.atomic():
        Challenge.objects.select_for_update().only("pk").get(pk=challenge.pk)
        stored_by_id: dict[str, str] = {}
        for chunk in in_chunks([c.external_id for c in candidates]):
            stored_by_id.update(
                StereotypePair.objects.filter(
                    challenge=challenge, external_id__in=chunk
                ).values_list("external_id", "fingerprint")
            )
        stored_by_fingerprint: dict[str, str] = {}
        for chunk in in_chunks([c.fingerprint for c in candidates]):
            stored_by_fingerprint.update(
                StereotypePair.objects.filter(
                    challenge=challenge, fingerprint__in=chunk
                ).values_list("fingerprint", "external_id")
            )
        new_pairs = []
        for candidate in candidates:
            stored_fingerprint = stored_by_id.get(candidate.external_id)
            if stored_fingerprint is not None:
                if stored_fingerprint == candidate.fingerprint:
                    duplicates.add(candidate.row, "id", _("Already in the pool; left out."))
                else:
                    errors.add(
                        candidate.row,
                        "id",
                        _("The id “%(id)s” is already in the pool for another pair.")
                        % {"id": candidate.external_id},
                    )
                continue
            stored_id = stored_by_fingerprint.get(candidate.fingerprint)
            if stored_id is not None:
                duplicates.add(
                    candidate.row,
                    "attribute",
                    _("The same pair is already in the pool with id “%(id)s”; left out.")
                    % {"id": stored_id},
                )
                continue
            new_pairs.append(
                StereotypePair(
                    challenge=challenge,
                    external_id=candidate.external_id,
                    language=candidate.language,
                    nationality=candidate.nationality,
                    attribute=candidate.attribute,
                    nationality_key=normalize(candidate.nationality),
                    fingerprint=candidate.fingerprint,
                )
            )
        if errors:
            raise UploadRejected(errors)
        StereotypePair.objects.bulk_create(new_pairs, batch_size=BULK_BATCH)
    report.created = len(new_pairs)
    return report


def pool_with_counts(*, challenge: Challenge, search: str = "") -> QuerySet[StereotypePair]:
    """The pool, oldest first, each pair with its counts of validated, invalidated and skipped
    answers and its mean validated rating (subqueries on the (pair, status) index, computed for
    the rows of the page only)."""

    def count_of(**filters):
        return Coalesce(
            Subquery(
                StereotypeRating.objects.filter(pair=OuterRef("pk"), **filters)
                .order_by()
                .values("pair")
                .annotate(total=Count("pk"))
                .values("total"),
                output_field=IntegerField(),
            ),
            Value(0),
        )

    pairs = StereotypePair.objects.filter(challenge=challenge)
    search = (search or "").strip()
    if search:
        pairs = pairs.filter(
            Q(external_id__iexact=search)
            | Q(language__iexact=search)
            | Q(nationality__icontains=search)
            | Q(attribute__icontains=search)
        )
    return pairs.annotate(
        validated_count=count_of(status=ContributionStatus.VALIDATED),
        invalidated_count=count_of(status=ContributionStatus.INVALIDATED),
        skipped_count=count_of(status=ContributionStatus.DRAFT),  # skips are the only drafts
    ).order_by("id")
