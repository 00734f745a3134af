"""A battle from the prompt to the vote, with the answers streamed from the fake server (tasks
run eagerly here; tests/challenges/arena/test_worker.py runs them in a real worker)."""

import datetime as dt
import random
from collections import Counter

import pytest

from challenges.arena.domain import battles
from challenges.arena.domain.battles import start_battle, vote_battle
from challenges.arena.models import Battle, BattleAnswer
from challenges.arena.tasks import stream_answer_task
from challenges.domain import ContributionRefused
from challenges.preferences.models import ArenaVote, Prompt
from tests.challenges.arena.conftest import make_model
from tests.challenges.preferences.factories import PromptFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def start(challenge, user, **extra):
    values = {"text": "¿Qué se come en Lima un domingo?", "country": "PE", "language": "es"}
    return start_battle(
        challenge=challenge, user=user, enqueue=stream_answer_task.delay, **(values | extra)
    )


def test_both_models_answer_and_the_battle_waits_for_the_vote(challenge, models, player):
    battle = start(challenge, player)
    battle.refresh_from_db()
    assert battle.status == Battle.Status.READY
    answers = list(battle.answers.order_by("side"))
    assert [a.side for a in answers] == ["a", "b"]
    assert all(a.status == BattleAnswer.Status.DONE and "ceviche" in a.text for a in answers)
    assert all(a.tokens == len(a.text.split(" ")) for a in answers)  # from the usage chunk
    assert battle.model_a_id != battle.model_b_id


def test_the_models_get_the_conversation_and_their_settings(challenge, models, player, fake_openai):
    start(challenge, player, system_prompt="Eres una persona de Lima.")
    bodies = [request["body"] for request in fake_openai.requests]
    assert len(bodies) == 2
    for body in bodies:
        assert body["stream"] is True
        assert body["messages"] == [
            {"role": "system", "content": "Eres una persona de Lima."},
            {"role": "user", "content": "¿Qué se come en Lima un domingo?"},
        ]
        assert body["max_tokens"] == 1024 and body["temperature"] == 0.7
    assert {request["headers"]["authorization"] for request in fake_openai.requests} == {
        "Bearer sk-test-very-secret-key-0123456789"
    }


def test_a_vote_lands_on_the_account_with_a_new_prompt(challenge, models, player):
    battle = start(challenge, player)
    battle = vote_battle(battle_id=battle.pk, user=player, choice="b")
    vote = battle.vote
    assert battle.status == Battle.Status.VOTED and battle.revealed
    assert vote.user == player and vote.vote_type == ArenaVote.VoteType.RIGHT
    assert vote.model_a == battle.model_a.display_name
    assert vote.chosen == vote.answer_b and vote.rejected == vote.answer_a
    prompt = vote.prompt
    assert prompt.author == player and prompt.source == Prompt.Source.ARENA
    assert prompt.country == "PE" and prompt.text == "¿Qué se come en Lima un domingo?"
    assert len(vote.raw["states"]) == 2 and vote.raw["type"] == "rightvote"


@pytest.mark.parametrize(
    ("choice", "vote_type", "has_choice"),
    [
        ("a", ArenaVote.VoteType.LEFT, True),
        ("tie", ArenaVote.VoteType.TIE, False),
        ("bothbad", ArenaVote.VoteType.BOTH_BAD, False),
    ],
)
def test_each_vote_type(challenge, models, player, choice, vote_type, has_choice):
    battle = vote_battle(battle_id=start(challenge, player).pk, user=player, choice=choice)
    assert battle.vote.vote_type == vote_type
    assert bool(battle.vote.chosen) is has_choice


def test_a_team_prompt_can_be_battled_and_the_vote_attaches_to_it(challenge, models, player, team):
    teammate = team.memberships.exclude(user=player).get().user
    prompt = PromptFactory(challenge=challenge, author=teammate)
    battle = start(challenge, player, prompt=prompt, text="ignored")
    assert battle.turns == [prompt.text]
    battle = vote_battle(battle_id=battle.pk, user=player, choice="a")
    assert battle.vote.prompt == prompt


def test_another_teams_prompt_is_refused(challenge, models, player):
    prompt = PromptFactory(challenge=challenge, author=UserFactory())
    with pytest.raises(ContributionRefused):
        start(challenge, player, prompt=prompt)
    assert not Battle.objects.exists()


def test_without_the_quiz_no_battle(challenge, models, team):
    with pytest.raises(ContributionRefused, match="quiz"):
        start(challenge, team.memberships.first().user)
    assert not Battle.objects.exists()


def test_a_closed_challenge_refuses_battles(challenge, models, player):
    with pytest.raises(ContributionRefused):
        start(challenge, player, now=challenge.closes_at + dt.timedelta(days=1))
    assert not Battle.objects.exists()


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u200b", "x" * 5001])
def test_bad_prompts_are_refused(challenge, models, player, text):
    with pytest.raises(ContributionRefused):
        start(challenge, player, text=text)
    assert not Battle.objects.exists()


