"""One model's answer, streamed from its OpenAI-compatible API into the battle's answer row.

The key is read from the environment variable the model names, handed to the client and
nowhere else: a failure is stored and logged as a category (timeout, rate limited, ...), never
with the service's own message, which may echo the request."""

from __future__ import annotations

import datetime as dt
import logging
import os
import time

import openai
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import ArenaModel, BattleAnswer
from .battles import conversation, settle_battle

logger = logging.getLogger(__name__)
Failure = BattleAnswer.Failure


def build_client(model: ArenaModel) -> openai.OpenAI:
    """The OpenAI client for the model's server. No retries: a person is waiting, and a
    battle whose model fails simply does not count."""
    return openai.OpenAI(
        base_url=model.base_url,
        api_key=os.environ.get(model.api_key_env, "") if model.api_key_env else "not-needed",
        timeout=openai.Timeout(settings.ARENA_READ_TIMEOUT_SECONDS, connect=5.0),
        max_retries=0,
    )


def _failure_of(error: Exception) -> str:
    if isinstance(error, openai.APITimeoutError | TimeoutError):
        return Failure.TIMEOUT
    if isinstance(error, openai.RateLimitError):
        return Failure.RATE_LIMITED
    if isinstance(error, openai.APIStatusError):
        return Failure.SERVER
    return Failure.CONNECTION


def _claim(answer_id: int) -> BattleAnswer | None:
    """Take the answer for streaming, once: a task run again (a retry, a second delivery)
    finds it taken and does nothing."""
    with transaction.atomic():
        answer = (
            BattleAnswer.objects.select_for_update()
            .select_related("battle", "model")
            .filter(pk=answer_id, status=BattleAnswer.Status.WAITING)
            .first()
        )
        if answer is None:
            return None
        answer.status = BattleAnswer.Status.STREAMING
        answer.save(update_fields=["status"])
    return answer


def stream_answer(*, answer_id: int) -> None:
    """Ask the answer's model for its reply to the battle's conversation and store the text as
    it streams (every ``ARENA_FLUSH_SECONDS``), so the page shows it growing. The answer ends
    done, or failed with a category when the service fails, is too slow (no chunk for
    ``ARENA_READ_TIMEOUT_SECONDS``, or longer than ``ARENA_ANSWER_SECONDS`` in all) or answers
    nothing; then the battle is settled (ready for the vote, or failed)."""
    answer = _claim(answer_id)
    if answer is None:
        return
    model, battle = answer.model, answer.battle
    earlier = list(battle.answers.filter(turn__lt=answer.turn, side=answer.side))
    messages = conversation(battle=battle, side=answer.side, answers=earlier)
    text, tokens, failure, first_token_at = "", 0, "", None
    started = time.monotonic()
    flushed = started
    try:
        stream = build_client(model).chat.completions.create(
            model=model.model_id,
            messages=messages,
            max_tokens=model.max_tokens,
            temperature=float(model.temperature),
            stream=True,
            stream_options={"include_usage": True},
        )
        with stream:
            for chunk in stream:
                if chunk.usage is not None:
                    tokens = chunk.usage.completion_tokens or tokens
                piece = chunk.choices[0].delta.content if chunk.choices else None
                if piece:
                    if first_token_at is None:
                        first_token_at = timezone.now()
                    text += piece
                now = time.monotonic()
                if now - started > settings.ARENA_ANSWER_SECONDS:
                    failure = Failure.TIMEOUT
                    break
                if piece and now - flushed >= settings.ARENA_FLUSH_SECONDS:
                    BattleAnswer.objects.filter(pk=answer.pk).update(
                        text=text, first_token_at=first_token_at
                    )
                    flushed = now
    except (openai.OpenAIError, TimeoutError) as error:
        failure = _failure_of(error)
        # The category and the status only: the message may echo the request's headers.
        logger.warning(
            "arena answer failed",
            extra={
                "answer": answer.pk,
                "model": model.slug,
                "failure": failure,
                "status": getattr(error, "status_code", None),
            },
        )
    if not failure and not text.strip():
        failure = Failure.EMPTY
    if not tokens:
        # Servers that send no usage: about four characters a token.
        tokens = max(1, len(text) // 4) if text else 0
    BattleAnswer.objects.filter(pk=answer.pk).update(
        text=text,
        tokens=tokens,
        first_token_at=first_token_at,
        finished_at=timezone.now(),
        status=BattleAnswer.Status.FAILED if failure else BattleAnswer.Status.DONE,
        failure=failure,
    )
    settle_battle(battle_id=battle.pk)


def fail_stale_answers(*, now: dt.datetime | None = None) -> int:
    """Answers left waiting or writing by a killed worker, for twice the answer time limit,
    are failed (their battles settled), so no battle hangs; returns how many."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=2 * settings.ARENA_ANSWER_SECONDS)
    answers = list(
        BattleAnswer.objects.filter(
            status__in=[BattleAnswer.Status.WAITING, BattleAnswer.Status.STREAMING],
            created_at__lt=stale,
        ).values_list("pk", "battle_id")
    )
    for pk, battle_id in answers:
        BattleAnswer.objects.filter(
            pk=pk, status__in=[BattleAnswer.Status.WAITING, BattleAnswer.Status.STREAMING]
        ).update(status=BattleAnswer.Status.FAILED, failure=Failure.TIMEOUT, finished_at=now)
        settle_battle(battle_id=battle_id)
    return len(answers)
