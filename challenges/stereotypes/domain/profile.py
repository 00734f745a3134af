"""The reading profile: the languages a person reads, the nationalities and regions they identify with."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.languages import LANGUAGE_CODES
from accounts.models import User
from challenges.domain import (
    ContributionRefused,
)
from challenges.models import Challenge
from challenges.stereotypes.models import (
    NATIONALITY_MAX,
    REGION_MAX,
    StereotypePair,
    StereotypeProfile,
)
from challenges.text import normalize
from challenges.uploads import contains_html
from hackathon.memo import person_scope, remember

from .consent import get_consent_text, has_accepted_consent

MAX_NATIONALITIES = 10
MAX_REGIONS = 5
LIST_SEPARATORS = re.compile(r"[,;\n]+")


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


def get_profile(
    *, user: User, challenge: Challenge, remembered: bool = False
) -> StereotypeProfile | None:
    """The person's reading profile for the challenge, if any. ``remembered``: read from the
    shared cache (``hackathon.memo``; forgotten by ``receivers`` when the profile changes)."""
    if remembered:
        return remember(
            f"stereotypes-profile:{challenge.pk}",
            lambda: get_profile(user=user, challenge=challenge),
            scope=person_scope(user.pk),
        )
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
