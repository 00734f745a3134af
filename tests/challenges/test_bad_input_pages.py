"""Bad input through the pages answers 400 with the reason, never 500: files holding NUL, deep
nesting or huge numbers, and forms whose text holds NUL."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from challenges.blend.models import BlendAnswer
from challenges.include.models import ExamQuestion
from challenges.preferences.models import Prompt
from challenges.uploads import MAX_NESTING, MAX_NUMBER_DIGITS
from teams.models import Team
from tests.challenges.blend.factories import BlendChallengeFactory, BlendQuestionFactory
from tests.challenges.include.conftest import numbered
from tests.challenges.include.factories import ExamFactory, IncludeChallengeFactory
from tests.challenges.preferences.factories import PreferencesChallengeFactory, pass_quiz

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
NUL_MESSAGE = "This text holds a control character (U+0000), which is not allowed: remove it."


def questions_file(*, hostile: str) -> bytes:
    """Two valid questions, the second's question field replaced by ``hostile`` JSON."""
    first, second = (json.dumps(record, ensure_ascii=False) for record in numbered(2))
    question = json.dumps(numbered(2)[1]["question"], ensure_ascii=False)
    return f"[{first}, {second.replace(question, hostile, 1)}]".encode()


@pytest.mark.parametrize(
    ("hostile", "message"),
    [
        ('"¿Qué\\u0000?"', f"<td>2</td><td>question</td><td>{NUL_MESSAGE}</td>"),
        ("[" * 50_000 + "]" * 50_000, f"nested more than {MAX_NESTING} deep"),
        ("9" * 5000, f"more than {MAX_NUMBER_DIGITS} digits"),
    ],
)
def test_an_include_upload_of_hostile_json_answers_400_with_the_reason(
    client, edition, participant, hostile, message
):
    exam = ExamFactory(challenge=IncludeChallengeFactory(edition=edition), author=participant)
    client.force_login(participant)
    response = client.post(
        f"/include/{exam.challenge.slug}/exams/{exam.pk}/upload/",
        {"file": SimpleUploadedFile("q.json", questions_file(hostile=hostile))},
        **EN,
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ExamQuestion.objects.exists()


def test_a_prompts_csv_holding_nul_answers_400_naming_row_and_field(client, edition, participant):
    challenge = PreferencesChallengeFactory(edition=edition)
    pass_quiz(challenge=challenge, user=participant)
    client.force_login(participant)
    content = "prompt,pais\n¿Qué se come en Lima?,Perú\nhola\x00,Perú\n".encode()
    response = client.post(
        f"/preferences/{challenge.slug}/upload/",
        {"file": SimpleUploadedFile("prompts.csv", content)},
        **EN,
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "1 error; nothing was stored." in page and NUL_MESSAGE in page
    assert not Prompt.objects.exists()


def test_forms_refuse_nul_in_text(client, edition, participant):
    client.force_login(participant)
    response = client.post("/team/create/", {"name": "Las\x00Alpacas", "countries": ["PE"]}, **EN)
    assert response.status_code == 400 and "name" in response.context["form"].errors
    assert not Team.objects.exists()

    prompts = PreferencesChallengeFactory(edition=edition)
    pass_quiz(challenge=prompts, user=participant)
    data = {"country": "PE", "language": "es", "text": "¿Qué\x00?", "system_prompt": ""}
    response = client.post(f"/preferences/{prompts.slug}/", data, **EN)
    assert response.status_code == 400 and "text" in response.context["form"].errors
    assert not Prompt.objects.exists()

    question = BlendQuestionFactory(challenge=BlendChallengeFactory(edition=edition))
    participant.profile.country = question.country
    participant.profile.save()
    data = {"action": "submit", "answer_1": "Suspiro\x00", "answer_2": "", "answer_3": ""}
    response = client.post(f"/blend/{question.challenge.slug}/questions/{question.pk}/", data, **EN)
    assert response.status_code == 400 and "answer_1" in response.context["form"].errors
    assert not BlendAnswer.objects.exists()
