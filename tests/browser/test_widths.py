"""The main pages fit a 390 px phone (nothing wider than the screen), and the leaderboard's
first columns stay readable at a desktop's 1366 px and when its table scrolls."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command

from challenges.projects.models import ProjectSubmission
from scoring.domain import recompute_scores
from teams.models import Team
from tests.browser.test_challenges import log_in
from tests.browser.test_edition_journey import edition_today
from tests.factories import make_team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
EDITION_FILE = Path(__file__).resolve().parents[2] / "editions" / "somosnlp-2025.toml"
ORG = "somosnlp-hackathon-2025"

# Returns the elements wider than the viewport, to name them when the page overflows.
WIDEST = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > width + 1 && !el.closest('.table-wrap'))
    .filter(el => ![...el.children].some(c => c.getBoundingClientRect().right > width + 1))
    .slice(0, 5).map(el => el.tagName + '.' + el.className + '#' + el.id + ':'
                     + Math.round(el.getBoundingClientRect().width));
}"""


@pytest.fixture
def world(db):
    start = edition_today() - dt.timedelta(days=12)
    call_command("load_edition", str(EDITION_FILE), "--starting-on", start.isoformat())
    from challenges.models import Edition

    edition = Edition.objects.get()
    team = make_team(edition=edition, members=3, name="Las Vicuñas Andinas del Altiplano Sur")
    ProjectSubmission.objects.create(
        team=team,
        demo_space=f"{ORG}/una-demo-con-un-nombre-bastante-largo-para-probar",
        video_url="https://www.youtube.com/watch?v=un-video-con-un-identificador-largo",
        video_seconds=290,
    )
    for number in range(3):
        make_team(edition=edition, members=2, name=f"Equipo número {number} con nombre largo")
    recompute_scores(edition=edition, cause="test")
    return edition, team


def test_the_main_pages_fit_a_390_px_phone(browser, live_server, world, screenshot):
    edition, team = world
    captain = team.memberships.get(role="captain").user
    page = browser.new_context(locale="es-ES", viewport={"width": 390, "height": 844}).new_page()
    log_in(page, live_server, captain)
    pages = [
        "/",
        "/challenges/include/",
        "/challenges/demo/",
        "/team/",
        "/team/project/",
        f"/teams/{team.pk}/",
        "/teams/",
        "/leaderboard/",
        "/profile/",
        "/blend/blend/",
        "/preferences/preferences/quiz/",
    ]
    too_wide = {}
    for path in pages:
        page.goto(live_server.url + path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > 390:
            too_wide[path] = (width, page.evaluate(WIDEST))
            screenshot(page, "40-too-wide-" + path.strip("/").replace("/", "-"))
    assert too_wide == {}


def test_the_leaderboards_first_columns_stay_in_view(browser, live_server, world, screenshot):
    page = browser.new_context(locale="es-ES", viewport={"width": 1366, "height": 900}).new_page()
    page.goto(live_server.url + "/leaderboard/")
    # The table fits its box at 1366 px, headers included.
    box = page.evaluate(
        """() => { const wrap = document.querySelector('.table-wrap');
                  return [wrap.scrollWidth, wrap.clientWidth]; }"""
    )
    assert box[0] <= box[1], box
    screenshot(page, "41-leaderboard-1366")
    # On a phone the table scrolls, and the rank and team columns stay where they are.
    phone = browser.new_context(locale="es-ES", viewport={"width": 390, "height": 844}).new_page()
    phone.goto(live_server.url + "/leaderboard/")
    before = phone.evaluate(
        "() => document.querySelector('.table-wrap tbody tr td:nth-child(2)')"
        ".getBoundingClientRect().left"
    )
    phone.evaluate("() => { document.querySelector('.table-wrap').scrollLeft = 400; }")
    after = phone.evaluate(
        "() => document.querySelector('.table-wrap tbody tr td:nth-child(2)')"
        ".getBoundingClientRect().left"
    )
    assert after == before
    assert Team.objects.count() == 4
