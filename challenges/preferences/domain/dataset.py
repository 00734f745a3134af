"""The rows of the shared preference dataset, from the validated prompts (published by
``hub.publishing`` through the preferences Intake)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import OuterRef, Subquery

from challenges.models import Challenge, ContributionStatus
from challenges.preferences.models import ArenaVote, Prompt

from .batching import BATCH_SIZE

SHARED_COLUMNS = ["country", "system_prompt", "question", "chosen", "rejected"]
DPO_COLUMNS = ["prompt", "chosen", "rejected"]


def _dataset_rows(
    *, challenge: Challenge
) -> Iterator[tuple[str, str, str, str | None, str | None]]:
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
        .values_list("country", "system_prompt", "text", "vote_chosen", "vote_rejected")
        .iterator(chunk_size=BATCH_SIZE)
    )


def shared_preference_rows(*, challenge: Challenge) -> list[dict]:
    """The rows of the shared preference dataset: one per validated prompt, with country (ISO
    code), system_prompt, question, chosen and rejected (from its most recent counted vote
    that chose an answer; empty when no vote did)."""
    return [
        {
            "country": country or "",
            "system_prompt": system_prompt,
            "question": question,
            "chosen": chosen or "",
            "rejected": rejected or "",
        }
        for country, system_prompt, question, chosen, rejected in _dataset_rows(challenge=challenge)
    ]


def dpo_preference_rows(*, challenge: Challenge) -> list[dict]:
    """The DPO form of the shared dataset: prompt (the system prompt, a blank line, the
    question; or just the question), chosen and rejected, only for the validated prompts whose
    most recent vote that chose an answer has both."""
    return [
        {
            "prompt": f"{row['system_prompt']}\n\n{row['question']}"
            if row["system_prompt"]
            else row["question"],
            "chosen": row["chosen"],
            "rejected": row["rejected"],
        }
        for row in shared_preference_rows(challenge=challenge)
        if row["chosen"] and row["rejected"]
    ]
