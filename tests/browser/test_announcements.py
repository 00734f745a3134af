"""In a real Chromium: an organizer posts an announcement, which goes once to the Discord
channel (a fake webhook) and shows, its Markdown rendered and sanitized, on the home page; the
calendar shows its times in the browser's own time zone."""

import datetime as dt

import pytest

from announcements.models import Announcement
from tests.announcements.fake_discord import FakeDiscord
from tests.browser.test_challenges import log_in
from tests.browser.test_security_policy import RECORD_VIOLATIONS
from tests.factories import ChallengeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_organizer_posts_an_announcement_seen_on_the_home_page(
    browser, live_server, edition, organizer, settings, screenshot
):
    with FakeDiscord() as discord:
        settings.DISCORD_WEBHOOK_URL = discord.webhook_url
        page = browser.new_context(locale="en-US").new_page()
        log_in(page, live_server, organizer)
        page.goto(f"{live_server.url}/organize/")
        page.get_by_role("link", name="Announcements").last.click()
        page.get_by_label("Title (Spanish)").fill("BLEND se amplía")
        page.get_by_label("Text (Spanish)").fill("El reto **BLEND** cierra el 31 de mayo.")
        page.get_by_label("Title (English)").fill("BLEND is extended")
        page.get_by_label("Text (English)").fill(
            "The **BLEND** challenge closes on 31 May.<script>window.hacked = 1</script>"
            '<a href="#" onclick="window.hacked = 1">details</a>'
        )
        screenshot(page, "40-announcement-form")
        page.get_by_role("button", name="Post the announcement").click()
        page.get_by_text("Announcement “BLEND is extended” posted.").wait_for()
        assert (
            page.locator("tr", has_text="BLEND is extended").locator(".badge").inner_text()
            == "sent"
        )
        assert [m["embeds"][0]["title"] for m in discord.state.messages] == ["BLEND se amplía"]

    visitor = browser.new_context(locale="en-US")
    visitor.add_init_script(RECORD_VIOLATIONS)
    home = visitor.new_page()
    home.goto(f"{live_server.url}/")
    section = home.get_by_role("region", name="Announcements")
    section.get_by_role("heading", name="BLEND is extended").wait_for()
    assert section.locator("strong", has_text="BLEND").count() == 1
    home.get_by_role("link", name="details").click()
    assert home.evaluate("window.hacked") is None
    assert home.evaluate("window.__violations") == []
    screenshot(home, "41-announcement-on-home")
    home.get_by_role("link", name="Every announcement").click()
    home.wait_for_url("**/announcements/")
    assert home.get_by_role("heading", name="BLEND is extended").count() == 1
    assert Announcement.objects.get().discord_state == "sent"


def test_the_calendar_shows_the_browsers_time_zone(browser, live_server, edition, screenshot):
    ChallengeFactory(
        edition=edition,
        title_en="Exams",
        opens_at=dt.datetime(2025, 4, 9, 12, tzinfo=dt.UTC),
        closes_at=dt.datetime(2025, 5, 31, 12, tzinfo=dt.UTC),
    )
    context = browser.new_context(locale="en-US", timezone_id="America/Lima")
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.goto(f"{live_server.url}/calendar/")
    row = page.locator("tr", has_text="“Exams” closes")
    # 12:00 UTC is 07:00 in Lima (UTC-5) and 00:00 in AoE (UTC-12).
    assert "07:00" in row.locator("td").first.inner_text()
    assert "00:00" in row.locator("td").nth(1).inner_text()
    assert page.locator("[data-zone-name]").inner_text() == "America/Lima"
    assert page.get_by_label("Show the times in").input_value() == "America/Lima"
    assert page.evaluate("window.__violations") == []
    screenshot(page, "42-calendar-local-zone")
