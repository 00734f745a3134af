"""The validator: the next pair to show, and rating or skipping it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from challenges.domain import (
    ContributionRefused,
    WindowState,
    announce_change,
    ensure_window_open,
)
from challenges.domain.queues import Queue, absent
from challenges.models import Challenge, ContributionStatus
from challenges.stereotypes.models import (
    ATTRIBUTE_MAX,
    NATIONALITY_MAX,
    RATING_MAX,
    RATING_MIN,
    REGION_MAX,
    StereotypeConsentText,
    StereotypePair,
    StereotypeProfile,
    StereotypeRating,
)
from challenges.uploads import (
    contains_html,
)

from .consent import get_consent_text, has_accepted_consent
from .profile import check_list, get_profile

MAX_OTHER_NATIONALITIES = 10


def find_next_pair(
    *, challenge: Challenge, user: User, languages: Iterable[str]
) -> StereotypePair | None:
    """The pair to show next: in a language the person reads, never one they already rated or
    skipped; the least rated first, then the oldest, so every pair gets ratings.

    One query (written out, ``queues.Queue``): an anti-join (NOT EXISTS on the unique (author,
    pair) index) over the pool's (challenge, language, times_rated, id) index.
    """
    languages = list(languages)
    if not languages:
        return None
    answered = absent(StereotypeRating, outer=StereotypePair, link=("pair", "pk"), author=user.pk)
    return Queue(
        StereotypePair,
        equals={"challenge": challenge, "language": languages},
        conditions=[answered],
        order_by=("times_rated", "pk"),
    ).first()


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
    the reading profile, then one pair (``pair`` when given, e.g. to show a form's errors).
    What rarely changes (the team, the consent, the profile) is remembered: the page's only
    query of its own is the next pair's."""
    try:
        window = ensure_window_open(challenge=challenge, user=user, now=now)
    except ContributionRefused as refused:
        return ValidatorState(refusal=str(refused.message))
    consent = get_consent_text(challenge=challenge, remembered=True)
    if not has_accepted_consent(
        user=user, challenge=challenge, version=consent.version, remembered=True
    ):
        return ValidatorState(consent=consent, window=window)
    profile = get_profile(user=user, challenge=challenge, remembered=True)
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
