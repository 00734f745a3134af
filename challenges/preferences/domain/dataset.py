"""The rows of the shared preference dataset, from the validated prompts (published by
``hub.publishing`` through the preferences Intake)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import OuterRef, Subquery

from challenges.models import Challenge, ContributionStatus
from challenges.preferences.models import ArenaVote, Prompt
from challenges.provenance import Provenance

from .batching import BATCH_SIZE

# Each row's stable id and its author's key (``challenges.provenance``) frame the data.
SHARED_COLUMNS = ["id", "country", "system_prompt", "question", "chosen", "rejected", "contributor"]
DPO_COLUMNS = ["id", "prompt", "chosen", "rejected", "contributor"]


def _dataset_rows(
    *, challenge: Challenge
) -> Iterator[tuple[int, int, str, str, str, str | None, str | None]]:
    # Flagged votes (an answer names a model, or beyond the voter's daily cap) are not counted.
    latest = (
        ArenaVote.objects.counted()
        .filter(prompt=OuterRef("pk"), vote_type__in=ArenaVote.DECISIVE)
        .order_by("-tstamp", "-pk")
    )
    return (
        Prompt.objects.filter(challenge=challenge, status=ContributionStatus.VALIDATED)
        .annotate(
            vote_chosen=Subquery(latest.values("chosen")[:1]),
            vote_rejected=Subquery(latest.values("rejected")[:1]),
        )
        .order_by("pk")
        .values_list(
            "pk", "author_id", "country", "system_prompt", "text", "vote_chosen", "vote_rejected"
        )
        .iterator(chunk_size=BATCH_SIZE)
    )


def shared_preference_rows(*, challenge: Challenge) -> list[dict]:
    """The rows of the shared preference dataset: one per validated prompt, with country (ISO
    code), system_prompt, question, chosen and rejected (from its most recent counted vote
    that chose an answer; empty when no vote did), between the row's id and its contributor."""
    provenance = Provenance(challenge)
    return [
        {
            "id": provenance.row_id(pk),
            "country": country or "",
            "system_prompt": system_prompt,
            "question": question,
            "chosen": chosen or "",
            "rejected": rejected or "",
            "contributor": provenance.contributor(author_id),
        }
        for pk, author_id, country, system_prompt, question, chosen, rejected in _dataset_rows(
            challenge=challenge
        )
    ]


def dpo_preference_rows(*, challenge: Challenge) -> list[dict]:
    """The DPO form of the shared dataset: prompt (the system prompt, a blank line, the
    question; or just the question), chosen and rejected, only for the validated prompts whose
    most recent vote that chose an answer has both."""
    return [
        {
            "id": row["id"],
            "prompt": f"{row['system_prompt']}\n\n{row['question']}"
            if row["system_prompt"]
            else row["question"],
            "chosen": row["chosen"],
            "rejected": row["rejected"],
            "contributor": row["contributor"],
        }
        for row in shared_preference_rows(challenge=challenge)
        if row["chosen"] and row["rejected"]
    ]
