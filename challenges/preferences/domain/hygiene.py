"""Arena vote hygiene, as FastChat's battle cleaning does it: a vote is kept but flagged, and
then not counted (not in the dataset, not for validation, never making a prompt), when an
answer names a model or its maker, or when it is beyond its voter's daily cap."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models.functions import Lower

from challenges.models import Challenge
from challenges.preferences.models import ArenaVote


@lru_cache(maxsize=8)
def _identity_pattern(words: tuple[str, ...]) -> re.Pattern | None:
    """One pattern for the words, each matched whole (not inside a longer word) and case
    aside; the spaces of a name of several words match any run of spaces."""
    names = sorted({word.strip() for word in words if word.strip()}, key=len, reverse=True)
    if not names:
        return None
    alternatives = "|".join(r"\s+".join(map(re.escape, name.split())) for name in names)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def find_identity_word(*, texts: Iterable[str], words: Iterable[str] | None = None) -> str:
    """The first model or maker's name (``settings.ARENA_IDENTITY_WORDS`` unless ``words``)
    found in the texts as a whole word, case aside, as it is written there; "" if none.

    Whole words: "Google" and "Google's" name the maker, "googled" does not; "GPT-4" names
    "gpt"."""
    pattern = _identity_pattern(tuple(settings.ARENA_IDENTITY_WORDS if words is None else words))
    if pattern is None:
        return ""
    for text in texts:
        found = pattern.search(text or "")
        if found:
            return found.group(0)
    return ""


def flag_identity_reveals(*, votes: Iterable[ArenaVote]) -> int:
    """Flag each vote one of whose answers names a model or its maker (the vote was not
    blind), with the word; returns how many."""
    flagged = 0
    for vote in votes:
        word = find_identity_word(texts=(vote.answer_a, vote.answer_b))
        if word:
            vote.flag, vote.flag_detail = ArenaVote.Flag.IDENTITY, word[:200]
            flagged += 1
    return flagged


def _day_of(vote: ArenaVote, zone: ZoneInfo) -> dt.date:
    return vote.tstamp.astimezone(zone).date()


def apply_daily_cap(*, challenge: Challenge, votes: list[ArenaVote]) -> list[ArenaVote]:
    """Each person (arena identity, case aside) has at most ``settings.ARENA_DAILY_VOTE_CAP``
    votes counted per day of the edition's time zone: the earliest ones of that day, among
    the votes stored and these new ones; the others are flagged with the day. Votes already
    flagged for naming a model take no place; a vote without identity counts for nobody and
    is left alone; a cap of 0 turns the rule off.

    Sets the flags of ``votes`` (not saved yet) and returns the stored votes whose flag
    changed, to be saved: a log uploaded later may hold earlier votes of the same day."""
    cap = settings.ARENA_DAILY_VOTE_CAP
    capped = [vote for vote in votes if vote.identity and vote.flag != ArenaVote.Flag.IDENTITY]
    if cap <= 0 or not capped:
        return []
    zone = ZoneInfo(challenge.edition.time_zone)
    # A day of any time zone lies within a day and a half of the UTC moments it holds.
    earliest = min(vote.tstamp for vote in capped) - dt.timedelta(days=2)
    latest = max(vote.tstamp for vote in capped) + dt.timedelta(days=2)
    stored = list(
        ArenaVote.objects.annotate(key=Lower("identity"))
        .filter(
            challenge=challenge,
            key__in={vote.identity.lower() for vote in capped},
            tstamp__range=(earliest, latest),
        )
        .exclude(flag=ArenaVote.Flag.IDENTITY)
        .exclude(pk__in=[vote.pk for vote in capped if vote.pk])
        .only("pk", "identity", "tstamp", "flag", "flag_detail")
    )
    groups: dict[tuple[str, dt.date], list[ArenaVote]] = defaultdict(list)
    for vote in (*stored, *capped):
        groups[(vote.identity.lower(), _day_of(vote, zone))].append(vote)
    changed = []
    for (_identity, day), group in groups.items():
        group.sort(key=lambda vote: (vote.tstamp, vote.pk is None, vote.pk or 0))
        for position, vote in enumerate(group):
            flag, detail = ("", "") if position < cap else (ArenaVote.Flag.DAILY_CAP, str(day))
            if (vote.flag, vote.flag_detail) != (flag, detail):
                vote.flag, vote.flag_detail = flag, detail
                if vote.pk is not None:
                    changed.append(vote)
    return changed
