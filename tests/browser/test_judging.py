"""Judging at scale in a real Chromium: an organizer invites a judge and assigns the teams, the
judge accepts the emailed link and marks from "next team to judge" (the draft autosaved), the
organizer publishes, and the public gallery shows the points and ranks."""

import re
from decimal import Decimal

import pytest
from django.core import mail

from challenges.projects.models import ProjectSubmission
from judging.models import Assignment
from scoring.models import Criterion, JudgeReview
from tests.browser.test_challenges import log_in
from tests.factories import ChallengeFactory, make_team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_invite_assign_mark_publish_and_the_gallery(
    browser, live_server, edition, roles, organizer, screenshot
):
    demo = ChallengeFactory(
        edition=edition, slug="demo", kind="demo", category="deliverable", title_en="Demo",
        max_points=Decimal("0.5"), scoring={"rule": "judged"},
    )  # fmt: skip
    Criterion.objects.create(challenge=demo, label_es="Claridad", label_en="Clarity", position=1)
    for name in ("Tucán", "Jaguar"):
        ProjectSubmission.objects.create(team=make_team(edition=edition, name=name))

    staff = browser.new_context(locale="en-US").new_page()
    log_in(staff, live_server, organizer)
    staff.goto(f"{live_server.url}/organize/")
    staff.get_by_role("link", name="Judges, rubrics, assignments and progress").click()
    staff.get_by_role("link", name="Judges and invitations").click()
    staff.get_by_label("Judge's email address").fill("jueza@example.org")
    staff.get_by_role("button", name="Send the invitation").click()
    assert "An invitation was sent to jueza@example.org." in staff.inner_text("body")
    link = re.search(r"https?://\S+/judging/invitations/\S+/", mail.outbox[-1].body).group(0)

    judge = browser.new_context(locale="en-US").new_page()
    judge.goto(link)
    judge.get_by_label("Your name, as organizers see it").fill("Ana Jueza")
    judge.get_by_label("Password").fill("una-clave-muy-larga-42")
    judge.get_by_role("button", name="Accept the invitation").click()
    assert "Welcome! You are now a judge of this edition." in judge.inner_text("body")
    assert judge.get_by_role("link", name="Judging").count() == 1  # the menu entry

    staff.goto(f"{live_server.url}/organize/judging/demo/assignment/")
    staff.get_by_label("Judges per team").fill("1")
    staff.get_by_role("button", name="Save the settings").click()
    staff.get_by_role("button", name="Assign the judges").click()
    assert "Judges assigned: loads from 2 to 2 teams." in staff.inner_text("body")
    assert Assignment.objects.filter(challenge=demo).count() == 2
    screenshot(staff, "30-judging-assignment")

    judge.goto(f"{live_server.url}/judging/")
    judge.get_by_role("link", name=re.compile("Next team to judge")).click()
    judge.wait_for_function("() => window.htmx !== undefined")
    judge.get_by_label("Clarity").fill("8")
    judge.locator("#autosave-status", has_text="Draft saved.").wait_for()
    assert JudgeReview.objects.get().submitted_at is None
    screenshot(judge, "31-judge-project-page")
    judge.get_by_role("button", name="Submit the marks").click()
    assert "Your marks for" in judge.inner_text("body")  # and on to the next team
    judge.get_by_label("Clarity").fill("6")
    judge.get_by_role("button", name="Submit the marks").click()
    assert "every project assigned to you is marked" in judge.inner_text("body")

    staff.goto(f"{live_server.url}/organize/")
    staff.get_by_role("button", name="Publish the judged points").click()
    visitor = browser.new_context(locale="en-US").new_page()
    visitor.goto(f"{live_server.url}/projects/")
    cards = visitor.locator("article.card")
    assert cards.count() == 2
    body = visitor.inner_text("main")
    assert "0.400 · rank 1" in body and "0.300 · rank 2" in body
    screenshot(visitor, "32-project-gallery")
