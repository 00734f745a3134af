"""The review queue in a real Chromium: the select-all box (static script, under the site's
Content-Security-Policy) ticks every row of the page, and "apply to every matching item" asks
for a confirmation naming the count before deciding exactly those."""

import pytest

from challenges.models import ContributionStatus, ReviewDecision
from tests.browser.test_challenges import log_in
from tests.challenges.include.factories import (
    ExamFactory,
    ExamQuestionFactory,
    IncludeChallengeFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_select_all_and_a_confirmed_decision_on_every_matching_item(
    browser, live_server, edition, organizer, screenshot
):
    include = IncludeChallengeFactory(edition=edition)
    wanted = ExamFactory(challenge=include, name="Examen de Lima")
    matching = ExamQuestionFactory.create_batch(3, exam=wanted)
    other = ExamQuestionFactory(exam=ExamFactory(challenge=include, name="Examen de Quito"))
    page = browser.new_context(locale="en-US").new_page()
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    log_in(page, live_server, organizer)

    page.goto(f"{live_server.url}/organize/{include.slug}/review/")
    select_all = page.get_by_label("Select every item of this page")
    select_all.check()
    boxes = page.locator("input[name=ids]")
    assert boxes.count() == 4
    assert all(boxes.nth(index).is_checked() for index in range(4))
    boxes.first.uncheck()
    assert select_all.evaluate("box => box.indeterminate")

    page.get_by_label("Exam").select_option(label=f"Examen de Lima (#{wanted.pk})")
    page.get_by_role("button", name="Filter", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("input[name=ids]").count() == 3
    screenshot(page, "review-queue-00-filtered-by-exam")
    decision = page.get_by_role("group", name="Decide on the selected items")
    decision.locator("select[name=status]").select_option("validated")
    page.get_by_role("button", name="Apply to all 3 items matching the filters").click()
    page.get_by_text("will be applied to 3 items").wait_for()
    screenshot(page, "review-queue-01-confirm-matching")
    assert not ReviewDecision.objects.exists()
    page.get_by_role("button", name="Decide 3 items").click()
    page.get_by_text("3 items decided.").wait_for()

    assert set(ReviewDecision.objects.values_list("item_id", flat=True)) == {
        item.pk for item in matching
    }
    other.refresh_from_db()
    assert other.status == ContributionStatus.PENDING
    assert not [text for text in errors if "Content Security Policy" in text]
