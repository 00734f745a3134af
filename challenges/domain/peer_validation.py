"""Peer validation, one rule for every challenge whose contributions peers validate (BLEND
answers, arena prompts, any later kind registering an ``Intake.peer_validation``).

- **Independence.** Nobody validates their own contribution nor one of their team's: the team is
  the validator's team in the challenge's edition, compared with the author's team in that
  edition. Queues never offer such an item (``exclude_dependent_items``) and a decision on one is
  refused (``ensure_independent``), whatever ids a request carries.
- **The quorum** is the challenge's own setting (``Challenge.approvals_to_validate`` and
  ``rejections_to_reject``): after that many approvals an item is validated, after that many
  rejections it is rejected (``decide_status``, pure; approvals are looked at first). Peers'
  decisions are recorded as a ``ReviewDecision`` by nobody (``decided_by=None``).
- **Offering.** Each validator is offered an item no other validator holds at that moment
  (``offer_item``): validators asking at once get different items; a short hold, released
  when the validator decides or skips it, or after ``HOLD_SECONDS``.
- **Races.** Votes are counted with the item's row locked (``select_for_update``) by the caller,
  so two validators at once apply the quorum once.
- **Re-decisions.** A changed quorum re-decides the challenge's pending items
  (``redecide_pending``); voiding a validator's votes re-decides the items they voted on
  (``void_validations``). An item an organizer decided (its latest decision has a
  ``decided_by``) keeps that decision: organizers decide alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, models, transaction
from django.db.models import Count, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges.domain import remembered
from challenges.domain.contributions import announce_change, announce_decisions, item_type_of
from challenges.domain.queues import CONDITION, Queue
from challenges.domain.windows import ContributionRefused
from challenges.intake import PeerValidation, get_intake
from challenges.models import Challenge, ChangeRecord, ContributionStatus, ReviewDecision
from hackathon.cache import read_tracked
from hackathon.memo import memo_key

DECIDED_STATUSES = (ContributionStatus.VALIDATED, ContributionStatus.REJECTED)
# The ChangeRecord field under which voided validations are recorded (object: the challenge).
VOIDED_FIELD = "voided_validations"


@dataclass(frozen=True)
class Quorum:
    """How many peer approvals validate an item, and how many rejections reject it."""

    approvals: int
    rejections: int


def get_quorum(*, challenge: Challenge) -> Quorum:
    return Quorum(
        approvals=challenge.approvals_to_validate, rejections=challenge.rejections_to_reject
    )


def decide_status(*, approvals: int, rejections: int, quorum: Quorum) -> str:
    """The status peers give an item: validated once its approvals reach the quorum's, else
    rejected once its rejections reach theirs, else still pending."""
    if approvals >= quorum.approvals:
        return ContributionStatus.VALIDATED
    if rejections >= quorum.rejections:
        return ContributionStatus.REJECTED
    return ContributionStatus.PENDING


def get_peer_validation(*, challenge: Challenge) -> PeerValidation | None:
    """How the challenge's kind is validated by peers, or None when it is not."""
    intake = get_intake(challenge.kind)
    return intake.peer_validation if intake is not None else None


# --- independence ---------------------------------------------------------------------------


def find_team_id(*, user, edition_id: int) -> int | None:
    """The person's team in the edition (one at most), if any. Remembered
    (``challenges.domain.remembered``): no query once read."""
    return remembered.find_team_id(user=user, edition_id=edition_id)


def _teammates_of(validator, *, edition_id: int) -> models.QuerySet:
    """The people in the validator's team in the edition (the validator included): a member of
    a team that has a membership of the validator."""
    return get_user_model().objects.filter(
        memberships__edition_id=edition_id, memberships__team__memberships__user_id=validator.pk
    )


