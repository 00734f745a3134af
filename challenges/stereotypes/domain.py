"""Rules of the stereotypes challenge: consent, reading profile, the pool, ratings, invalidation.

Every function that accepts a contribution checks the challenge's window for the person
(``ensure_window_open``) and raises ``ContributionRefused`` with a translated message when a
rule says no. Functions that change state run in a transaction and lock what they check.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.languages import LANGUAGE_CODES
from accounts.models import Profile, User
from challenges.domain import (
    ContributionRefused,
    WindowState,
    announce_change,
    ensure_window_open,
    item_type_of,
)
from challenges.models import Challenge, ContributionStatus, ReviewDecision
from challenges.stereotypes.models import (
    ATTRIBUTE_MAX,
    EXTERNAL_ID_MAX,
    NATIONALITY_MAX,
    RATING_MAX,
    RATING_MIN,
    REGION_MAX,
    StereotypeConsent,
    StereotypeConsentText,
    StereotypePair,
    StereotypeProfile,
    StereotypeRating,
)
from challenges.uploads import (
    UploadErrors,
    UploadRejected,
    check_text,
    contains_html,
    fingerprint,
    normalize,
    parse_rows,
    read_text,
)

MAX_NATIONALITIES = 10
MAX_REGIONS = 5
MAX_OTHER_NATIONALITIES = 10
IN_CHUNK = 500  # ids per "IN (...)" query: well under SQLite's limit on parameters
BULK_BATCH = 2000

# The consent text a stereotypes challenge starts with, until organizers add their own version
# in the admin. It is data (stored per challenge, in the three community languages), not
# interface text, so it is written out here rather than translated through gettext.
DEFAULT_CONSENT_VERSION = "1"
DEFAULT_CONSENT_TEXT = {
    "es": (
        "En este reto valoras cuánto se asocian, en tu región, una nacionalidad y un atributo. "
        "Algunos pares pueden resultarte ofensivos: puedes saltar cualquiera y dejar de participar "
        "cuando quieras.\n"
        "Guardamos tus valoraciones junto con los idiomas, nacionalidades y regiones que declares, "
        "y las publicaremos como datos abiertos para medir y reducir los sesgos de los modelos de "
        "lenguaje, identificadas solo por un número, nunca por tu nombre ni tu correo."
    ),
    "pt": (
        "Neste desafio você avalia o quanto, na sua região, uma nacionalidade e um atributo se "
        "associam. Alguns pares podem ser ofensivos: você pode pular qualquer um e parar de "
        "participar quando quiser.\n"
        "Guardamos suas avaliações junto com os idiomas, nacionalidades e regiões que você "
        "declarar, e as publicaremos como dados abertos para medir e reduzir os vieses dos "
        "modelos de linguagem, identificadas apenas por um número, nunca pelo seu nome ou e-mail."
    ),
    "en": (
        "In this challenge you rate how strongly a nationality and an attribute are associated in "
        "your region. Some pairs may be offensive: you can skip any of them and stop taking part "
        "whenever you like.\n"
        "We keep your ratings together with the languages, nationalities and regions you declare, "
        "and will publish them as open data to measure and reduce the biases of language models, "
        "identified only by a number, never by your name or email."
    ),
}

LIST_SEPARATORS = re.compile(r"[,;\n]+")


# --- consent -----------------------------------------------------------------------------------


def get_consent_text(*, challenge: Challenge) -> StereotypeConsentText:
    """The current consent text of the challenge: its newest version.

    A challenge without one gets the default text (version "1"), so the consent step never
    blocks a challenge whose organizers have not written their own yet.
    """
    current = (
        StereotypeConsentText.objects.filter(challenge=challenge)
        .order_by("-created_at", "-id")
        .first()
    )
    if current is not None:
        return current
    current, _created = StereotypeConsentText.objects.get_or_create(
        challenge=challenge,
        version=DEFAULT_CONSENT_VERSION,
        defaults={
            "text_es": DEFAULT_CONSENT_TEXT["es"],
            "text_pt": DEFAULT_CONSENT_TEXT["pt"],
            "text_en": DEFAULT_CONSENT_TEXT["en"],
        },
    )
    return current


def has_accepted_consent(*, user: User, challenge: Challenge, version: str) -> bool:
    """A person may rate once they accepted the current version; a new version asks again."""
    return StereotypeConsent.objects.filter(
        user=user, challenge=challenge, version=version
    ).exists()


def accept_consent(*, user: User, challenge: Challenge, version: str) -> StereotypeConsent:
    """Record that the person accepted ``version`` of the consent text, and when.

    Only the current version can be accepted (a page left open while organizers published a
    new one is refused, so nobody accepts a text they did not read). Accepting twice keeps
    the first acceptance and its time.
    """
    current = get_consent_text(challenge=challenge)
    if version != current.version:
        raise ContributionRefused(
            gettext_lazy(
                "The consent text has changed since you opened the page. Read the new version."
            )
        )
    consent, _created = StereotypeConsent.objects.get_or_create(
        user=user, challenge=challenge, version=version
    )
    return consent


# --- the reading profile ---------------------------------------------------------------------


def split_list(text: str) -> list[str]:
    """A free-text list ("peruanos, bolivianos" or one per line) as its items, in the order
    given, without empty ones."""
    return [" ".join(part.split()) for part in LIST_SEPARATORS.split(text or "") if part.strip()]


def check_list(
    items: Iterable[str], *, max_items: int, max_length: int, what, fold: bool = True
) -> list[str]:
    """Items of a free-text list: at most ``max_items``, each short plain text, each once
    (whatever its case). With ``fold`` they are normalized as the pool's nationalities are
    (case-folded), so that they can be compared with them; otherwise kept as written."""
    unique: dict[str, str] = {}
    for item in items:
        item = " ".join(str(item).split())
        if item:
            unique.setdefault(normalize(item), normalize(item) if fold else item)
    items = list(unique.values())
    if len(items) > max_items:
        raise ContributionRefused(
            _("At most %(limit)s %(what)s (you gave %(count)s).")
            % {"limit": max_items, "what": what, "count": len(items)}
        )
    for item in items:
        if len(item) > max_length:
            raise ContributionRefused(
                _("“%(item)s…” is too long: at most %(limit)s characters each.")
                % {"item": item[:30], "limit": max_length}
            )
        if contains_html(item):
            raise ContributionRefused(_("HTML is not allowed here; send plain text."))
    return items


def get_profile(*, user: User, challenge: Challenge) -> StereotypeProfile | None:
    return StereotypeProfile.objects.filter(user=user, challenge=challenge).first()


def save_profile(
    *,
    user: User,
    challenge: Challenge,
    languages: Iterable[str],
    nationalities: Iterable[str],
    regions: Iterable[str] = (),
) -> StereotypeProfile:
    """Save the languages a person reads and the nationalities and regions they identify with.

    It comes after the consent: the current version must be accepted. At least one known
    language and one nationality are needed; regions are optional. Nationalities are stored
    normalized, like the pool's, so that they can be matched with the pairs' nationalities.
    """
    consent = get_consent_text(challenge=challenge)
    if not has_accepted_consent(user=user, challenge=challenge, version=consent.version):
        raise ContributionRefused(gettext_lazy("Accept the consent text first."))
    languages = list(dict.fromkeys(code for code in languages if code))
    unknown = [code for code in languages if code not in LANGUAGE_CODES]
    if unknown:
        raise ContributionRefused(
            _("Unknown language codes: %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    if not languages:
        raise ContributionRefused(gettext_lazy("Choose at least one language you read."))
    nationalities = check_list(
        nationalities,
        max_items=MAX_NATIONALITIES,
        max_length=NATIONALITY_MAX,
        what=_("nationalities"),
    )
    if not nationalities:
        raise ContributionRefused(gettext_lazy("Give at least one nationality you identify with."))
    regions = check_list(
        regions, max_items=MAX_REGIONS, max_length=REGION_MAX, what=_("regions"), fold=False
    )
    with transaction.atomic():
        # get_or_create recovers from a simultaneous creation (the unique constraint).
        profile, _created = StereotypeProfile.objects.select_for_update().get_or_create(
            user=user, challenge=challenge
        )
        profile.languages = languages
        profile.nationalities = nationalities
        profile.regions = regions
        profile.save()
    return profile


def known_nationalities(*, challenge: Challenge, limit: int = 300) -> list[str]:
    """The pool's nationalities (normalized), to suggest while typing one's own."""
    return list(
        StereotypePair.objects.filter(challenge=challenge)
        .order_by("nationality_key")
        .values_list("nationality_key", flat=True)
        .distinct()[:limit]
    )


# --- the validator -----------------------------------------------------------------------------


def find_next_pair(
    *, challenge: Challenge, user: User, languages: Iterable[str]
) -> StereotypePair | None:
    """The pair to show next: in a language the person reads, never one they already rated or
    skipped; the least rated first, then the oldest, so every pair gets ratings.

    One query: an anti-join (NOT EXISTS on the unique (author, pair) index) over the pool's
    (challenge, language, times_rated, id) index.
    """
    languages = list(languages)
    if not languages:
        return None
    answered = StereotypeRating.objects.filter(author_id=user.pk, pair_id=OuterRef("pk"))
    return (
        StereotypePair.objects.filter(challenge=challenge, language__in=languages)
        .filter(~Exists(answered))
        .order_by("times_rated", "id")
        .first()
    )


@dataclass(frozen=True)
class ValidatorState:
    """What the validator page shows the person, in the order the rules apply."""

    consent: StereotypeConsentText | None = None
    consented: bool = False
    profile: StereotypeProfile | None = None
    refusal: str = ""  # why the window does not take ratings now (opens on / closed on)
    window: WindowState | None = None
    pair: StereotypePair | None = None
    # How many pairs the pool has in the person's languages (0: nothing to show at all).
    pool_size: int = 0

    @property
    def ready(self) -> bool:
        return self.consented and self.profile is not None and not self.refusal


def get_validator_state(
    *,
    challenge: Challenge,
    user: User,
    now: dt.datetime | None = None,
    pair: StereotypePair | None = None,
) -> ValidatorState:
    """The window comes first (a closed challenge shows when it closed), then the consent, then
    the reading profile, then one pair (``pair`` when given, e.g. to show a form's errors)."""
    try:
        window = ensure_window_open(challenge=challenge, user=user, now=now)
    except ContributionRefused as refused:
        return ValidatorState(refusal=str(refused.message))
    consent = get_consent_text(challenge=challenge)
    if not has_accepted_consent(user=user, challenge=challenge, version=consent.version):
        return ValidatorState(consent=consent, window=window)
    profile = get_profile(user=user, challenge=challenge)
    if profile is None:
        return ValidatorState(consent=consent, consented=True, window=window)
    if pair is None:
        pair = find_next_pair(challenge=challenge, user=user, languages=profile.languages)
    pool_size = 1
    if pair is None:
        pool_size = StereotypePair.objects.filter(
            challenge=challenge, language__in=profile.languages
        ).count()
    return ValidatorState(
        consent=consent,
        consented=True,
        profile=profile,
        window=window,
        pair=pair,
        pool_size=pool_size,
    )


def _answer(
    *,
    challenge: Challenge,
    user: User,
    pair_id: int,
    now: dt.datetime | None,
    values: dict,
) -> tuple[StereotypeRating, bool]:
    """Store one person's answer to one pair, once. See rate_pair and skip_pair."""
    ensure_window_open(challenge=challenge, user=user, now=now)
    consent = get_consent_text(challenge=challenge)
    with transaction.atomic():
        # The person's profile row serializes their answers: a double-clicked submit waits here
        # for the first one, then finds its answer and stores nothing more.
        profile = (
            StereotypeProfile.objects.select_for_update()
            .filter(user=user, challenge=challenge)
            .first()
        )
        if not has_accepted_consent(user=user, challenge=challenge, version=consent.version):
            raise ContributionRefused(gettext_lazy("Accept the consent text first."))
        if profile is None:
            raise ContributionRefused(gettext_lazy("Tell us first which languages you read."))
        pair = StereotypePair.objects.filter(challenge=challenge, pk=pair_id).first()
        if pair is None:
            raise ContributionRefused(gettext_lazy("This pair is not in the challenge's pool."))
        if pair.language not in profile.languages:
            raise ContributionRefused(gettext_lazy("This pair is not in a language you read."))
        existing = StereotypeRating.objects.filter(author=user, pair=pair).first()
        if existing is not None:
            return existing, False
        rating = StereotypeRating(
            challenge=challenge,
            author=user,
            pair=pair,
            own_nationality=pair.nationality_key in profile.nationalities,
            **values,
        )
        try:
            with transaction.atomic():
                rating.save()
        except IntegrityError:
            # Stored by a simultaneous request of the same person (the unique constraint).
            existing = StereotypeRating.objects.filter(author=user, pair=pair).first()
            if existing is None:
                raise
            return existing, False
        if not rating.skipped:
            StereotypePair.objects.filter(pk=pair.pk).update(times_rated=F("times_rated") + 1)
            announce_change(challenge=challenge, author_ids=[user.pk])
    return rating, True


def rate_pair(
    *,
    challenge: Challenge,
    user: User,
    pair_id: int,
    rating: int,
    extra_attribute: str = "",
    other_nationalities: Iterable[str] = (),
    region: str = "",
    now: dt.datetime | None = None,
) -> tuple[StereotypeRating, bool]:
    """Rate how strongly a pair's nationality and attribute are associated in one's region.

    Only while the challenge is open for the person, after the consent and the reading
    profile, for a pair of the pool in a language they read. The rating (1 to 5) counts at
    once: it is validated unless organizers invalidate it later. One answer per person and
    pair: a repeated submission stores nothing and returns the first answer (``False``).
    """
    if (
        isinstance(rating, bool)
        or not isinstance(rating, int)
        or not RATING_MIN <= rating <= RATING_MAX
    ):
        raise ContributionRefused(
            _("Choose a rating from %(low)s to %(high)s.") % {"low": RATING_MIN, "high": RATING_MAX}
        )
    extra_attribute = " ".join((extra_attribute or "").split())
    if len(extra_attribute) > ATTRIBUTE_MAX:
        raise ContributionRefused(
            _("The other attribute has at most %(limit)s characters.") % {"limit": ATTRIBUTE_MAX}
        )
    region = " ".join((region or "").split())
    if len(region) > REGION_MAX:
        raise ContributionRefused(
            _("The region has at most %(limit)s characters.") % {"limit": REGION_MAX}
        )
    if contains_html(extra_attribute) or contains_html(region):
        raise ContributionRefused(_("HTML is not allowed here; send plain text."))
    other_nationalities = check_list(
        other_nationalities,
        max_items=MAX_OTHER_NATIONALITIES,
        max_length=NATIONALITY_MAX,
        what=_("other nationalities"),
    )
    return _answer(
        challenge=challenge,
        user=user,
        pair_id=pair_id,
        now=now,
        values={
            "rating": rating,
            "skipped": False,
            "status": ContributionStatus.VALIDATED,
            "decided_at": now or timezone.now(),
            "extra_attribute": extra_attribute,
            "other_nationalities": other_nationalities,
            "region": region,
        },
    )


def skip_pair(
    *, challenge: Challenge, user: User, pair_id: int, now: dt.datetime | None = None
) -> tuple[StereotypeRating, bool]:
    """Skip a pair: it is not shown to the person again and never counts (a draft row).

    The same rules as rating apply (window, consent, profile, language). Skipping a pair
    already rated or skipped changes nothing.
    """
    return _answer(
        challenge=challenge,
        user=user,
        pair_id=pair_id,
        now=now,
        values={"rating": None, "skipped": True, "status": ContributionStatus.DRAFT},
    )


# --- the pool ------------------------------------------------------------------------------------


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


def _chunks(items: list, size: int = IN_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


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
        for chunk in _chunks([c.external_id for c in candidates]):
            stored_by_id.update(
                StereotypePair.objects.filter(
                    challenge=challenge, external_id__in=chunk
                ).values_list("external_id", "fingerprint")
            )
        stored_by_fingerprint: dict[str, str] = {}
        for chunk in _chunks([c.fingerprint for c in candidates]):
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


# --- invalidation ------------------------------------------------------------------------------


def find_person(*, identifier: str) -> User | None:
    """The participant named by an email address, a Hugging Face username or a number (#12)."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    number = identifier.lstrip("#")
    if number.isdigit():
        return User.objects.filter(pk=int(number)).first()
    if "@" in identifier:
        return User.objects.filter(email__iexact=identifier).first()
    return User.objects.filter(profile__hub_username__iexact=identifier).first()


def invalidate_ratings(*, challenge: Challenge, author: User, reason: str, by: User) -> int:
    """Organizers invalidate every validated rating of one person in the challenge (spam).

    A reason is required: the person reads it. Each rating gets a ReviewDecision, and the
    scoring rules are told that the person's count changed. Ratings already invalidated are
    left as they are, so repeating the action changes nothing. Returns how many changed.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise ContributionRefused(gettext_lazy("Give a reason: the person will read it."))
    with transaction.atomic():
        ids = list(
            StereotypeRating.objects.select_for_update()
            .filter(challenge=challenge, author=author, status=ContributionStatus.VALIDATED)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not ids:
            raise ContributionRefused(
                gettext_lazy("This person has no validated ratings to invalidate.")
            )
        now = timezone.now()
        for chunk in _chunks(ids):
            StereotypeRating.objects.filter(pk__in=chunk).update(
                status=ContributionStatus.INVALIDATED, decision_reason=reason[:500], decided_at=now
            )
        ReviewDecision.objects.bulk_create(
            (
                ReviewDecision(
                    challenge=challenge,
                    item_type=item_type_of(StereotypeRating),
                    item_id=pk,
                    status=ContributionStatus.INVALIDATED,
                    reason=reason[:500],
                    decided_by=by,
                )
                for pk in ids
            ),
            batch_size=BULK_BATCH,
        )
        announce_change(challenge=challenge, author_ids=[author.pk])
    return len(ids)


def raters_with_counts(*, challenge: Challenge) -> QuerySet:
    """Everyone who answered in the challenge, most validated ratings first, with their counts
    (one grouped query on the (challenge, author, status) index; names come with name_raters)."""
    return (
        StereotypeRating.objects.filter(challenge=challenge)
        .values("author_id")
        .annotate(
            validated=Count("pk", filter=Q(status=ContributionStatus.VALIDATED)),
            invalidated=Count("pk", filter=Q(status=ContributionStatus.INVALIDATED)),
            skipped=Count("pk", filter=Q(status=ContributionStatus.DRAFT)),
        )
        .order_by("-validated", "author_id")
    )


def name_raters(rows: Iterable[dict]) -> list[dict]:
    """The rows of raters_with_counts with each person's display name and Hub username (one
    query for the page, never emails)."""
    rows = list(rows)
    names = {
        user_id: (display_name, hub_username)
        for user_id, display_name, hub_username in Profile.objects.filter(
            user_id__in=[row["author_id"] for row in rows]
        ).values_list("user_id", "display_name", "hub_username")
    }
    for row in rows:
        row["display_name"], row["hub_username"] = names.get(row["author_id"], ("", ""))
    return rows


# --- exports -----------------------------------------------------------------------------------

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
