"""The arena's votes as files: FastChat's JSON Lines vote log, and its clean battle format
(what FastChat's ``clean_battle_data`` writes and its rating notebooks read)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from challenges.models import Challenge
from challenges.preferences.models import ArenaVote
from challenges.provenance import Provenance

from ..models import Battle
from .battles import conversation
from .ratings import TIE, WIN_A, WIN_B, BattleOutcome

WINNERS = {
    ArenaVote.VoteType.LEFT: WIN_A,
    ArenaVote.VoteType.RIGHT: WIN_B,
    ArenaVote.VoteType.TIE: TIE,
    ArenaVote.VoteType.BOTH_BAD: "tie (bothbad)",
}
CLEAN_BATTLE_COLUMNS = (
    "question_id", "model_a", "model_b", "winner", "conversation_a", "conversation_b",
    "turn", "anony", "language", "country", "tstamp",
)  # fmt: skip


def counted_battles(*, challenge: Challenge):
    """The challenge's voted battles whose vote counts (not flagged), oldest first."""
    return (
        Battle.objects.filter(challenge=challenge, status=Battle.Status.VOTED, vote__flag="")
        .select_related("vote", "model_a", "model_b")
        .prefetch_related("answers")
        .order_by("voted_at", "pk")
    )


def outcome_of(battle: Battle) -> BattleOutcome:
    """The battle as the ratings read it: both-bad is a tie, as FastChat rates it."""
    winner = WINNERS[battle.vote.vote_type]
    return BattleOutcome(
        battle.model_a.display_name,
        battle.model_b.display_name,
        TIE if winner.startswith("tie") else winner,
    )


def fastchat_log_lines(*, challenge: Challenge) -> Iterator[str]:
    """One JSON line per counted vote, in FastChat's vote-log shape (type, models, states,
    tstamp): the platform's own import reads it back."""
    for battle in counted_battles(challenge=challenge).iterator(chunk_size=500):
        record = dict(battle.vote.raw)
        record.pop("battle", None)
        yield json.dumps(record, ensure_ascii=False) + "\n"


def clean_battle_rows(*, challenge: Challenge) -> Iterator[dict]:
    """One row per counted vote in FastChat's clean battle format."""
    provenance = Provenance(challenge, kind="arena")
    for battle in counted_battles(challenge=challenge).iterator(chunk_size=500):
        answers = list(battle.answers.all())
        yield {
            "question_id": provenance.row_id(battle.pk),
            "model_a": battle.model_a.display_name,
            "model_b": battle.model_b.display_name,
            "winner": WINNERS[battle.vote.vote_type],
            "conversation_a": conversation(battle=battle, side="a", answers=answers),
            "conversation_b": conversation(battle=battle, side="b", answers=answers),
            "turn": len(battle.turns),
            "anony": True,
            "language": battle.language,
            "country": battle.country,
            "tstamp": battle.vote.tstamp.timestamp(),
        }


def clean_battle_lines(*, challenge: Challenge) -> Iterator[str]:
    for row in clean_battle_rows(challenge=challenge):
        yield json.dumps(row, ensure_ascii=False) + "\n"
