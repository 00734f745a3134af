"""Answers from the fake OpenAI-compatible server: failures are told plainly, by category, and
the key never shows (the fake's error echoes the Authorization header)."""

import logging

import pytest

from challenges.arena.domain.battles import start_battle
from challenges.arena.domain.streaming import fail_stale_answers, stream_answer
from challenges.arena.models import Battle, BattleAnswer
from challenges.arena.tasks import stream_answer_task
from tests.challenges.arena.conftest import SECRET, make_model

pytestmark = pytest.mark.django_db(transaction=True)


def battle_between(challenge, user, edition, base_url, *slugs):
    for slug in slugs:
        make_model(edition=edition, base_url=base_url, slug=slug)
    return start_battle(
        challenge=challenge,
        user=user,
        text="¿Qué se come en Lima?",
        country="PE",
        enqueue=stream_answer_task.delay,
    )


@pytest.mark.parametrize(
    ("slug", "failure"),
    [
        ("rate-limited", BattleAnswer.Failure.RATE_LIMITED),
        ("broken", BattleAnswer.Failure.SERVER),
        ("silent", BattleAnswer.Failure.TIMEOUT),
        ("empty", BattleAnswer.Failure.EMPTY),
    ],
)
def test_a_failing_model_fails_its_answer_by_category(
    challenge, edition, fake_openai, arena_key, player, settings, slug, failure
):
    settings.ARENA_READ_TIMEOUT_SECONDS = 1
    battle = battle_between(challenge, player, edition, fake_openai.base_url, slug, "fine")
    battle.refresh_from_db()
    answer = battle.answers.get(model__slug=slug)
    assert answer.status == BattleAnswer.Status.FAILED and answer.failure == failure
    assert battle.status == Battle.Status.FAILED
    assert battle.answers.get(model__slug="fine").status == BattleAnswer.Status.DONE


def test_an_unreachable_server_is_a_connection_failure(
    challenge, edition, arena_key, player, fake_openai
):
    make_model(edition=edition, base_url=fake_openai.base_url, slug="fine")
    make_model(edition=edition, base_url="http://127.0.0.1:9/v1", slug="gone")
    battle = start_battle(
        challenge=challenge,
        user=player,
        text="¿Qué?",
        country="PE",
        enqueue=stream_answer_task.delay,
    )
    assert battle.answers.get(model__slug="gone").failure == BattleAnswer.Failure.CONNECTION


def test_the_key_never_reaches_the_database_the_logs_or_the_page(
    client, challenge, edition, fake_openai, arena_key, player, caplog
):
    caplog.set_level(logging.DEBUG)
    battle = battle_between(challenge, player, edition, fake_openai.base_url, "broken", "fine")
    assert any(SECRET in request["headers"]["authorization"] for request in fake_openai.requests)
    client.force_login(player)
    page = client.get(f"/arena/{challenge.slug}/battle/{battle.pk}/").content.decode()
    assert "could not answer" in page or "no pudo responder" in page
    stored = " ".join(str(row) for row in BattleAnswer.objects.values_list())
    assert SECRET not in page and SECRET not in stored
    assert SECRET not in caplog.text
    assert "arena answer failed" in caplog.text


def test_an_answer_streams_into_its_row_and_a_second_delivery_does_nothing(
    challenge, edition, fake_openai, arena_key, player
):
    for slug in ("alpaca", "condor"):
        make_model(edition=edition, base_url=fake_openai.base_url, slug=slug)
    battle = start_battle(
        challenge=challenge, user=player, text="¿Qué?", country="PE", enqueue=lambda pk: None
    )
    answer = battle.answers.first()
    stream_answer(answer_id=answer.pk)
    answer.refresh_from_db()
    assert answer.status == BattleAnswer.Status.DONE and answer.first_token_at
    requests = len(fake_openai.requests)
    stream_answer(answer_id=answer.pk)  # delivered again (acks_late): taken already
    assert len(fake_openai.requests) == requests


def test_answers_abandoned_by_a_killed_worker_end_failed(
    challenge, edition, fake_openai, arena_key, player, settings
):
    for slug in ("alpaca", "condor"):
        make_model(edition=edition, base_url=fake_openai.base_url, slug=slug)
    battle = start_battle(
        challenge=challenge, user=player, text="¿Qué?", country="PE", enqueue=lambda pk: None
    )
    BattleAnswer.objects.filter(battle=battle).update(status=BattleAnswer.Status.STREAMING)
    assert fail_stale_answers() == 0  # still within its time
    settings.ARENA_ANSWER_SECONDS = -1
    assert fail_stale_answers() == 2
    battle.refresh_from_db()
    assert battle.status == Battle.Status.FAILED