def test_fewer_than_two_models_refuses_plainly(challenge, models, player):
    models[0].__class__.objects.exclude(pk=models[0].pk).update(enabled=False)
    with pytest.raises(ContributionRefused, match="busy or unavailable"):
        start(challenge, player)


def test_a_model_over_its_daily_budget_is_not_drawn(challenge, models, player):
    alpaca, condor, jaguar = models
    for model in (alpaca, condor, jaguar):
        model.daily_token_budget = 5
        model.save()
    battle = start(challenge, player)  # each answer costs 11 tokens: both models now over
    spent = {battle.model_a_id, battle.model_b_id}
    assert sorted(battles.find_available_models(challenge=challenge)) == sorted(
        {m.pk for m in models} - spent
    )


def test_a_model_at_its_concurrency_limit_is_not_drawn(challenge, models, player):
    alpaca = models[0]
    alpaca.max_concurrency = 1
    alpaca.save()
    other = start(challenge, player)
    BattleAnswer.objects.create(battle=other, turn=5, side="a", model=alpaca)  # still waiting
    assert alpaca.pk not in battles.find_available_models(challenge=challenge)


def test_pairs_are_balanced(challenge, models, player):
    rng = random.Random(4)
    for _ in range(9):
        start_battle(
            challenge=challenge,
            user=player,
            text="¿Qué se come en Lima?",
            country="PE",
            enqueue=lambda pk: None,
            rng=rng,
        )
        BattleAnswer.objects.update(status=BattleAnswer.Status.DONE)
    pairs = Counter(frozenset((b.model_a_id, b.model_b_id)) for b in Battle.objects.all())
    assert len(pairs) == 3 and set(pairs.values()) == {3}


def test_a_failed_answer_fails_the_battle_and_it_cannot_be_voted(
    challenge, edition, fake_openai, arena_key, player
):
    make_model(edition=edition, base_url=fake_openai.base_url, slug="broken")
    make_model(edition=edition, base_url=fake_openai.base_url, slug="fine")
    battle = start(challenge, player)
    battle.refresh_from_db()
    assert battle.status == Battle.Status.FAILED
    failed = battle.answers.get(status=BattleAnswer.Status.FAILED)
    assert failed.failure == BattleAnswer.Failure.SERVER and failed.model.slug == "broken"
    with pytest.raises(ContributionRefused, match="failed"):
        vote_battle(battle_id=battle.pk, user=player, choice="a")
    assert not ArenaVote.objects.exists()


def test_voting_twice_or_someone_elses_battle_is_refused(challenge, models, player):
    battle = start(challenge, player)
    with pytest.raises(ContributionRefused, match="not yours"):
        vote_battle(battle_id=battle.pk, user=UserFactory(), choice="a")
    vote_battle(battle_id=battle.pk, user=player, choice="a")
    with pytest.raises(ContributionRefused, match="already"):
        vote_battle(battle_id=battle.pk, user=player, choice="b")
    assert ArenaVote.objects.count() == 1


def test_an_unknown_vote_is_refused(challenge, models, player):
    battle = start(challenge, player)
    with pytest.raises(ContributionRefused):
        vote_battle(battle_id=battle.pk, user=player, choice="left")
    assert not ArenaVote.objects.exists()


def test_more_turns_before_the_vote(challenge, models, player, fake_openai, settings):
    battle = start(challenge, player)
    battles.continue_battle(
        battle_id=battle.pk, user=player, text="¿Y en Cusco?", enqueue=stream_answer_task.delay
    )
    battle.refresh_from_db()
    assert battle.status == Battle.Status.READY and battle.turns[1] == "¿Y en Cusco?"
    last = fake_openai.requests[-1]["body"]["messages"]
    assert [m["role"] for m in last] == ["user", "assistant", "user"]
    settings.ARENA_MAX_TURNS = 2
    with pytest.raises(ContributionRefused, match="at most 2"):
        battles.continue_battle(
            battle_id=battle.pk, user=player, text="¿Y más?", enqueue=stream_answer_task.delay
        )
    battle = vote_battle(battle_id=battle.pk, user=player, choice="tie")
    assert len(battle.vote.raw["states"][0]["messages"]) == 4


def test_a_vote_naming_a_model_is_kept_flagged_and_makes_no_prompt(
    challenge, models, player, fake_openai
):
    fake_openai.answers.update({"alpaca": "Soy ChatGPT y en Lima se come ceviche."})
    models[2].enabled = False
    models[2].save()
    battle = vote_battle(battle_id=start(challenge, player).pk, user=player, choice="a")
    assert battle.vote.flag == ArenaVote.Flag.IDENTITY and battle.vote.flag_detail == "ChatGPT"
    assert battle.vote.prompt is None and not Prompt.objects.exists()


def test_the_daily_cap_applies_to_battles(challenge, models, player, settings):
    settings.ARENA_DAILY_VOTE_CAP = 1
    first = vote_battle(battle_id=start(challenge, player).pk, user=player, choice="a")
    second = vote_battle(
        battle_id=start(challenge, player, text="¿Y en Arequipa?").pk, user=player, choice="a"
    )
    assert first.vote.flag == ""
    assert second.vote.flag == ArenaVote.Flag.DAILY_CAP
