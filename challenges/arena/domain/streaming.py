"""One model's answer, streamed from its OpenAI-compatible API into the battle's answer row.

The key is read from the environment variable the model names, handed to the client and
nowhere else: a failure is stored and logged as a category (timeout, rate limited, ...), never
with the service's own message, which may echo the request.

While it streams, the growing text lives in the shared cache (Redis), not in the row: the
battle's page reads it from there (``show_live_texts``, and the polled fragment of
``domain.live`` with nothing else), and the row is written twice, when
the answer is claimed and when it ends. Hundreds of answers streaming at once would otherwise
be an UPDATE every ``ARENA_FLUSH_SECONDS`` each. For the same reason a streaming thread holds
no database connection while it waits on the model: the worker runs one thread per answer
(hundreds), more than PostgreSQL's connections, so each thread opens one for its two short
moments with the database, at most ``ARENA_WORKER_DATABASE_CONNECTIONS`` at once."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import importlib
import json
import logging
import os
import threading
import time
from collections.abc import Iterator

import openai
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from ..models import ArenaModel, BattleAnswer
from .battles import conversation, settle_battle

logger = logging.getLogger(__name__)
Failure = BattleAnswer.Failure
LIVE_TEXT_KEY = "arena:live-text:{}"
_database_turns: threading.BoundedSemaphore | None = None
_database_turns_lock = threading.Lock()


def _live_text_key(answer_id: int) -> str:
    return LIVE_TEXT_KEY.format(answer_id)


def _live_text_seconds() -> int:
    # Outlives any answer (they are cut at ARENA_ANSWER_SECONDS), so a page never loses the
    # text of one still streaming; a killed worker's text goes away by itself.
    return 2 * settings.ARENA_ANSWER_SECONDS + 60


def store_live_text(
    *,
    answer_id: int,
    text: str,
    status: str = BattleAnswer.Status.STREAMING,
    failure: str = "",
    seconds: int | None = None,
) -> None:
    """The text so far of an answer being streamed, where the battle's page reads it; once the
    answer's row is written, its end too (done, or failed and why), so the page polling the
    cache alone (``domain.live``) knows when to read the battle again."""
    value = {"text": text, "status": str(status), "failure": str(failure)}
    cache.set(_live_text_key(answer_id), value, timeout=seconds or _live_text_seconds())


def read_live_entries(*, answer_ids: list[int]) -> list[dict | None]:
    """What the cache holds of each answer (text, status, failure), in order; None for one
    that has not written yet (or whose entry is gone). One read for all of them."""
    values = cache.get_many([_live_text_key(pk) for pk in answer_ids])
    return [_live_value(values.get(_live_text_key(pk))) for pk in answer_ids]


def _live_value(value) -> dict | None:
    if isinstance(value, str):  # written by a worker of the previous release: the text alone
        return {"text": value, "status": BattleAnswer.Status.STREAMING, "failure": ""}
    return value


def show_live_texts(*, answers: list[BattleAnswer]) -> None:
    """Answers still streaming show the text their worker keeps in the cache (one read for
    all of them); the others' text is their row's."""
    streaming = [a for a in answers if a.status == BattleAnswer.Status.STREAMING]
    if not streaming:
        return
    values = read_live_entries(answer_ids=[a.pk for a in streaming])
    for answer, value in zip(streaming, values, strict=True):
        if value is not None:
            answer.text = value["text"]


@contextlib.contextmanager
def _database_turn() -> Iterator[None]:
    """A short use of the database by a streaming thread: at most
    ``ARENA_WORKER_DATABASE_CONNECTIONS`` threads of the process at once, each closing its
    connection afterwards (unless it runs inside a transaction: a task run eagerly)."""
    global _database_turns
    with _database_turns_lock:
        if _database_turns is None:
            _database_turns = threading.BoundedSemaphore(settings.ARENA_WORKER_DATABASE_CONNECTIONS)
    with _database_turns:
        try:
            yield
        finally:
            if not connection.in_atomic_block:
                connection.close()


def build_client(model: ArenaModel) -> openai.OpenAI:
    """The OpenAI client for the model's server. No retries: a person is waiting, and a
    battle whose model fails simply does not count. One client per server, key and time limit,
    shared by the worker's threads (it is thread-safe, with a pool of connections): making one
    loads the system's certificates, which cost more than streaming a whole answer."""
    key = os.environ.get(model.api_key_env, "") if model.api_key_env else "not-needed"
    return _client_for(model.base_url, key, settings.ARENA_READ_TIMEOUT_SECONDS)


