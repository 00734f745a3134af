"""The participant journey in a real Chromium: sign up, verify the email, fill the profile,
create a team, and a second person joins by the invitation link."""

import re

import pytest
from django.core import mail

from teams.models import Team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "una-clave-bastante-larga-2025"


def sign_up_and_verify(page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_label("Email:").fill(email)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again):").fill(PASSWORD)
    sent = len(mail.outbox)
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_load_state()
    assert len(mail.outbox) == sent + 1, "the verification email was not sent"
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r".*/profile/$"))


def fill_profile(page, *, name: str, discord: str, hub: str) -> None:
    page.get_by_label("Display name").fill(name)
    page.get_by_label("Discord username").fill(discord)
    page.get_by_label("Hugging Face username").fill(hub)
    page.get_by_label("Country").select_option("PE")
    page.get_by_label("Spanish").check()
    page.get_by_label("I accept how my contributed data will be used").check()
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("Your profile was saved.").wait_for()


def test_sign_up_profile_team_and_invitation(browser, live_server, edition, screenshot):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    sign_up_and_verify(page, live_server, "ana@example.org")
    screenshot(page, "01-profile-empty")
    fill_profile(page, name="Ana Quispe", discord="ana_quispe", hub="ana-quispe")
    assert page.locator("#step-registration .badge").inner_text() == "Done"
    assert page.locator("#step-hub_organization .badge").inner_text() == "Pending verification"
    screenshot(page, "02-profile-done")

    page.get_by_role("link", name="My team").click()
    page.get_by_label("Team name").fill("Las Vicuñas")
    page.get_by_label("Countries represented").select_option(["PE", "BO"])
    page.get_by_role("button", name="Create the team").click()
    page.get_by_text("Team “Las Vicuñas” created").wait_for()
    invite = page.get_by_label("Invitation link").input_value()
    assert invite.startswith(live_server.url + "/join/")
    screenshot(page, "03-team-created")

    second = browser.new_context(locale="en-US").new_page()
    sign_up_and_verify(second, live_server, "bruno@example.org")
    fill_profile(second, name="Bruno Souza", discord="bruno_souza", hub="bruno-souza")
    second.goto(invite)
    second.get_by_role("button", name="Join the team").click()
    second.get_by_text("Welcome to “Las Vicuñas”!").wait_for()
    screenshot(second, "04-second-member-joined")

    team = Team.objects.get()
    page.goto(f"{live_server.url}/teams/{team.pk}/")
    members = page.locator("main").inner_text()
    assert "Ana Quispe" in members and "Bruno Souza" in members
    assert "@example.org" not in members
    screenshot(page, "05-public-team-page")
    context.close()


def test_pages_are_spanish_by_default_and_switch_language(
    browser, live_server, edition, screenshot
):
    page = browser.new_context(locale="es-ES").new_page()
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "es"
    page.get_by_role("navigation", name="Idioma").get_by_role("link", name="Português").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "pt"
    screenshot(page, "06-home-portuguese")