def dependent_items(
    model: type[models.Model], *, validator, edition_id: int, author_field: str = "author"
) -> RawSQL:
    """The condition that keeps ``model``'s rows by others than the validator and their team's
    members in the edition: for a ``queues.Queue`` (or a QuerySet's ``filter``).

    An anti-join inside the queue's own query, on the memberships' (user, edition) unique index
    and the team's memberships: no other query, nothing per row. Written out as SQL
    (``queues.absent``'s way): the queue pages build it on every request.
    """
    membership = apps.get_model("teams", "Membership")
    quote = connection.ops.quote_name
    table = quote(membership._meta.db_table)
    team, user, edition = (
        quote(membership._meta.get_field(name).column) for name in ("team", "user", "edition")
    )
    author = f"{quote(model._meta.db_table)}.{quote(model._meta.get_field(author_field).column)}"
    return RawSQL(
        f"{author} <> %s AND NOT EXISTS (SELECT 1 FROM {table} mine JOIN {table} theirs"
        f" ON theirs.{team} = mine.{team} WHERE mine.{user} = %s"
        f" AND theirs.{edition} = %s AND theirs.{user} = {author})",
        [validator.pk, validator.pk, edition_id],
        output_field=CONDITION,
    )


def exclude_dependent_items(
    items: models.QuerySet, *, validator, edition_id: int, author_field: str = "author"
) -> models.QuerySet:
    """``items`` without the validator's own and those of their team's members in the edition
    (``dependent_items``)."""
    return items.filter(
        dependent_items(
            items.model, validator=validator, edition_id=edition_id, author_field=author_field
        )
    )


# --- offering items: each validator gets one nobody else is looking at ------------------------

# How long an item offered to a validator stays theirs (others are offered the next ones), and
# how many of a queue's first items are looked at for one nobody holds.
HOLD_SECONDS = 90
HOLD_CANDIDATES = 50


def hold_key(*, model: type[models.Model], item_id: int) -> str:
    return memo_key("hold", item_type_of(model), item_id)


def _take(*, key: str, validator_id: int, holder) -> bool:
    """Whether the item is the validator's: already held by them, or free and now taken (an
    atomic add in the shared cache, so two validators at once never both take it)."""
    if holder == validator_id:
        return True
    return holder is None and cache.add(key, validator_id, HOLD_SECONDS)


def offer_item(queue: Queue, *, validator) -> models.Model | None:
    """The first item of ``queue`` (a validator's queue, in its order) that no other validator
    holds, now held for this one for ``HOLD_SECONDS``; asking again offers the same item.

    Validators asking at once get different items, instead of all deciding the same oldest
    one (whose quorum the first of them reaches, so the others' decisions are refused). The
    queue's rules stay the queue's; a hold only changes which allowed item is offered, and a
    decision on a held item is still taken. When the first ``HOLD_CANDIDATES`` are all held,
    the first is shared, as before holds.

    One query when the first item is free or the validator's, as it is for one validator
    alone: the queue's first item; with others at the same place, its next ids and the item.
    """
    first = queue.first()
    if first is None:
        return None
    model = type(first)
    key = hold_key(model=model, item_id=first.pk)
    # Without a round trip while the hold has not changed (read_tracked): the validator's own
    # hold is asked about on every page of their queue.
    if _take(key=key, validator_id=validator.pk, holder=read_tracked(key)):
        return first
    ids = queue.ids(HOLD_CANDIDATES)
    keys = {item_id: hold_key(model=model, item_id=item_id) for item_id in ids}
    holders = cache.get_many(list(keys.values()))
    for item_id in ids:
        if item_id == first.pk:
            continue
        if _take(key=keys[item_id], validator_id=validator.pk, holder=holders.get(keys[item_id])):
            return queue.get(item_id) or first
    return first


def release_item(*, model: type[models.Model], item_id: int, validator_id: int) -> None:
    """The validator's hold on an item ends (they decided or skipped it): others get it next."""
    key = hold_key(model=model, item_id=item_id)
    if cache.get(key) == validator_id:
        cache.delete(key)


