"""While a battle's models write, its page polls a fragment that reads the cache alone.

Hundreds of battles stream at once, each page asking every second. A poll answered like any
page loads the session, the person and the battle from the database (3 queries, 6–9 ms of a
web worker), and the web workers then spend most of their time on polls while every other
page waits behind them. So the battle's page (authenticated, its owner's only) hands the page
a grant: a signed token naming the battle, its owner, the answers being written and a digest
of the owner's session key. The fragment checks the signature, the battle and the session
cookie the browser sends (without loading the session), and reads the answers' texts from
the cache (``streaming.read_live_entries``): no database, no session, no person.

The grant is refused when tampered, for another battle, presented without the session it was
given to (another person, or the token alone), or older than ``GRANT_MAX_SECONDS``. Once the
answers end (every one done, or one failed), and in any case after
``GRANT_REFRESH_SECONDS``, the fragment has the page read the authenticated battle again: the
vote, the failure, or a fresh grant while the answers still stream (and a worker killed
mid-answer, whose cache entry never ends, is settled there by ``fail_stale_answers``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from ..models import BattleAnswer
from .streaming import read_live_entries

GRANT_SALT = "arena.live-answers"
GRANT_REFRESH_SECONDS = 30
GRANT_MAX_SECONDS = 2 * GRANT_REFRESH_SECONDS


class GrantRefused(Exception):
    """The token does not let this request read the battle's answers."""


@dataclass(frozen=True)
class LiveGrant:
    slug: str
    battle_id: int
    user_id: int
    answer_ids: tuple[int, ...]
    issued_at: int


@dataclass(frozen=True)
class LiveAnswer:
    """One side's answer as the cache has it, shaped as the battle template reads an answer."""

    side: str
    status: str
    text: str
    failure: str = ""

    def get_failure_display(self) -> str:
        return str(BattleAnswer.Failure(self.failure).label) if self.failure else ""


def _session_digest(session_key: str) -> str:
    return salted_hmac(GRANT_SALT, session_key).hexdigest()[:24]


def grant_live_answers(
    *,
    slug: str,
    battle_id: int,
    user_id: int,
    answer_ids: list[int],
    session_key: str,
    now: float | None = None,
) -> str:
    """A token letting the owner's page read the texts of the battle's answers being written
    (sides a and b, in that order), bound to the battle, the owner and their session. Only
    for a signed-in session: without its key the grant would go with any cookie-less caller."""
    if not session_key:
        raise ValueError("A grant needs the owner's session key.")
    payload = {
        "c": slug,
        "b": battle_id,
        "u": user_id,
        "a": list(answer_ids),
        "s": _session_digest(session_key),
        "t": int(now if now is not None else time.time()),
    }
    return signing.dumps(payload, salt=GRANT_SALT)


def check_live_grant(
    *, token: str, slug: str, battle_id: int, session_key: str, now: float | None = None
) -> LiveGrant:
    """The grant the token carries, if it is for this battle, comes with the session it was
    given to and is at most ``GRANT_MAX_SECONDS`` old; else ``GrantRefused``."""
    try:
        data = signing.loads(token, salt=GRANT_SALT, max_age=GRANT_MAX_SECONDS)
    except signing.BadSignature as error:  # SignatureExpired included
        raise GrantRefused from error
    now = now if now is not None else time.time()
    if (
        not isinstance(data, dict)
        or data.get("b") != battle_id
        or data.get("c") != slug
        or not session_key
        or not constant_time_compare(str(data.get("s", "")), _session_digest(session_key))
        or not 0 <= now - data.get("t", 0) <= GRANT_MAX_SECONDS
    ):
        raise GrantRefused
    return LiveGrant(
        slug=slug,
        battle_id=battle_id,
        user_id=data["u"],
        answer_ids=tuple(data["a"]),
        issued_at=data["t"],
    )


def find_live_answers(
    *, grant: LiveGrant, now: float | None = None
) -> tuple[list[LiveAnswer], bool]:
    """The granted answers as the cache has them (an answer that has not written yet is
    waiting), and whether the page should read the battle again: every answer done, one
    failed (the battle has), or the grant older than ``GRANT_REFRESH_SECONDS``."""
    entries = read_live_entries(answer_ids=list(grant.answer_ids))
    answers = [
        LiveAnswer(side=side, status=BattleAnswer.Status.WAITING, text="")
        if entry is None
        else LiveAnswer(
            side=side, status=entry["status"], text=entry["text"], failure=entry["failure"]
        )
        for side, entry in zip("ab", entries, strict=False)
    ]
    statuses = {answer.status for answer in answers}
    now = now if now is not None else time.time()
    ended = BattleAnswer.Status.FAILED in statuses or statuses == {BattleAnswer.Status.DONE}
    return answers, ended or now - grant.issued_at >= GRANT_REFRESH_SECONDS
