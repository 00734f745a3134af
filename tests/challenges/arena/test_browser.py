"""A whole battle in Chromium, answers streamed by a real worker: the text appears as the
models write, the vote, the reveal."""

import pytest

from challenges.arena.models import Battle
from tests.browser.test_challenges import log_in
from tests.challenges.arena.conftest import make_model

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

ANSWER = " ".join(f"palabra{n}" for n in range(40))


def test_a_whole_battle(
    browser, screenshot, live_server, challenge, edition, fake_openai, player, arena_worker
):
    fake_openai.answers.update({"slow-50": ANSWER, "slow-70": ANSWER.replace("palabra", "voz")})
    for slug in ("slow-50", "slow-70"):
        make_model(edition=edition, base_url=fake_openai.base_url, slug=slug)
    arena_worker.start()
    page = browser.new_page()
    log_in(page, live_server, player)
    page.goto(f"{live_server.url}/arena/{challenge.slug}/")
    page.locator("#id_country").select_option("PE")
    page.locator("input[name=language][value=es]").check()
    page.locator("#id_text").fill("¿Qué se come en Lima un domingo?")
    page.get_by_role("button", name="Ask both models").or_(
        page.get_by_role("button", name="Pregunta a los dos modelos")
    ).click()
    page.wait_for_url("**/battle/*/")
    # Part of an answer, while the models still write.
    page.wait_for_function(
        "() => document.body.innerText.includes('palabra5')"
        " && !document.body.innerText.includes('palabra39')"
    )
    screenshot(page, "arena-streaming")
    battle = Battle.objects.select_related("model_a", "model_b").get()
    assert battle.model_a.display_name not in page.content()
    page.locator("button[name=choice][value=a]").wait_for(timeout=30_000)
    assert "palabra39" in page.inner_text("body") and "voz39" in page.inner_text("body")
    page.locator("button[name=choice][value=a]").click()
    page.wait_for_load_state()
    text = page.inner_text("body")
    assert battle.model_a.display_name in text and battle.model_b.display_name in text
    screenshot(page, "arena-revealed")
    battle.refresh_from_db()
    assert battle.status == Battle.Status.VOTED and battle.vote.user == player
