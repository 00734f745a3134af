"""What organizers read about a peer-validated challenge's validators: how many decisions each
made, how often they approve, how often the item's final status agrees with their vote, how fast
they go, and how much pairs of teams validate each other's items. Voided votes are left out.

Speed is the median of the seconds between a validator's consecutive votes in the challenge:
the platform does not record when an item was served, and the median keeps a pause between two
sessions from counting. A validator with one vote has no speed.

Outliers: a validator who approved everything with a median under ``fast_seconds``, and a pair
of teams each of which approved at least ``reciprocal_approvals`` of the other's items.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery

from challenges.intake import PeerValidation
from challenges.models import Challenge, ContributionStatus


@dataclass(frozen=True)
class ValidatorStats:
    validator_id: int
    name: str
    team_name: str
    decisions: int
    approvals: int
    # Votes on items decided since (validated or rejected), and those equal to the outcome.
    decided: int
    agreements: int
    median_seconds: float | None
    suspicious: bool

    @property
    def approval_rate(self) -> float:
        return self.approvals / self.decisions if self.decisions else 0.0

    @property
    def agreement_rate(self) -> float | None:
        return self.agreements / self.decided if self.decided else None


@dataclass(frozen=True)
class TeamPair:
    first: str
    second: str
    # Approvals by the first team's validators of the second team's items, and the reverse.
    first_of_second: int
    second_of_first: int
    reciprocal: bool


def active_votes(*, challenge: Challenge, peer: PeerValidation) -> models.QuerySet:
    return peer.vote_model.objects.filter(
        **{f"{peer.item_field}__challenge": challenge}, voided_at__isnull=True
    )


def count_by_validator(*, challenge: Challenge, peer: PeerValidation) -> models.QuerySet:
    """One row per validator (``validator_id``, ``decisions``, ``approvals``, ``decided``,
    ``agreements``), most decisions first: a query to paginate."""
    item = peer.item_field
    approve = Q(**{peer.approve_field: True})
    validated = Q(**{f"{item}__status": ContributionStatus.VALIDATED})
    rejected = Q(**{f"{item}__status": ContributionStatus.REJECTED})
    return (
        active_votes(challenge=challenge, peer=peer)
        .values("validator_id")
        .annotate(
            decisions=Count("pk"),
            approvals=Count("pk", filter=approve),
            decided=Count("pk", filter=validated | rejected),
            agreements=Count("pk", filter=(approve & validated) | (~approve & rejected)),
        )
        .order_by("-decisions", "validator_id")
    )


def median_gap(moments: list[dt.datetime]) -> float | None:
    """The median of the seconds between consecutive moments (None for fewer than two)."""
    moments = sorted(moments)
    gaps = [(later - earlier).total_seconds() for earlier, later in pairwise(moments)]
    return statistics.median(gaps) if gaps else None


def describe_validators(
    *, challenge: Challenge, peer: PeerValidation, rows: list[dict], fast_seconds: float
) -> list[ValidatorStats]:
    """The rows of ``count_by_validator`` (one page of them) with names, teams and speed: two
    more queries whatever the number of rows."""
    ids = [row["validator_id"] for row in rows]
    team_name = Subquery(
        get_user_model()
        .objects.filter(pk=OuterRef("pk"), memberships__edition_id=challenge.edition_id)
        .values("memberships__team__name")[:1]
    )
    people = {
        person.pk: person
        for person in get_user_model()
        .objects.filter(pk__in=ids)
        .select_related("profile")
        .annotate(team_name=team_name)
    }
    moments: dict[int, list[dt.datetime]] = defaultdict(list)
    for validator_id, created_at in (
        active_votes(challenge=challenge, peer=peer)
        .filter(validator_id__in=ids)
        .values_list("validator_id", "created_at")
    ):
        moments[validator_id].append(created_at)
    described = []
    for row in rows:
        person = people.get(row["validator_id"])
        median = median_gap(moments[row["validator_id"]])
        described.append(
            ValidatorStats(
                validator_id=row["validator_id"],
                name=person.display_name if person is not None else "",
                team_name=(person.team_name or "") if person is not None else "",
                decisions=row["decisions"],
                approvals=row["approvals"],
                decided=row["decided"],
                agreements=row["agreements"],
                median_seconds=median,
                suspicious=(
                    row["approvals"] == row["decisions"]
                    and median is not None
                    and median < fast_seconds
                ),
            )
        )
    return described


def pair_teams(
    *, challenge: Challenge, peer: PeerValidation, reciprocal_approvals: int
) -> list[TeamPair]:
    """For each pair of teams, how many of each other's items their members approved; the
    reciprocal pairs first, then by the smaller direction. One query."""

    def team_of(person: str) -> Subquery:
        return Subquery(
            get_user_model()
            .objects.filter(pk=OuterRef(person), memberships__edition_id=challenge.edition_id)
            .values("memberships__team__name")[:1]
        )

    rows = (
        active_votes(challenge=challenge, peer=peer)
        .filter(**{peer.approve_field: True})
        .annotate(
            validator_team=team_of("validator_id"),
            author_team=team_of(f"{peer.item_field}__author_id"),
        )
        .values("validator_team", "author_team")
        .annotate(approvals=Count("pk"))
        .order_by()
    )
    approvals: dict[tuple[str, str], int] = {}
    for row in rows:
        if row["validator_team"] and row["author_team"]:
            approvals[(row["validator_team"], row["author_team"])] = row["approvals"]
    pairs = []
    for first, second in sorted({tuple(sorted(key)) for key in approvals}):
        there, back = approvals.get((first, second), 0), approvals.get((second, first), 0)
        pairs.append(
            TeamPair(
                first=first,
                second=second,
                first_of_second=there,
                second_of_first=back,
                reciprocal=min(there, back) >= reciprocal_approvals,
            )
        )
    return sorted(
        pairs,
        key=lambda pair: (not pair.reciprocal, -min(pair.first_of_second, pair.second_of_first)),
    )
