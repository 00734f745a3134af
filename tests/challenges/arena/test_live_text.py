"""While an answer streams its text so far lives in the cache, not in its row: the battle's page
reads it from there at a constant cost (one query for the battle and its answers), the row is
written when the answer ends, and an answer cut or abandoned mid-stream leaves the battle
failed (not counted)."""

import threading
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from challenges.arena.domain.battles import continue_battle, start_battle, vote_battle
from challenges.arena.domain.exports import counted_battles
from challenges.arena.domain.streaming import fail_stale_answers, store_live_text, stream_answer
from challenges.arena.models import Battle, BattleAnswer
from challenges.arena.tasks import stream_answer_task
from challenges.domain import ContributionRefused
from tests.challenges.arena.conftest import make_model

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = " ".join(f"palabra{n}" for n in range(40))


def wait_for(condition, what: str, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"Timed out waiting for {what}")


def partial_of(client, challenge, battle) -> str:
    url = f"/arena/{challenge.slug}/battle/{battle.pk}/"
    return client.get(url, headers={"HX-Request": "true"}).content.decode()


def test_the_page_shows_the_text_so_far_from_the_cache_and_the_row_gets_it_at_the_end(
    client, challenge, edition, fake_openai, arena_key, player
):
    fake_openai.answers["slow-100"] = WORDS  # 4 seconds of streaming
    for slug in ("slow-100", "fine"):
        make_model(edition=edition, base_url=fake_openai.base_url, slug=slug)
    battle = start_battle(
        challenge=challenge, user=player, text="¿Qué?", country="PE", enqueue=lambda pk: None
    )
    slow = battle.answers.get(model__slug="slow-100")
    for answer in battle.answers.exclude(pk=slow.pk):
        stream_answer(answer_id=answer.pk)
    streaming = threading.Thread(target=stream_answer, kwargs={"answer_id": slow.pk})
    streaming.start()
    try:
        client.force_login(player)
        partial = wait_for(
            lambda: (page := partial_of(client, challenge, battle)) and "palabra3" in page and page,
            "part of the answer on the page",
        )
        row = BattleAnswer.objects.get(pk=slow.pk)
        assert row.status == BattleAnswer.Status.STREAMING
        if "palabra39" not in partial:  # still streaming when the page was read
            assert row.text == ""  # only in the cache so far
            assert 'hx-trigger="every 1s"' in partial
    finally:
        streaming.join(timeout=30)
    row = BattleAnswer.objects.get(pk=slow.pk)
    assert row.status == BattleAnswer.Status.DONE and row.text == WORDS and row.first_token_at
    done = partial_of(client, challenge, battle)
    assert "palabra39" in done and "hx-trigger" not in done
    assert Battle.objects.get(pk=battle.pk).status == Battle.Status.READY


def test_the_polled_partial_costs_the_same_queries_however_many_turns(
    client, challenge, models, player
):
    """One query for the battle with its answers (plus the session, the person, the edition
    and the challenge, which production remembers), one cache read for the streaming texts;
    no writes."""
    battle = start_battle(
        challenge=challenge,
        user=player,
        text="¿Qué?",
        country="PE",
        enqueue=stream_answer_task.delay,
    )
    client.force_login(player)

    def count() -> list[str]:
        BattleAnswer.objects.filter(battle=battle, turn=len(battle.turns) - 1).update(
            status=BattleAnswer.Status.STREAMING
        )
        Battle.objects.filter(pk=battle.pk).update(status=Battle.Status.ANSWERING)
        for answer in BattleAnswer.objects.filter(status=BattleAnswer.Status.STREAMING):
            store_live_text(answer_id=answer.pk, text=f"Texto en curso {answer.pk}")
        with CaptureQueriesContext(connection) as queries:
            page = partial_of(client, challenge, battle)
        for answer in BattleAnswer.objects.filter(status=BattleAnswer.Status.STREAMING):
            assert f"Texto en curso {answer.pk}" in page
        BattleAnswer.objects.update(status=BattleAnswer.Status.DONE)
        Battle.objects.filter(pk=battle.pk).update(status=Battle.Status.READY)
        return [query["sql"] for query in queries.captured_queries]

    one_turn = count()
    for number in range(2):
        battle = continue_battle(
            battle_id=battle.pk, user=player, text=f"¿Y {number}?", enqueue=lambda pk: None
        )
        BattleAnswer.objects.update(status=BattleAnswer.Status.DONE)
        Battle.objects.filter(pk=battle.pk).update(status=Battle.Status.READY)
    three_turns = count()
    assert len(three_turns) == len(one_turn)
    assert len([sql for sql in three_turns if '"arena_' in sql]) == 1
    assert not [sql for sql in three_turns if not sql.startswith("SELECT")]


def test_a_stream_cut_midway_fails_its_answer_and_the_battle_does_not_count(
    client, challenge, edition, fake_openai, arena_key, player
):
    for slug in ("cut-3", "fine"):
        make_model(edition=edition, base_url=fake_openai.base_url, slug=slug)
    battle = start_battle(
        challenge=challenge, user=player, text="¿Qué?", country="PE", enqueue=lambda pk: None
    )
    for answer in battle.answers.all():
        stream_answer(answer_id=answer.pk)
    cut = BattleAnswer.objects.get(battle=battle, model__slug="cut-3")
    assert cut.status == BattleAnswer.Status.FAILED
    assert cut.failure == BattleAnswer.Failure.CONNECTION and cut.finished_at
    battle.refresh_from_db()
    assert battle.status == Battle.Status.FAILED
    with pytest.raises(ContributionRefused):
        vote_battle(battle_id=battle.pk, user=player, choice="a")
    assert not counted_battles(challenge=challenge).exists()
    client.force_login(player)
    page = partial_of(client, challenge, battle)
    assert "hx-trigger" not in page and 'data-status="failed"' in page


def test_an_answer_abandoned_midstream_by_a_killed_worker_fails_and_does_not_count(
    client, challenge, edition, fake_openai, arena_key, player, settings
):
    for slug in ("alpaca", "condor"):
        make_model(edition=edition, base_url=fake_openai.base_url, slug=slug)
    battle = start_battle(
        challenge=challenge, user=player, text="¿Qué?", country="PE", enqueue=lambda pk: None
    )
    first, second = battle.answers.all()
    stream_answer(answer_id=first.pk)
    # The worker claimed the second one and died mid-stream, its text so far in the cache.
    BattleAnswer.objects.filter(pk=second.pk).update(status=BattleAnswer.Status.STREAMING)
    store_live_text(answer_id=second.pk, text="Medio texto")
    client.force_login(player)
    assert "Medio texto" in partial_of(client, challenge, battle)
    settings.ARENA_ANSWER_SECONDS = -1  # its time is up
    assert fail_stale_answers() == 1
    battle.refresh_from_db()
    assert battle.status == Battle.Status.FAILED
    assert BattleAnswer.objects.get(pk=second.pk).failure == BattleAnswer.Failure.TIMEOUT
    page = partial_of(client, challenge, battle)
    assert "Medio texto" not in page and "hx-trigger" not in page
    with pytest.raises(ContributionRefused):
        vote_battle(battle_id=battle.pk, user=player, choice="b")
    assert not counted_battles(challenge=challenge).exists()
