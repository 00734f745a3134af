"""The pool of pairs: uploading it (all or nothing, duplicates left out) and listing it."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

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
from challenges.text import fingerprint, normalize
from challenges.uploads import (
    DuplicatePolicy,
    Ids,
    Repeats,
    UploadErrors,
    UploadReport,
    check_text,
    parse_rows,
    read_text,
    store_upload,
)


def _check_pair(
    record: dict, *, row: int, errors: UploadErrors, challenge: Challenge
) -> StereotypePair | None:
    """One record of a pool file as an unsaved pair, or None (with its errors added): ``id``,
    ``language`` (a code of the platform's language list), ``nationality`` and ``attribute``,
    as plain text."""
    external_id = check_text(record, "id", row=row, errors=errors, max_length=EXTERNAL_ID_MAX)
    language = check_text(record, "language", row=row, errors=errors, max_length=8).lower()
    nationality = check_text(
        record, "nationality", row=row, errors=errors, max_length=NATIONALITY_MAX
    )
    attribute = check_text(record, "attribute", row=row, errors=errors, max_length=ATTRIBUTE_MAX)
    if language and language not in LANGUAGE_CODES:
        errors.add(
            row,
            "language",
            _("“%(code)s” is not a language code of the platform (use one of: %(codes)s).")
            % {"code": language, "codes": ", ".join(sorted(LANGUAGE_CODES))},
        )
        return None
    if not (external_id and language and nationality and attribute):
        return None
    return StereotypePair(
        challenge=challenge,
        external_id=external_id,
        language=language,
        nationality=" ".join(nationality.split()),
        attribute=" ".join(attribute.split()),
        nationality_key=normalize(nationality),
        fingerprint=fingerprint(language, nationality, attribute),
    )


def import_pairs(
    *, challenge: Challenge, upload, progress: Callable[[int, int], object] | None = None
) -> UploadReport:
    """Add an uploaded pool file (CSV, JSON or JSON Lines) to the challenge's pool, all or
    nothing.

    Every row is checked first (``id`` unique in the pool, ``language``, ``nationality``,
    ``attribute``); any error stores nothing. Duplicates are left out and reported
    (``DuplicatePolicy.SKIP``): a row repeating an earlier one (the same id and pair, or the
    same language, nationality and attribute once normalized) or a pair already in the pool
    (under the same id or another), so uploading the same file again adds nothing; an id used
    for two different pairs, in the file or with the pool, is an error. One upload per
    challenge at a time (the challenge row is locked). ``progress(rows checked, errors so
    far)`` is told as the rows are checked.
    """
    text = read_text(upload)
    rows = parse_rows(text, filename=getattr(upload, "name", "") or "")
    return store_upload(
        rows=rows,
        check_row=partial(_check_pair, challenge=challenge),
        model=StereotypePair,
        challenge=challenge,
        duplicates=DuplicatePolicy.SKIP,
        repeats=Repeats(
            field="attribute",
            same_as_row=_("The same pair as row %(row)s (id “%(id)s”); left out."),
            already_stored=_("The same pair is already in the pool with id “%(id)s”; left out."),
        ),
        ids=Ids(
            attribute="external_id",
            field="id",
            used_by_row=_("The id “%(id)s” is already used by row %(row)s for another pair."),
            used_by_stored=_("The id “%(id)s” is already in the pool for another pair."),
            stored_again=_("Already in the pool; left out."),
            same_row_again=_("Repeats row %(row)s; left out."),
        ),
        lock=lambda: Challenge.objects.select_for_update().only("pk").get(pk=challenge.pk),
        progress=progress,
    )


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
