"""Remembered lookups: what nearly every page reads about the request and rarely changes.

The current edition, a challenge, a team's window, the person's team, profile and roles are
read by almost every page. Each web process remembers them in its own memory, under a
*generation* of their scope kept in the shared cache: ``SITE`` for what organizers change (the
edition, its challenges, window extensions, consent texts) and one per person
(``person_scope``) for what a person's own actions change (their team, profile, consents,
groups, unread notifications). A page reads the generations it needs from this process's copy
while Redis has not said they changed (``hackathon.cache.read_tracked``, lazily, at the first
lookup), then every remembered lookup costs nothing.

Whoever owns the data calls ``forget(scope)`` on the events that change it (their models'
signals, see each app's ``receivers``): the scope's generation moves on, at once and again once
the transaction commits, so every process reads the change on its next request, and a page that
read the old row while the change was being written cannot keep it.

Outside a request (Celery tasks, commands, domain functions called directly) nothing is
remembered: lookups read the database; nor anywhere when ``settings.REMEMBER_LOOKUPS`` is off
(the tests turn it on where they test it, so that every other test's query counts stay those of
the queries themselves).
"""

from __future__ import annotations

import contextvars
import pickle
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from hackathon.cache import read_tracked

SITE = "site"
# Entries of older generations are unreachable; past this many the process starts afresh.
MAX_ENTRIES = 20_000

T = TypeVar("T")
_PLAIN = (type(None), bool, int, float, str, bytes, frozenset)
_local: dict[tuple, object] = {}
_state: contextvars.ContextVar[_RequestState | None] = contextvars.ContextVar(
    "memo_state", default=None
)


def person_scope(user_id: int) -> str:
    """The scope of what one person's own actions change."""
    return f"person:{user_id}"


def memo_key(*parts: object) -> str:
    """A shared-cache key of this site's. The database's name is part of it, so two databases
    served by one cache (a copy for benchmarks, the tests' own) never share keys."""
    database = settings.DATABASES["default"].get("NAME", "")
    return "memo:" + ":".join(str(part) for part in (database, *parts))


def _generation_key(scope: str) -> str:
    return memo_key("generation", scope)


def _is_plain(value) -> bool:
    if isinstance(value, tuple):
        return all(_is_plain(item) for item in value)
    return isinstance(value, _PLAIN)


class _RequestState:
    """The generations one request reads, fetched together at its first lookup."""

    def __init__(self, request) -> None:
        self.request = request
        self.generations: dict[str, object] = {}
        # Scopes this request changed: what it reads of them may not be committed yet.
        self.changed: set[str] = set()

    def generation(self, scope: str):
        if scope not in self.generations:
            key = _generation_key(scope)
            # This process's copy while Redis has not said the key changed (read_tracked): a
            # page costs no round trip for its generations once each was read.
            found = read_tracked(key)
            if found is None:
                # Never set, or evicted: a new generation, never one seen before.
                cache.add(key, _new_generation(), timeout=None)
                found = cache.get(key)
            self.generations[scope] = found
        return self.generations[scope]


class MemoMiddleware:
    """Lets the request's lookups be remembered (see the module). After the authentication
    middleware, whose user a person's scope belongs to."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _state.set(_RequestState(request))
        try:
            return self.get_response(request)
        finally:
            _state.reset(token)


def remember(key: str, compute: Callable[[], T], *, scope: str = SITE) -> T:
    """``compute()``'s value (None included), remembered by this process for the current
    generation of ``scope``; inside a request only. Each read gets its own copy."""
    state = _state.get()
    if state is None or not settings.REMEMBER_LOOKUPS:
        return compute()
    entry = (scope, state.generation(scope), key)
    if entry in _local:
        stored = _local[entry]
        return pickle.loads(stored[0]) if isinstance(stored, list) else stored
    value = compute()
    if scope in state.changed:
        return value  # read inside the change: it might still be rolled back
    if len(_local) >= MAX_ENTRIES:
        _local.clear()
    _local[entry] = value if _is_plain(value) else [pickle.dumps(value)]
    return value


_last_generation = 0


def _new_generation() -> int:
    """A generation never used before: the clock in nanoseconds, and past the last one this
    process gave when the clock has not moved on (two changes in one tick)."""
    global _last_generation
    _last_generation = max(time.time_ns(), _last_generation + 1)
    return _last_generation


def _move_on(scopes: list[str]) -> None:
    # New values for every scope in one round trip: a notification to 5,000 people forgets
    # 5,000 scopes.
    state = _state.get()
    generations = {scope: _new_generation() for scope in scopes}
    cache.set_many(
        {_generation_key(scope): value for scope, value in generations.items()}, timeout=None
    )
    if state is not None:
        for scope, generation in generations.items():
            state.changed.add(scope)
            if scope in state.generations:
                state.generations[scope] = generation


def forget(*scopes: str) -> None:
    """What was remembered under these scopes is read again: now, and again when the current
    transaction commits."""
    scopes = list(dict.fromkeys(scope for scope in scopes if scope))
    if not scopes:
        return
    _move_on(scopes)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _move_on(scopes))
