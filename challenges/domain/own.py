"""A participant's own contributions: finding them, and editing or withdrawing one while it
still waits for review."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from challenges.domain.contributions import announce_change, item_type_of
from challenges.domain.windows import ContributionRefused, ensure_window_open
from challenges.models import (
    Challenge,
    ChangeRecord,
    ContributionStatus,
    ReviewDecision,
)
from challenges.near_duplicates import forget_item

SEARCH_MAX = 200
WITHDRAWN = "withdrawn"


def find_own_contributions(
    *, intake, challenge: Challenge, author, text: str = "", status: str = ""
) -> models.QuerySet:
    """The author's contributions to the challenge, newest first: those whose searched fields
    (``intake.search_lookups``) contain ``text`` (case aside), in ``status`` when given."""
    items = intake.model.objects.filter(challenge=challenge, author=author)
    text = (text or "").strip()[:SEARCH_MAX]
    if text and intake.search_lookups:
        condition = Q()
        for lookup in intake.search_lookups:
            condition |= Q(**{f"{lookup}__icontains": text})
        items = items.filter(condition)
    if status:
        items = items.filter(status=status)
    return items.select_related(*intake.review_related).order_by("-created_at", "-pk")


def describe_amendable(*, intake, item) -> str:
    """Why the item cannot be edited nor withdrawn now, from what the row itself says (its
    status, its decision, the peers' votes it counts), or "" when nothing there refuses it.
    Cheap enough for every row of a list; ``ensure_amendable`` checks the rest."""
    if intake.amendment is None:
        return _("Contributions of this challenge cannot be edited or withdrawn.")
    if item.status != ContributionStatus.PENDING or item.decided_at is not None:
        return _("It was already decided: it can no longer be edited or withdrawn.")
    if getattr(item, "approvals", 0) or getattr(item, "rejections", 0):
        return _("Peers have started validating it: it can no longer be edited or withdrawn.")
    return intake.amendment.refusal(item) or ""


def ensure_amendable(*, intake, challenge: Challenge, item, author, now=None) -> None:
    """A contribution can be edited or withdrawn by its author only while the challenge is open
    for them, and while it waits for review: pending, never decided (not even decided and put
    back to pending), with no vote of a peer (even one voided since), and nothing of its kind
    refusing it. Raises ContributionRefused otherwise."""
    if item.author_id != author.pk or item.challenge_id != challenge.pk:
        raise ContributionRefused(_("This contribution is not yours."))
    ensure_window_open(challenge=challenge, user=author, now=now)
    refusal = describe_amendable(intake=intake, item=item)
    if refusal:
        raise ContributionRefused(refusal)
    if ReviewDecision.objects.filter(
        challenge=challenge, item_type=item_type_of(intake.model), item_id=item.pk
    ).exists():
        raise ContributionRefused(
            _("It was already decided: it can no longer be edited or withdrawn.")
        )
    peers = intake.peer_validation
    if peers is not None and peers.vote_model.objects.filter(**{peers.item_field: item}).exists():
        raise ContributionRefused(
            _("Peers have started validating it: it can no longer be edited or withdrawn.")
        )


def apply_changes(item, values: Mapping[str, Any], names) -> dict[str, tuple[Any, Any]]:
    """Sets the fields ``names`` of ``item`` to ``values`` (checked by the kind's rules) and
    returns those that changed, {name: (old, new)}, compared as the change record keeps them."""
    changes = {}
    for name in names:
        old, new = getattr(item, name), values[name]
        if str(old if old is not None else "") != str(new if new is not None else ""):
            changes[name] = (old, new)
            setattr(item, name, new)
    return changes


def _locked_own(*, intake, challenge: Challenge, item_id: int, author):
    item = (
        intake.model.objects.select_for_update()
        .filter(pk=item_id, challenge=challenge, author=author)
        .first()
    )
    if item is None:
        raise ContributionRefused(_("This contribution is not yours."))
    return item


def _record(*, challenge: Challenge, item, author, changes: Mapping[str, tuple[Any, Any]]):
    ChangeRecord.objects.bulk_create(
        ChangeRecord(
            edition_id=challenge.edition_id,
            object_type=item_type_of(type(item)),
            object_id=item.pk,
            object_label=f"{challenge.record_label} #{item.pk}"[:200],
            field=name,
            old_value="" if old is None else str(old),
            new_value="" if new is None else str(new),
            source=ChangeRecord.Source.PARTICIPANT,
            changed_by=author,
        )
        for name, (old, new) in changes.items()
    )


def amend_contribution(
    *,
    intake,
    challenge: Challenge,
    item_id: int,
    author,
    values: Mapping[str, Any],
    now: dt.datetime | None = None,
):
    """The author edits a contribution that still waits for review (``ensure_amendable``): the
    new values go through the kind's rules for a new contribution of its kind (its Intake's
    ``amendment.edit``), and each changed field is kept in the change record. Returns the
    item; nothing changes when a rule refuses."""
    amendment = intake.amendment
    if amendment is None or amendment.edit is None:
        raise ContributionRefused(_("Contributions of this challenge cannot be edited."))
    with transaction.atomic():
        item = _locked_own(intake=intake, challenge=challenge, item_id=item_id, author=author)
        ensure_amendable(intake=intake, challenge=challenge, item=item, author=author, now=now)
        changes = amendment.edit(item=item, author=author, values=values, now=now)
        _record(challenge=challenge, item=item, author=author, changes=changes)
    return item


def withdraw_contribution(
    *, intake, challenge: Challenge, item_id: int, author, now: dt.datetime | None = None
) -> None:
    """The author withdraws a contribution that still waits for review (``ensure_amendable``):
    it is deleted, as it never counted and nothing decided it; the withdrawal is kept in the
    change record and the author's team's points are computed again."""
    with transaction.atomic():
        item = _locked_own(intake=intake, challenge=challenge, item_id=item_id, author=author)
        ensure_amendable(intake=intake, challenge=challenge, item=item, author=author, now=now)
        _record(
            challenge=challenge,
            item=item,
            author=author,
            changes={"status": (item.status, WITHDRAWN)},
        )
        intake.model.objects.filter(pk=item.pk).delete()
        forget_item(item_type=item_type_of(intake.model), item_id=item.pk)
        announce_change(challenge=challenge, author_ids=[author.pk])
