import json
import random

import pytest
from django.db.models import F

from challenges.intake import get_intake
from challenges.models import ContributionStatus
from challenges.preferences.admin import QuizChoiceFormSet
from challenges.preferences.models import (
    ArenaVote,
    Prompt,
    PromptValidation,
    QuizChoice,
    QuizQuestion,
)
from challenges.preferences.seeding import seed_items
from challenges.text import fingerprint
from tests.challenges.preferences.factories import PromptFactory, QuizFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_intake_is_registered_for_the_shared_pages():
    intake = get_intake("preferences")
    assert intake.model is Prompt and str(intake.counted_label) == "validated prompts"
    assert intake.participate_url == "preferences:home"
    assert (intake.country_lookup, intake.language_lookup) == ("country", "language")
    assert intake.export_fields == [
        "id", "country", "language", "system_prompt", "prompt", "topic", "source", "status",
        "approvals", "rejections", "author_id",
    ]  # fmt: skip


def test_exports_carry_the_author_id_and_never_an_email(client, challenge, organizer):
    prompt = PromptFactory(challenge=challenge, topic="comida", system_prompt="Eres de Lima.")
    client.force_login(organizer)
    response = client.get(f"/organize/{challenge.slug}/export.jsonl")
    body = b"".join(response.streaming_content).decode()
    row = json.loads(body.splitlines()[0])
    assert row["id"] == prompt.pk and row["author_id"] == prompt.author_id
    assert row["prompt"] == prompt.text and row["country"] == "PE" and row["topic"] == "comida"
    assert prompt.author.email not in body and prompt.author.profile.display_name not in body
    csv_body = b"".join(
        client.get(f"/organize/{challenge.slug}/export.csv").streaming_content
    ).decode()
    assert prompt.text in csv_body and "@" not in csv_body


def test_the_review_queue_shows_the_columns_and_organizers_decide(client, challenge, organizer):
    prompt = PromptFactory(challenge=challenge, country="MX", language="es", topic="fiestas")
    client.force_login(organizer)
    page = client.get(
        f"/organize/{challenge.slug}/review/?country=mx&language=es", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert prompt.text in page and "Mexico" in page and "fiestas" in page
    client.post(
        f"/organize/{challenge.slug}/review/decide/", {"ids": [prompt.pk], "status": "validated"}
    )
    prompt.refresh_from_db()
    assert prompt.status == ContributionStatus.VALIDATED


def test_the_challenge_page_links_to_the_participant_page(client, challenge, participant):
    client.force_login(participant)
    page = client.get(f"/challenges/{challenge.slug}/").content.decode()
    assert f'href="/preferences/{challenge.slug}/"' in page


def choice_formset(question, rows):
    data = {"choices-TOTAL_FORMS": str(len(rows)), "choices-INITIAL_FORMS": "0"}
    for index, (text, correct) in enumerate(rows):
        data[f"choices-{index}-text"] = text
        data[f"choices-{index}-position"] = str(index)
        if correct:
            data[f"choices-{index}-is_correct"] = "on"
    from django.forms import inlineformset_factory

    formset_class = inlineformset_factory(
        QuizQuestion,
        QuizChoice,
        formset=QuizChoiceFormSet,
        fields=["text", "is_correct", "position"],
    )
    return formset_class(data, instance=question, prefix="choices")


@pytest.mark.parametrize(
    ("rows", "valid"),
    [
        ([("a", True), ("b", False)], True),
        ([("a", False), ("b", False)], False),
        ([("a", True)], False),
    ],
)
def test_a_quiz_question_needs_two_answers_and_a_correct_one(challenge, rows, valid):
    question = QuizQuestion.objects.create(quiz=QuizFactory(challenge=challenge), text="¿?")
    assert choice_formset(question, rows).is_valid() is valid


def test_seeding_spreads_prompts_over_authors_and_every_status(challenge):
    authors = [UserFactory() for _ in range(6)]
    created = seed_items(challenge=challenge, authors=authors, count=300, rng=random.Random(7))
    assert created == 300 == Prompt.objects.filter(challenge=challenge).count()
    statuses = set(Prompt.objects.values_list("status", flat=True))
    assert statuses == set(ContributionStatus.values)
    assert Prompt.objects.values("author").distinct().count() == 6
    assert (
        ArenaVote.objects.filter(prompt__isnull=True).exists()
        and ArenaVote.objects.filter(prompt__isnull=False).exists()
    )
    assert PromptValidation.objects.exists()
    assert not PromptValidation.objects.filter(validator_id=F("prompt__author_id")).exists()
    # a second run adds as many, with no duplicate prompt
    assert seed_items(challenge=challenge, authors=authors, count=50, rng=random.Random(7)) == 50
    assert Prompt.objects.count() == 350
    assert seed_items(challenge=challenge, authors=authors, count=0, rng=random.Random(7)) == 0
    # Folded once per template when seeded, numbered ones too: the digest of the text itself.
    assert all(
        stored == fingerprint(text)
        for text, stored in Prompt.objects.values_list("text", "fingerprint")
    )
    assert Prompt.objects.filter(text__endswith=")").exists()


def test_the_admin_refuses_a_duplicate_prompt(client, challenge, organizer):
    existing = PromptFactory(challenge=challenge, text="¿Qué se come en Lima?")
    other = PromptFactory(challenge=challenge, text="¿Qué se bebe en Lima?")
    client.force_login(organizer)
    data = {
        "challenge": challenge.pk, "author": other.author_id, "country": "PE", "language": "es",
        "text": "¿QUÉ se come en  Lima?", "system_prompt": "", "topic": "",
        "validations-TOTAL_FORMS": "0", "validations-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = client.post(
        f"/admin/preferences/prompt/{other.pk}/change/", data, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "already in the challenge" in response.content.decode()
    other.refresh_from_db()
    assert other.text == "¿Qué se bebe en Lima?" and existing.text == "¿Qué se come en Lima?"
    data["text"] = "¿Qué se bebe en Cusco?"
    response = client.post(f"/admin/preferences/prompt/{other.pk}/change/", data)
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.text == "¿Qué se bebe en Cusco?" and other.fingerprint == fingerprint(
        "¿Qué se bebe en Cusco?"
    )
