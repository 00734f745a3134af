"""The organizers' review queue: which items a set of filters matches, and decisions on every
item matching them, confirmed first with their exact count."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from challenges.domain.contributions import ALLOWED_DECISIONS, check_decision, decide_contributions
from challenges.domain.windows import ContributionRefused
from challenges.models import Challenge

# How long a confirmation of "every item matching the filters" waits for its organizer.
HELD_DECISION_SECONDS = 30 * 60
# The filters a queue takes, as plain values (ids, codes, text), so that they can be kept.
FILTER_NAMES = ("status", "country", "language", "group", "team", "person", "author", "item")


def filter_review_items(*, intake, challenge: Challenge, filters: Mapping[str, Any]):
    """The challenge's items of the intake's kind matching every filter given (a filter that is
    empty, or that the kind has no notion of, matches everything)."""
    items = intake.model.objects.filter(challenge=challenge)
    if filters.get("item"):
        # One item, whatever its status: the original a possible duplicate links to.
        items = items.filter(pk=filters["item"])
    if filters.get("status"):
        items = items.filter(status=filters["status"])
    if filters.get("country") and intake.country_lookup:
        items = items.filter(**{f"{intake.country_lookup}__iexact": filters["country"]})
    if filters.get("language") and intake.language_lookup:
        items = items.filter(**{f"{intake.language_lookup}__iexact": filters["language"]})
    if filters.get("group") and intake.group_filter is not None:
        items = items.filter(**{intake.group_filter.lookup: filters["group"]})
    if filters.get("team"):
        items = items.filter(
            author__memberships__team=filters["team"],
            author__memberships__edition=challenge.edition_id,
        )
    if filters.get("author"):
        items = items.filter(author=filters["author"])
    if filters.get("person"):
        person = filters["person"]
        items = items.filter(
            Q(author__profile__display_name__icontains=person)
            | Q(author__profile__hub_username__iexact=person)
            | Q(author__email__iexact=person)
        )
    return items


@dataclass(frozen=True)
class HeldDecision:
    """A decision on every item matching some filters, waiting for its confirmation."""

    token: str
    count: int
    status: str
    reason: str


@dataclass(frozen=True)
class MatchingOutcome:
    """What a confirmed decision on the items matching the filters did."""

    decided: int
    # Items counted in the confirmation that were decided (or left the filters) meanwhile.
    skipped: int
    # The queue's address query the decision was asked from, to go back to.
    query: str


def _held_key(*, challenge: Challenge, by, token: str) -> str:
    return f"review:held:{challenge.pk}:{by.pk}:{token}"


def hold_matching_decision(
    *,
    intake,
    challenge: Challenge,
    filters: Mapping[str, Any],
    status: str,
    reason: str,
    by,
    query: str = "",
) -> HeldDecision:
    """An organizer asks to take one decision on every item the filters match: the items that
    can take it now are counted and kept, for this organizer and challenge only, until they
    confirm (``decide_held_matching``); nothing is decided yet. The decision's own rules
    (a reason for a rejection or an invalidation) are checked now."""
    reason = check_decision(status=status, reason=reason)
    filters = {name: filters.get(name) or "" for name in FILTER_NAMES}
    ids = list(
        filter_review_items(intake=intake, challenge=challenge, filters=filters)
        .filter(status__in=ALLOWED_DECISIONS[status])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        raise ContributionRefused(_("No item matching these filters can take this decision."))
    token = secrets.token_urlsafe(18)
    cache.set(
        _held_key(challenge=challenge, by=by, token=token),
        {
            "kind": str(intake.kind),
            "ids": ids,
            "status": status,
            "reason": reason,
            "filters": filters,
            "query": query,
        },
        HELD_DECISION_SECONDS,
    )
    return HeldDecision(token=token, count=len(ids), status=status, reason=reason)


def decide_held_matching(*, intake, challenge: Challenge, token: str, by) -> MatchingOutcome:
    """The organizer confirms a held decision: the filters it was asked with are applied again
    and, among the items counted in the confirmation, those still matching them and still able
    to take the decision are decided (``decide_contributions``: locked, each recorded, one
    notification for the whole batch); never an item that was not counted, of another
    challenge or outside the filters. The others are reported as skipped. A confirmation is
    used once, by the organizer who asked for it."""
    key = _held_key(challenge=challenge, by=by, token=str(token))
    held = cache.get(key)
    # Deleting is the claim: of two confirmations sent at once, one finds the key.
    if not held or held.get("kind") != str(intake.kind) or not cache.delete(key):
        raise ContributionRefused(
            _("This confirmation has expired or was already used: ask again from the queue.")
        )
    matching = filter_review_items(intake=intake, challenge=challenge, filters=held["filters"])
    with transaction.atomic():
        decided = decide_contributions(
            model=intake.model,
            challenge=challenge,
            ids=held["ids"],
            status=held["status"],
            reason=held["reason"],
            by=by,
            # A subquery, so that only the items' own rows are locked, not what filters join.
            queryset=intake.model.objects.filter(pk__in=matching.values("pk")),
        )
    return MatchingOutcome(
        decided=decided, skipped=len(held["ids"]) - decided, query=held.get("query", "")
    )