def ensure_independent(*, peer: PeerValidation, author_id: int, validator, edition_id: int) -> None:
    """Refuse (``ContributionRefused``, in the kind's words) a validator deciding their own item
    or one of their team's in the edition. One query at most."""
    if author_id == validator.pk:
        raise ContributionRefused(peer.own_item_refused)
    if _teammates_of(validator, edition_id=edition_id).filter(pk=author_id).exists():
        raise ContributionRefused(peer.team_item_refused)


# --- counting votes and deciding ------------------------------------------------------------


def _apply_status(
    *,
    challenge: Challenge,
    peer: PeerValidation,
    item: models.Model,
    status: str,
    now: dt.datetime,
    reason: str | None = None,
) -> list[str]:
    """Give ``item`` the peers' ``status`` and record the decision (by nobody). Returns the
    fields to save."""
    item.status = status
    if status == ContributionStatus.PENDING:
        item.decision_reason = ""
        item.decided_at = None
    else:
        item.decision_reason = peer.decision_reason(item, status)
        item.decided_at = now
    ReviewDecision.objects.create(
        challenge=challenge,
        item_type=item_type_of(type(item)),
        item_id=item.pk,
        status=status,
        reason=(item.decision_reason if reason is None else reason)[:500],
        decided_by=None,
    )
    return ["status", "decision_reason", "decided_at"]


def count_vote(
    *,
    challenge: Challenge,
    peer: PeerValidation,
    item: models.Model,
    approve: bool,
    now: dt.datetime | None = None,
) -> str:
    """Count one stored vote on ``item`` (whose row the caller locked) and apply the challenge's
    quorum: once reached, the item is decided, the decision recorded and scoring told. Returns
    the item's status."""
    if approve:
        item.approvals += 1
    else:
        item.rejections += 1
    fields = ["approvals", "rejections", "updated_at"]
    status = decide_status(
        approvals=item.approvals, rejections=item.rejections, quorum=get_quorum(challenge=challenge)
    )
    if status != ContributionStatus.PENDING:
        fields += _apply_status(
            challenge=challenge, peer=peer, item=item, status=status, now=now or timezone.now()
        )
        announce_change(challenge=challenge, author_ids=[item.author_id])
        announce_decisions(
            challenge=challenge,
            status=status,
            reason=item.decision_reason,
            author_ids=[item.author_id],
        )
    item.save(update_fields=fields)
    return status


def redecide_pending(*, challenge: Challenge, now: dt.datetime | None = None) -> int:
    """After the challenge's quorum changed, its pending items that reach the new quorum are
    decided (recorded by nobody, as peers' decisions are) and scoring is told. Decided items
    keep their status. Returns how many were decided."""
    peer = get_peer_validation(challenge=challenge)
    if peer is None:
        return 0
    quorum = get_quorum(challenge=challenge)
    model = peer.vote_model._meta.get_field(peer.item_field).related_model
    now = now or timezone.now()
    with transaction.atomic():
        items = list(
            model.objects.select_for_update()
            .filter(challenge=challenge, status=ContributionStatus.PENDING)
            .filter(Q(approvals__gte=quorum.approvals) | Q(rejections__gte=quorum.rejections))
            .order_by("pk")
        )
        for item in items:
            status = decide_status(
                approvals=item.approvals, rejections=item.rejections, quorum=quorum
            )
            fields = _apply_status(
                challenge=challenge, peer=peer, item=item, status=status, now=now
            )
            item.save(update_fields=[*fields, "updated_at"])
        announce_change(challenge=challenge, author_ids=(item.author_id for item in items))
    return len(items)


# --- voiding a validator's votes ------------------------------------------------------------


@dataclass(frozen=True)
class VoidReport:
    votes: int
    redecided: int


def _peer_decided_ids(*, model: type[models.Model], ids: list[int]) -> set[int]:
    """The items among ``ids`` whose latest decision was the peers' (by nobody). One query."""
    latest: dict[int, bool] = {}
    decisions = (
        ReviewDecision.objects.filter(item_type=item_type_of(model), item_id__in=ids)
        .order_by("item_id", "-decided_at", "-id")
        .values_list("item_id", "decided_by_id")
    )
    for item_id, decided_by_id in decisions:
        latest.setdefault(item_id, decided_by_id is None)
    return {item_id for item_id, by_peers in latest.items() if by_peers}


