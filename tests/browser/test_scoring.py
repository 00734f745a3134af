"""Judging in a real Chromium: a judge marks a team, an organizer reads the judges' results and
publishes the judged points, and the public leaderboard shows them."""

from decimal import Decimal

import pytest

from scoring.models import Criterion
from tests.browser.test_challenges import log_in
from tests.factories import ChallengeFactory, UserFactory, assign_judge, make_team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_judge_marks_and_an_organizer_publishes(
    browser, live_server, edition, roles, organizer, screenshot
):
    demo = ChallengeFactory(
        edition=edition, slug="demo", kind="demo", category="deliverable", title_en="Demo",
        max_points=Decimal("0.5"), scoring={"rule": "judged"},
    )  # fmt: skip
    for position, label in enumerate(["Clarity", "Content"], start=1):
        Criterion.objects.create(
            challenge=demo, label_es=label, label_en=label, weight=Decimal(1), position=position
        )
    team = make_team(edition=edition, name="Tucán")
    judge = UserFactory()
    judge.groups.add(roles["judges"])
    assign_judge(challenge=demo, team=team, judge=judge)

    page = browser.new_context(locale="en-US").new_page()
    log_in(page, live_server, judge)
    page.goto(f"{live_server.url}/judging/")
    page.get_by_role("link", name="Mark").click()
    page.get_by_label("Clarity").fill("10")
    page.get_by_label("Content").fill("8")
    screenshot(page, "23-judge-marks")
    page.get_by_role("button", name="Submit the marks").click()
    assert "Your marks for “Tucán” were saved." in page.inner_text("body")
    assert page.get_by_role("link", name="Marked: edit").count() == 1

    page = browser.new_context(locale="en-US").new_page()
    log_in(page, live_server, organizer)
    page.goto(f"{live_server.url}/organize/")
    page.get_by_role("link", name="Judges' results · Demo").click()
    row = page.locator("tr", has_text="Tucán")
    assert "9" in row.locator("td").nth(1).inner_text()  # (10 + 8) / 2 out of 10
    screenshot(page, "24-judges-results")
    page.goto(f"{live_server.url}/organize/")
    page.get_by_role("button", name="Publish the judged points").click()
    assert "The judged points are now public on the leaderboard." in page.inner_text("body")

    visitor = browser.new_context(locale="en-US").new_page()
    visitor.goto(f"{live_server.url}/leaderboard/")
    first = visitor.locator("table.leaderboard tbody tr").first
    assert "Tucán" in first.inner_text() and "0.45" in first.inner_text()
    screenshot(visitor, "25-leaderboard-judged")
