"""Challenge journeys in a real Chromium: the stereotype validator by keyboard, without page
reloads; the public leaderboard."""

import pytest

from challenges.stereotypes.models import StereotypeRating
from tests.challenges.stereotypes.factories import (
    PairFactory,
    StereotypesChallengeFactory,
    make_ready,
)
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    from allauth.account.models import EmailAddress

    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def wait_until_htmx_ready(page):
    """htmx (loaded with defer) has processed the validator's form: a key press now posts it
    with htmx, not as a plain form."""
    # Functions, not expressions: Playwright evaluates an expression with eval, which the
    # Content-Security-Policy refuses.
    page.wait_for_function(
        "() => window.htmx !== undefined && !!document.querySelector('#validator form')"
        " && !!document.querySelector('#validator form')['htmx-internal-data']"
    )


def test_rating_stereotypes_with_the_keyboard_alone(browser, live_server, edition, screenshot):
    challenge = StereotypesChallengeFactory(edition=edition)
    PairFactory.create_batch(3, challenge=challenge)
    person = UserFactory()
    make_ready(person, challenge)
    page = browser.new_context(locale="en-US").new_page()
    log_in(page, live_server, person)
    page.goto(f"{live_server.url}/stereotypes/{challenge.slug}/")
    wait_until_htmx_ready(page)
    first_pair = page.locator("#validator-title").inner_text()
    page.evaluate("window.__noReload = true")
    screenshot(page, "10-stereotype-validator")

    page.locator("body").press("3")
    assert page.locator('#validator input[name="rating"][value="3"]').is_checked()
    page.get_by_role("button", name="Save the rating").focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(first) => document.querySelector('#validator-title').innerText !== first", arg=first_pair
    )
    assert page.evaluate("window.__noReload") is True, (
        "the page reloaded instead of swapping the pair"
    )
    second_pair = page.locator("#validator-title").inner_text()
    # After the swap, focus moves to the new pair's heading (for screen readers and keyboards).
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'validator-title'"
    )
    wait_until_htmx_ready(page)

    page.get_by_role("button", name="Skip this pair").focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(second) => document.querySelector('#validator-title').innerText !== second",
        arg=second_pair,
    )
    assert page.evaluate("window.__noReload") is True
    screenshot(page, "11-stereotype-next-pair")

    ratings = StereotypeRating.objects.filter(author=person)
    assert ratings.filter(skipped=False, rating=3).count() == 1
    assert ratings.filter(skipped=True).count() == 1


def test_the_public_leaderboard(browser, live_server, edition, screenshot):
    from decimal import Decimal

    from scoring.models import TeamScore
    from tests.factories import ChallengeFactory, make_team

    challenge = ChallengeFactory(edition=edition, slug="include")
    for index, name in enumerate(["Cóndores", "Alpacas", "Tucanes"]):
        TeamScore.objects.create(
            team=make_team(edition=edition, name=name),
            challenge=challenge,
            counted=100 * index,
            points=Decimal(index) / 2,
            public_points=Decimal(index) / 2,
        )
    page = browser.new_context(locale="es-ES").new_page()
    page.goto(f"{live_server.url}/leaderboard/")
    rows = page.locator("table.leaderboard tbody tr")
    assert rows.count() == 3
    assert rows.first.inner_text().startswith("1")
    assert "Tucanes" in rows.first.inner_text()
    screenshot(page, "12-leaderboard")
