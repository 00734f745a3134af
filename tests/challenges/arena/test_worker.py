"""Battles through a real Celery worker of many threads (the arena queue's pool), fed by Redis,
streaming from the fake server: the page sees the text grow (from the cache the worker and the
web share), two battles stream at once."""

import pytest

from challenges.arena.domain.battles import start_battle, vote_battle
from challenges.arena.models import Battle, BattleAnswer
from challenges.arena.tasks import stream_answer_task
from tests.challenges.arena.conftest import make_model

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_two_battles_stream_at_once_and_the_page_sees_the_text_grow(
    client, challenge, edition, fake_openai, player, arena_worker
):
    fake_openai.answers.update(
        {f"slow-{ms}": " ".join(f"palabra{n}" for n in range(30)) for ms in (40, 60)}
    )
    for slug in ("slow-40", "slow-60"):
        make_model(edition=edition, base_url=fake_openai.base_url, slug=slug)
    arena_worker.start()
    first, second = (
        start_battle(
            challenge=challenge,
            user=player,
            text=f"¿Qué se come en Lima, {n}?",
            country="PE",
            enqueue=stream_answer_task.delay,
        )
        for n in (1, 2)
    )
    client.force_login(player)
    url = f"/arena/{challenge.slug}/battle/{first.pk}/"

    def part_of_an_answer():
        page = client.get(url, headers={"HX-Request": "true"}).content.decode()
        rows = BattleAnswer.objects.filter(battle=first, status=BattleAnswer.Status.STREAMING)
        texts = list(rows.values_list("text", flat=True))
        return "palabra3" in page and "palabra29" not in page and texts and (page, texts)

    partial, texts = arena_worker.wait_for(part_of_an_answer, "part of an answer on the page")
    assert 'hx-trigger="every 1s"' in partial  # still polling while the models write
    # The text came from the worker's cache: the rows get it when the answers end.
    assert texts == [""] * len(texts)
    for battle in (first, second):
        arena_worker.wait_for(
            lambda battle=battle: Battle.objects.filter(
                pk=battle.pk, status=Battle.Status.READY
            ).exists(),
            f"battle {battle.pk} to be ready",
        )
    answers = list(BattleAnswer.objects.all())
    assert [a.status for a in answers] == [BattleAnswer.Status.DONE] * 4
    # At once, not one after another: every answer began before any of them ended.
    assert max(a.first_token_at for a in answers) < min(a.finished_at for a in answers)
    done = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done and "palabra29" in done
    assert vote_battle(battle_id=first.pk, user=player, choice="a").vote.user == player
