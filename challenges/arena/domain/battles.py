"""A battle: a participant's prompt answered by two anonymous models, turn after turn, then
the vote, which lands on the person's account as a vote of the preference challenge."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges.domain import ContributionRefused, ensure_window_open
from challenges.domain.peer_validation import find_team_id
from challenges.models import Challenge, ContributionStatus
from challenges.preferences.domain import (
    SYSTEM_PROMPT_MAX_LENGTH,
    check_one_prompt,
    ensure_quiz_passed,
    find_identity_word,
)
from challenges.preferences.models import ArenaVote, Prompt
from challenges.text import fingerprint

from ..models import ArenaModel, Battle, BattleAnswer
from .pairing import draw_pair

# The person's choice → the vote type of FastChat's log.
VOTE_TYPES = {
    "a": ArenaVote.VoteType.LEFT,
    "b": ArenaVote.VoteType.RIGHT,
    "tie": ArenaVote.VoteType.TIE,
    "bothbad": ArenaVote.VoteType.BOTH_BAD,
}
Enqueue = Callable[[int], object]


def _start_of_day(edition_zone: str, now: dt.datetime) -> dt.datetime:
    local = now.astimezone(ZoneInfo(edition_zone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def find_available_models(*, challenge: Challenge, now: dt.datetime | None = None) -> list[int]:
    """The edition's models that can answer now: enabled, with a free place among their
    ``max_concurrency`` answers at once, and under their daily token budget (counted since the
    start of the edition's day). An answer still "writing" after twice the answer time limit is
    taken for dead (its worker was killed) and holds no place."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=2 * settings.ARENA_ANSWER_SECONDS)
    day = _start_of_day(challenge.edition.time_zone, now)
    models = ArenaModel.objects.filter(edition_id=challenge.edition_id, enabled=True).annotate(
        busy=Count(
            "answers",
            filter=Q(
                answers__status__in=[BattleAnswer.Status.WAITING, BattleAnswer.Status.STREAMING],
                answers__created_at__gte=stale,
            ),
        ),
        spent=Sum("answers__tokens", filter=Q(answers__created_at__gte=day), default=0),
    )
    return [
        model.pk
        for model in models
        if model.busy < model.max_concurrency
        and (not model.daily_token_budget or model.spent < model.daily_token_budget)
    ]


def count_battles_per_pair(*, challenge: Challenge) -> dict[frozenset[int], int]:
    """How many battles each pair of models has had in the challenge, failed ones aside."""
    rows = (
        Battle.objects.filter(challenge=challenge)
        .exclude(status=Battle.Status.FAILED)
        .values("model_a_id", "model_b_id")
        .annotate(total=Count("pk"))
    )
    counts: Counter[frozenset[int]] = Counter()
    for row in rows:
        counts[frozenset((row["model_a_id"], row["model_b_id"]))] += row["total"]
    return dict(counts)


def count_battles_by_status(*, challenge: Challenge) -> dict[str, int]:
    """How many of the challenge's battles are in each status (every status named)."""
    counts = dict.fromkeys(Battle.Status.values, 0)
    for row in Battle.objects.filter(challenge=challenge).values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def start_battle(
    *,
    challenge: Challenge,
    user,
    text: str = "",
    country: str = "",
    language: str = "",
    system_prompt: str = "",
    prompt: Prompt | None = None,
    enqueue: Enqueue,
    rng: random.Random | None = None,
    now: dt.datetime | None = None,
) -> Battle:
    """A person who passed the quiz starts a battle while the challenge is open, on a prompt
    they write (country, optional system prompt) or one of their team's prompts. Two different
    models are drawn, the pair with the fewest battles first; both are asked at once (the
    answers stream in tasks). Refused when fewer than two models can answer now."""
    ensure_window_open(challenge=challenge, user=user, now=now)
    ensure_quiz_passed(challenge=challenge, user=user)
    team_id = find_team_id(user=user, edition_id=challenge.edition_id)
    if prompt is not None:
        if prompt.challenge_id != challenge.pk or (
            prompt.author_id != user.pk
            and (
                team_id is None
                or find_team_id(user=prompt.author, edition_id=challenge.edition_id) != team_id
            )
        ):
            raise ContributionRefused(_("You can only battle with your team's prompts."))
        text, country = prompt.text, str(prompt.country)
        language, system_prompt = prompt.language, prompt.system_prompt
    # The prompt form's own checks (text, system prompt, country, language).
    values = check_one_prompt(
        text=text, country=country, language=language, system_prompt=system_prompt
    )
    text, system_prompt = values["text"], values["system_prompt"]
    country, language = str(values["country"]), values["language"]
    with transaction.atomic():
        # One battle drawn at a time per challenge: the balance of pairs stays true.
        Challenge.objects.select_for_update().filter(pk=challenge.pk).first()
        pair = draw_pair(
            model_ids=find_available_models(challenge=challenge, now=now),
            battles_per_pair=count_battles_per_pair(challenge=challenge),
            rng=rng,
        )
        if pair is None:
            raise ContributionRefused(
                _("The arena's models are busy or unavailable right now. Try again in a minute.")
            )
        battle = Battle.objects.create(
            challenge=challenge,
            user=user,
            team_id=team_id,
            prompt=prompt,
            country=country,
            language=language or "",
            system_prompt=system_prompt,
            turns=[text],
            model_a_id=pair[0],
            model_b_id=pair[1],
        )
        _ask(battle=battle, turn=0, enqueue=enqueue)
    return battle


def _ask(*, battle: Battle, turn: int, enqueue: Enqueue) -> None:
    answers = BattleAnswer.objects.bulk_create(
        [
            BattleAnswer(battle=battle, turn=turn, side=side, model_id=model_id)
            for side, model_id in (("a", battle.model_a_id), ("b", battle.model_b_id))
        ]
    )
    for answer in answers:
        transaction.on_commit(lambda pk=answer.pk: enqueue(pk))


def continue_battle(*, battle_id: int, user, text: str, enqueue: Enqueue) -> Battle:
    """The person asks both models one more thing, once both have answered the last turn,
    before voting, and up to ``ARENA_MAX_TURNS`` turns."""
    with transaction.atomic():
        battle = Battle.objects.select_for_update().filter(pk=battle_id, user=user).first()
        if battle is None:
            raise ContributionRefused(_("This battle is not yours."))
        if battle.status != Battle.Status.READY:
            raise ContributionRefused(_("Wait until both models have answered."))
        if len(battle.turns) >= settings.ARENA_MAX_TURNS:
            raise ContributionRefused(
                _("A battle has at most %(count)s turns: vote now.")
                % {"count": settings.ARENA_MAX_TURNS}
            )
        text = check_one_prompt(text=text, country=battle.country)["text"]
        battle.turns = [*battle.turns, text]
        battle.status = Battle.Status.ANSWERING
        battle.save(update_fields=["turns", "status"])
        _ask(battle=battle, turn=len(battle.turns) - 1, enqueue=enqueue)
    return battle


def settle_battle(*, battle_id: int) -> None:
    """After an answer ends: the battle waits for the vote once every answer of its last turn
    is done, and has failed (it will not count) as soon as one of them failed."""
    with transaction.atomic():
        battle = Battle.objects.select_for_update().filter(pk=battle_id).first()
        if battle is None or battle.status != Battle.Status.ANSWERING:
            return
        statuses = set(
            battle.answers.filter(turn=len(battle.turns) - 1).values_list("status", flat=True)
        )
        if BattleAnswer.Status.FAILED in statuses:
            battle.status = Battle.Status.FAILED
        elif statuses == {BattleAnswer.Status.DONE}:
            battle.status = Battle.Status.READY
        else:
            return
        battle.save(update_fields=["status"])


def conversation(*, battle: Battle, side: str, answers: list[BattleAnswer]) -> list[dict]:
    """One side's conversation as chat messages (system prompt first), up to its last answer."""
    by_turn = {answer.turn: answer.text for answer in answers if answer.side == side}
    messages = [{"role": "system", "content": battle.system_prompt}] if battle.system_prompt else []
    for turn, text in enumerate(battle.turns):
        messages.append({"role": "user", "content": text})
        if turn in by_turn and by_turn[turn]:
            messages.append({"role": "assistant", "content": by_turn[turn]})
    return messages


def fastchat_state(*, battle: Battle, side: str, answers: list[BattleAnswer]) -> dict:
    """One side as a state of FastChat's vote log (what its import reads back)."""
    model = battle.model_a if side == "a" else battle.model_b
    messages = []
    by_turn = {answer.turn: answer.text for answer in answers if answer.side == side}
    for turn, text in enumerate(battle.turns):
        messages.append(["user", text])
        messages.append(["assistant", by_turn.get(turn, "")])
    return {
        "template_name": "openai-api-chat",
        "system_message": battle.system_prompt,
        "roles": ["user", "assistant"],
        "messages": messages,
        "offset": 0,
        "conv_id": f"battle-{battle.pk}-{side}",
        "model_name": model.display_name,
    }


def _attach_prompt(*, battle: Battle, question_fingerprint: str) -> Prompt | None:
    """The prompt the vote belongs to: the one picked, else the voter's own prompt with the
    same text, else a new one (pending, from the arena); another person's prompt is never
    taken, and a flagged vote never makes one."""
    if battle.prompt_id:
        return battle.prompt
    own = Prompt.objects.filter(
        challenge=battle.challenge, fingerprint=question_fingerprint
    ).first()
    if own is not None:
        return own if own.author_id == battle.user_id else None
    language = battle.language or ""
    prompt = Prompt(
        challenge=battle.challenge,
        author_id=battle.user_id,
        source=Prompt.Source.ARENA,
        status=ContributionStatus.PENDING,
        country=battle.country,
        language=language,
        system_prompt=battle.system_prompt[:SYSTEM_PROMPT_MAX_LENGTH],
        text=battle.turns[0],
        fingerprint=question_fingerprint,
    )
    try:
        with transaction.atomic():
            prompt.save(force_insert=True)
    except IntegrityError:  # the same prompt, stored at this moment by someone: theirs wins
        return None
    return prompt


def vote_battle(*, battle_id: int, user, choice: str, now: dt.datetime | None = None) -> Battle:
    """The person votes A better, B better, both good or both bad once both models answered;
    the models are revealed. The vote is an ``ArenaVote`` on their account (no identity to
    match), with the prompt, both conversations and the models. Like any vote of the arena it
    is kept but not counted when an answer names a model or its maker, or beyond the person's
    daily cap (``ARENA_DAILY_VOTE_CAP`` votes a day of the edition's time zone)."""
    if choice not in VOTE_TYPES:
        raise ContributionRefused(_("Choose one of the four votes."))
    now = now or timezone.now()
    with transaction.atomic():
        battle = (
            Battle.objects.select_for_update()
            .select_related("challenge__edition", "model_a", "model_b")
            .filter(pk=battle_id, user=user)
            .first()
        )
        if battle is None:
            raise ContributionRefused(_("This battle is not yours."))
        if battle.status == Battle.Status.VOTED:
            raise ContributionRefused(_("You have already voted in this battle."))
        if battle.status != Battle.Status.READY:
            raise ContributionRefused(
                _("This battle cannot be voted: a model failed.")
                if battle.status == Battle.Status.FAILED
                else _("Wait until both models have answered.")
            )
        answers = list(battle.answers.all())
        last = len(battle.turns) - 1
        answer_a = next(a.text for a in answers if a.turn == last and a.side == "a")
        answer_b = next(a.text for a in answers if a.turn == last and a.side == "b")
        vote_type = VOTE_TYPES[choice]
        question = battle.turns[0]
        question_fingerprint = fingerprint(question)
        raw = {
            "tstamp": now.timestamp(),
            "type": str(vote_type),
            "models": [battle.model_a.display_name, battle.model_b.display_name],
            "states": [
                fastchat_state(battle=battle, side="a", answers=answers),
                fastchat_state(battle=battle, side="b", answers=answers),
            ],
            "anony": True,
            "ip": "",
            "battle": battle.pk,
        }
        vote = ArenaVote(
            challenge=battle.challenge,
            user_id=battle.user_id,
            vote_type=vote_type,
            model_a=battle.model_a.display_name[:200],
            model_b=battle.model_b.display_name[:200],
            system_prompt=battle.system_prompt,
            question=question,
            question_fingerprint=question_fingerprint,
            answer_a=answer_a,
            answer_b=answer_b,
            chosen=answer_a if choice == "a" else answer_b if choice == "b" else "",
            rejected=answer_b if choice == "a" else answer_a if choice == "b" else "",
            tstamp=now,
            raw=raw,
            fingerprint=fingerprint("battle", str(battle.pk)),
        )
        word = find_identity_word(texts=[a.text for a in answers])
        if word:
            vote.flag, vote.flag_detail = ArenaVote.Flag.IDENTITY, word[:200]
        elif _over_daily_cap(battle=battle, now=now):
            vote.flag = ArenaVote.Flag.DAILY_CAP
            vote.flag_detail = (
                _start_of_day(battle.challenge.edition.time_zone, now).date().isoformat()
            )
        if not vote.flag:
            vote.prompt = _attach_prompt(battle=battle, question_fingerprint=question_fingerprint)
        elif battle.prompt_id:
            vote.prompt = battle.prompt
        vote.save()
        battle.vote, battle.status, battle.voted_at = vote, Battle.Status.VOTED, now
        battle.save(update_fields=["vote", "status", "voted_at"])
    return battle


def _over_daily_cap(*, battle: Battle, now: dt.datetime) -> bool:
    cap = settings.ARENA_DAILY_VOTE_CAP
    if cap <= 0:
        return False
    day = _start_of_day(battle.challenge.edition.time_zone, now)
    counted = (
        ArenaVote.objects.counted()
        .filter(challenge=battle.challenge, user_id=battle.user_id, tstamp__gte=day)
        .count()
    )
    return counted >= cap