def void_validations(
    *,
    challenge: Challenge,
    validator_id: int,
    reason: str,
    by,
    now: dt.datetime | None = None,
) -> VoidReport:
    """An organizer voids every vote one validator cast in the challenge, with a reason.

    The votes stay, marked void (``voided_at``), so the validator is not offered those items
    again; they no longer count. Each item they voted on is re-decided from its remaining votes
    under the quorum: pending ones may be decided, and those the peers decided may go back to
    pending (back in the queue) or change; an organizer's decision stands. The voiding is kept
    as a ChangeRecord of the challenge (field ``voided_validations``: who, how many, why, by
    whom), every re-decision as a ReviewDecision, and scoring is told.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ContributionRefused(_("Give a reason for voiding these validations."))
    peer = get_peer_validation(challenge=challenge)
    if peer is None:
        raise ContributionRefused(_("Peers do not validate this challenge's contributions."))
    model = peer.vote_model._meta.get_field(peer.item_field).related_model
    item_id_field = f"{peer.item_field}_id"
    quorum = get_quorum(challenge=challenge)
    now = now or timezone.now()
    with transaction.atomic():
        votes = peer.vote_model.objects.filter(
            **{f"{peer.item_field}__challenge": challenge},
            validator_id=validator_id,
            voided_at__isnull=True,
        )
        ids = sorted(set(votes.values_list(item_id_field, flat=True)))
        if not ids:
            raise ContributionRefused(_("This person has no validations to void here."))
        # Items first, in id order, as every validation locks them: no deadlock with a voter.
        items = list(model.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        voided = votes.filter(**{f"{item_id_field}__in": ids}).update(voided_at=now)
        approve = Q(**{peer.approve_field: True})
        counts = {
            row[item_id_field]: (row["approvals"], row["rejections"])
            for row in peer.vote_model.objects.filter(
                **{f"{item_id_field}__in": ids}, voided_at__isnull=True
            )
            .values(item_id_field)
            .annotate(
                approvals=Count("pk", filter=approve), rejections=Count("pk", filter=~approve)
            )
            .order_by()
        }
        by_peers = _peer_decided_ids(model=model, ids=ids)
        label = _describe_validator(validator_id=validator_id)
        void_reason = _("Validations of %(person)s voided by the organizers: %(reason)s") % {
            "person": label,
            "reason": reason,
        }
        changed = []
        for item in items:
            item.approvals, item.rejections = counts.get(item.pk, (0, 0))
            fields = ["approvals", "rejections", "updated_at"]
            if item.status == ContributionStatus.PENDING or (
                item.status in DECIDED_STATUSES and item.pk in by_peers
            ):
                status = decide_status(
                    approvals=item.approvals, rejections=item.rejections, quorum=quorum
                )
                if status != item.status:
                    fields += _apply_status(
                        challenge=challenge,
                        peer=peer,
                        item=item,
                        status=status,
                        now=now,
                        reason=void_reason if status == ContributionStatus.PENDING else None,
                    )
                    changed.append(item)
            item.save(update_fields=fields)
        ChangeRecord.objects.create(
            edition_id=challenge.edition_id,
            object_type=item_type_of(Challenge),
            object_id=challenge.pk,
            object_label=challenge.record_label[:200],
            field=VOIDED_FIELD,
            old_value="",
            new_value=f"{label}: {voided}",
            source=ChangeRecord.Source.ORGANIZER,
            reason=reason[:500],
            changed_by=by,
        )
        announce_change(challenge=challenge, author_ids=(item.author_id for item in changed))
    return VoidReport(votes=voided, redecided=len(changed))


def _describe_validator(*, validator_id: int) -> str:
    person = get_user_model().objects.filter(pk=validator_id).first()
    name = person.display_name if person is not None else ""
    return f"#{validator_id} {name}".strip()