@functools.lru_cache(maxsize=64)
def _client_for(base_url: str, key: str, read_timeout: float) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=base_url,
        api_key=key,
        timeout=openai.Timeout(read_timeout, connect=5.0),
        max_retries=0,
    )


def read_stream_chunks(response) -> Iterator[tuple[str, int | None]]:
    """Each chunk of an OpenAI-compatible stream (Server-Sent Events) as its text piece and,
    in the last one, the tokens used. Read from the event lines with one ``json.loads`` each:
    the SDK's typed chunk objects cost more than half of the worker's processor time per
    chunk, hundreds of answers at once (``bench/arena.py --words``). Failures are the SDK's
    own: a timeout or a cut connection while reading, an error event, a chunk that is not
    JSON."""
    request = response.http_response.request
    # The SDK's HTTP library (httpx, or httpx2 in its recent releases), whose errors it wraps
    # in its own when it reads the stream itself.
    library = importlib.import_module(type(response.http_response).__module__.partition(".")[0])
    try:
        for line in response.iter_lines():
            if not line.startswith("data:"):
                continue  # blank separators, comments, event names
            data = line[5:].strip()
            if data == "[DONE]":
                return
            try:
                chunk = json.loads(data)
            except ValueError as error:
                raise openai.APIError("A chunk that is not JSON.", request, body=None) from error
            if not isinstance(chunk, dict):
                continue
            if chunk.get("error"):
                raise openai.APIError("An error event in the stream.", request, body=None)
            choices = chunk.get("choices") or [{}]
            delta = (choices[0] or {}).get("delta") or {}
            usage = chunk.get("usage") or {}
            yield delta.get("content") or "", usage.get("completion_tokens")
    except library.TimeoutException as error:
        raise openai.APITimeoutError(request=request) from error
    except library.TransportError as error:
        raise openai.APIConnectionError(request=request) from error


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
    """Ask the answer's model for its reply to the battle's conversation and keep the text in
    the cache as it streams (every ``ARENA_FLUSH_SECONDS``), so the page shows it growing; the
    row gets it once, at the end. The answer ends done, or failed with a category when the
    service fails (before or during the stream), is too slow (no chunk for
    ``ARENA_READ_TIMEOUT_SECONDS``, or longer than ``ARENA_ANSWER_SECONDS`` in all) or answers
    nothing; then the battle is settled (ready for the vote, or failed)."""
    with _database_turn():
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
        request = build_client(model).chat.completions.with_streaming_response.create(
            model=model.model_id,
            messages=messages,
            max_tokens=model.max_tokens,
            temperature=float(model.temperature),
            stream=True,
            stream_options={"include_usage": True},
        )
        with request as response:
            for piece, used in read_stream_chunks(response):
                tokens = used or tokens
                first_piece = bool(piece) and first_token_at is None
                if first_piece:
                    first_token_at = timezone.now()
                if piece:
                    text += piece
                now = time.monotonic()
                if now - started > settings.ARENA_ANSWER_SECONDS:
                    failure = Failure.TIMEOUT
                    break
                # The first words show at once, then the text every ARENA_FLUSH_SECONDS.
                if piece and (first_piece or now - flushed >= settings.ARENA_FLUSH_SECONDS):
                    store_live_text(answer_id=answer.pk, text=text)
                    flushed = now
    # A connection cut in the middle of the stream is an APIConnectionError too.
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
    if text:
        # A page that read the row as still streaming just before it is written finds the
        # whole text; the row has it from now on.
        store_live_text(answer_id=answer.pk, text=text, seconds=60)
    with _database_turn():
        BattleAnswer.objects.filter(pk=answer.pk).update(
            text=text,
            tokens=tokens,
            first_token_at=first_token_at,
            finished_at=timezone.now(),
            status=BattleAnswer.Status.FAILED if failure else BattleAnswer.Status.DONE,
            failure=failure,
        )
        settle_battle(battle_id=battle.pk)
    # After the row and the battle are written: a page that sees the end in the cache and
    # reads the battle again finds it settled.
    store_live_text(
        answer_id=answer.pk,
        text=text,
        status=BattleAnswer.Status.FAILED if failure else BattleAnswer.Status.DONE,
        failure=failure,
    )


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
        store_live_text(
            answer_id=pk, text="", status=BattleAnswer.Status.FAILED, failure=Failure.TIMEOUT
        )
    return len(answers)
