"""The edition file is enough: loaded into an empty database (no factory, no admin step), it
lets a newcomer sign up and take part in every challenge, in a real Chromium."""

import datetime as dt
import json
import re
import zoneinfo
from pathlib import Path

import pytest
from django.core.management import call_command

from challenges.blend.models import BlendAnswer
from challenges.domain.editions import read_edition_file
from challenges.include.models import ExamQuestion
from challenges.models import Edition
from challenges.preferences.models import Prompt, QuizAttempt, QuizChoice
from challenges.projects.models import ProjectSubmission
from challenges.stereotypes.models import StereotypeRating
from tests.browser.test_journey import fill_profile, sign_up_and_verify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
EDITION_FILE = Path(__file__).resolve().parents[2] / "editions" / "somosnlp-2025.toml"
ORG = "somosnlp-hackathon-2025"


def load(first_day: dt.date) -> None:
    call_command("load_edition", str(EDITION_FILE), "--starting-on", first_day.isoformat())


def edition_today() -> dt.date:
    """Today where the edition's days are counted (its time zone, Anywhere on Earth): until noon
    UTC that is still yesterday, and a window opening "today" is not open yet."""
    zone = read_edition_file(EDITION_FILE)["edition"].get("time_zone", "Etc/GMT+12")
    return dt.datetime.now(zoneinfo.ZoneInfo(zone)).date()


def test_a_newcomer_takes_part_in_every_challenge_of_the_loaded_file(
    browser, live_server, screenshot, tmp_path
):
    today = edition_today()
    # Twelve days in (the 2025 calendar's 21 April): every window is open but the paper's.
    load(today - dt.timedelta(days=12))
    assert Edition.objects.count() == 1
    page = browser.new_context(locale="en-US").new_page()
    url = live_server.url
    sign_up_and_verify(page, live_server, "lucia@example.org")
    fill_profile(page, name="Lucía Mamani", discord="lucia_m", hub="lucia-m")
    page.get_by_role("link", name="My team").click()
    page.get_by_label("Team name").fill("Las Llamas")
    page.get_by_label("Countries represented").select_option(["PE"])
    page.get_by_role("button", name="Create the team").click()
    page.get_by_text("Team “Las Llamas” created").wait_for()

    # INCLUDE: declare an exam, upload its questions.
    page.goto(f"{url}/include/include/")
    page.locator("#id_name").fill("Examen de admisión UNMSM")
    page.locator("#id_language").fill("es")
    page.locator("#id_country").select_option("PE")
    page.locator("#id_domain").fill("historia")
    page.locator("#id_level").fill("secundaria")
    page.locator("#id_declared_questions").fill("1")
    page.locator("#id_source").fill("https://example.org/examen")
    page.locator("#id_original_format").select_option("pdf")
    page.get_by_role("button", name="Declare the exam").first.click()
    page.wait_for_load_state()
    questions = tmp_path / "questions.json"
    questions.write_text(
        json.dumps(
            [
                {
                    "question_id": "1",
                    "question": "¿En qué año se fundó la Universidad de San Marcos?",
                    "options": {"a": "1551", "b": "1821", "c": "1492", "d": "1900"},
                    "correct_answer": "a",
                    "category": "historia",
                }
            ]
        ),
        encoding="utf-8",
    )
    page.locator("input[type=file]").set_input_files(str(questions))
    page.get_by_role("button", name="Upload").click()
    page.wait_for_load_state()
    page.wait_for_function("() => !document.querySelector('[data-upload-running]')")
    screenshot(page, "30-edition-include")

    # Stereotypes: consent, languages and nationalities, one rating.
    page.goto(f"{url}/stereotypes/stereotypes/")
    page.get_by_label("I have read this text and I agree").check()
    page.get_by_role("button", name="Accept and continue").click()
    page.wait_for_load_state()
    if "/profile/" not in page.url:
        page.goto(f"{url}/stereotypes/stereotypes/profile/")
    page.locator("input[name=languages][value=es]").check()
    page.get_by_label("Nationalities you identify with").fill("peruanos")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    page.goto(f"{url}/stereotypes/stereotypes/")
    page.locator('#validator input[name="rating"][value="4"]').check()
    page.get_by_role("button", name="Save the rating").click()
    page.wait_for_load_state()
    screenshot(page, "31-edition-stereotypes")

    # BLEND: answer a question of the person's country, from the file's question bank.
    page.goto(f"{url}/blend/blend/")
    assert "Perú" in page.locator("main").inner_text()
    page.get_by_label("Answer 1").fill("Pan con chicharrón y café")
    page.get_by_role("button", name="Submit the answer").click()
    page.wait_for_load_state()
    screenshot(page, "32-edition-blend")

    # Preferences: the quiz from the file (its options shuffled), then a prompt.
    page.goto(f"{url}/preferences/preferences/quiz/")
    correct = set(QuizChoice.objects.filter(is_correct=True).values_list("pk", flat=True))
    for pk in correct:
        page.locator(f"input[type=radio][value='{pk}']").check()
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_text("You passed with 5 of 5").wait_for()
    page.goto(f"{url}/preferences/preferences/")
    page.locator("input[name=language][value=es]").check()
    page.locator("#id_text").fill(
        "¿Qué plato se prepara en Arequipa para el almuerzo de los domingos y por qué?"
    )
    page.get_by_role("button", name="Submit the prompt").click()
    page.get_by_text("Your prompt was saved.").wait_for()
    screenshot(page, "33-edition-preferences")

    # Alignment, demo and video: the team's project.
    page.goto(f"{url}/team/project/")
    page.locator("#id_track").select_option("A")
    page.locator("#id_model_repos").fill(f"{ORG}/llama-andino")
    page.locator("#id_dataset_repos").fill(f"{ORG}/preferencias-dpo")
    page.locator("#id_demo_space").fill(f"{ORG}/demo-llamas")
    page.locator("#id_video_url").fill("https://youtu.be/llamas")
    page.locator("#id_video_length").fill("4:50")
    assert page.locator("#id_paper_url").is_disabled()
    page.get_by_role("button", name="Save the project").click()
    page.get_by_text("The project was saved.").wait_for()
    screenshot(page, "34-edition-project")

    # The paper opens later (1 June of the 2025 calendar): the organizers move the dates.
    load(today - dt.timedelta(days=53))
    page.goto(f"{url}/team/project/")
    page.locator("#id_paper_url").fill("https://arxiv.org/abs/2506.00001")
    page.get_by_role("button", name="Save the project").click()
    page.get_by_text("The project was saved.").wait_for()

    assert ExamQuestion.objects.filter(exam__author__email="lucia@example.org").count() == 1
    assert StereotypeRating.objects.filter(author__email="lucia@example.org").count() == 1
    assert (
        BlendAnswer.objects.filter(author__email="lucia@example.org")
        .exclude(status="draft")
        .exists()
    )
    assert QuizAttempt.objects.filter(passed=True).count() == 1
    assert Prompt.objects.filter(author__email="lucia@example.org").count() == 1
    submission = ProjectSubmission.objects.get()
    assert submission.demo_space == f"{ORG}/demo-llamas"
    assert submission.video_seconds == 290
    assert re.match(r"https://arxiv.org/abs/", submission.paper_url)
