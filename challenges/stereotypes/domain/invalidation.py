"""Invalidation: organizers invalidate every rating of one person, and see who rated how much."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import Profile, User
from challenges.domain import (
    ContributionRefused,
    announce_change,
    item_type_of,
)
from challenges.models import Challenge, ContributionStatus, ReviewDecision
from challenges.stereotypes.models import (
    StereotypeRating,
)

from .batching import BULK_BATCH, in_chunks


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
        for chunk in in_chunks(ids):
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
