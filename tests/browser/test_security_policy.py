"""The Content-Security-Policy breaks nothing: the main pages, in a real Chromium, report no
violation (the `securitypolicyviolation` event, and Chromium's console)."""

import pytest

from challenges.stereotypes.models import StereotypeRating
from tests.browser.test_challenges import log_in, wait_until_htmx_ready
from tests.challenges.stereotypes.factories import (
    PairFactory,
    StereotypesChallengeFactory,
    make_ready,
)
from tests.factories import make_team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before any script of the page (the browser injects it, outside the policy).
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def test_the_main_pages_report_no_policy_violation(browser, live_server, edition, screenshot):
    challenge = StereotypesChallengeFactory(edition=edition)
    PairFactory.create_batch(2, challenge=challenge)
    team = make_team(edition=edition, members=1, name="Cóndores")
    person = team.memberships.get().user
    make_ready(person, challenge)

    context = browser.new_context(locale="en-US")
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text)
            if "Content Security Policy" in message.text or "Permissions-Policy" in message.text
            else None
        ),
    )
    violations = []

    def visit(path: str) -> None:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        page.wait_for_function("() => window.htmx !== undefined")
        violations.extend(f"{path}: {v}" for v in page.evaluate("window.__violations"))

    for path in ["/", "/leaderboard/", "/teams/", "/accounts/login/", "/accounts/signup/"]:
        visit(path)
    log_in(page, live_server, person)
    for path in ["/profile/", "/team/", "/team/project/", f"/teams/{team.pk}/score/"]:
        visit(path)
    visit(f"/stereotypes/{challenge.slug}/")
    wait_until_htmx_ready(page)
    # The validator's keys (a static script now) and its htmx swap still work under the policy.
    page.locator("body").press("4")
    page.get_by_role("button", name="Save the rating").click()
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'validator-title'"
    )
    violations.extend(page.evaluate("window.__violations"))
    screenshot(page, "40-policy-validator")
    assert StereotypeRating.objects.filter(author=person, rating=4).count() == 1

    assert violations == []
    assert console == []
