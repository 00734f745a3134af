"""The organizers' Hugging Face journey in a real Chromium: start a sync, read its result, open
the repositories, settle a link conflict. The real huggingface_hub client talks to the fake Hub."""

import pytest

from challenges.projects.models import ProjectSubmission
from hub.models import HubRepo, LinkStatus, SyncRun
from tests.browser.test_challenges import log_in
from tests.factories import make_team
from tests.hub.conftest import ORG, fake_hub  # noqa: F401 - the fixture, used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_organizer_syncs_and_settles_a_conflict(
    browser,
    live_server,
    edition,
    organizer,
    fake_hub,  # noqa: F811 - the fixture imported above, requested by name
    screenshot,  # noqa: F811 - the fixture imported above, requested by name
):
    alpaca = make_team(edition=edition, members=1, name="Alpaca")
    llama = make_team(edition=edition, members=1, name="Llama")
    for team in (alpaca, llama):
        ProjectSubmission.objects.create(team=team, demo_space=f"{ORG}/demo-compartida")
    fake_hub.state.add("space", f"{ORG}/demo-compartida", day=4)
    fake_hub.state.add("model", f"{ORG}/modelo", day=5)
    fake_hub.state.add("dataset", f"{ORG}/arena-prompts", day=6)
    page = browser.new_context(locale="en-US").new_page()
    log_in(page, live_server, organizer)

    page.goto(f"{live_server.url}/organize/hub/")
    assert "No sync has run yet." in page.content()
    page.get_by_role("button", name="Sync now").click()
    page.wait_for_load_state()

    # Without a broker (as in the demo) the sync runs beside the request, which answered at
    # once; the progress part polls until the run ends, then the page reloads with its result.
    # The last runs' table is outside that part: "done" there means the page was reloaded.
    page.locator("tbody td").get_by_text("done", exact=True).wait_for(timeout=60_000)
    page.wait_for_load_state()
    run = SyncRun.objects.get()
    assert (run.status, run.created, run.details_done) == ("done", 3, 3)
    assert "3 of 3 changed repositories read" in page.locator("#sync-progress").inner_text()
    screenshot(page, "20-hub-sync-done")

    page.get_by_role("link", name="Repositories and team links").click()
    page.wait_for_load_state()
    first_row = page.locator("tbody tr").first
    assert "demo-compartida" in first_row.inner_text()  # conflicts first
    screenshot(page, "21-hub-repositories")
    first_row.get_by_role("link").click()
    page.wait_for_load_state()
    # The sync ran in the background, in no reader's language: the page writes its reason.
    assert "Declared by several teams" in page.content()

    page.get_by_label("Team").select_option(label="Llama")
    page.get_by_label("Reason").fill("Llama built the demo; Alpaca declared it by mistake")
    page.get_by_role("button", name="Save the decision").click()
    page.wait_for_load_state()

    assert "confirmed by an organizer" in page.content()
    screenshot(page, "22-hub-repository-settled")
    repo = HubRepo.objects.get(repo_id=f"{ORG}/demo-compartida")
    assert (repo.link_status, repo.team_id) == (LinkStatus.CONFIRMED, llama.pk)
