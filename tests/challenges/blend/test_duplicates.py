"""BLEND: questions equal once folded are duplicates; near-duplicates of the same country are
marked; answers without visible text or repeating each other are refused; the migration."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile

from challenges.blend import domain
from challenges.blend.models import BlendQuestion
from challenges.domain import ContributionRefused
from challenges.text import fingerprint
from challenges.uploads import UploadRejected
from tests.challenges.blend.factories import BlendQuestionFactory

pytestmark = pytest.mark.django_db

HEADER = "id,country,language,topic,question\n"
QUESTION = "¿Qué comen generalmente las personas en Chile de postre los domingos en familia?"
NEAR = "¿Qué comen generalmente las personas en Chile de postre los domingos con la familia?"


def upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("questions.csv", (HEADER + text).encode("utf-8"))


@pytest.mark.parametrize(
    "variant", [QUESTION.replace("Chile", "Chi\u200ble"), "\u200e" + QUESTION, QUESTION.upper()]
)
def test_a_variant_of_a_stored_question_is_refused(challenge, variant):
    domain.import_questions(challenge=challenge, upload=upload(f"q1,Chile,es,Food,{QUESTION}\n"))
    with pytest.raises(UploadRejected) as refused:
        domain.import_questions(challenge=challenge, upload=upload(f"q2,Chile,es,Food,{variant}\n"))
    assert "already stored" in refused.value.errors.shown[0].message


def test_near_duplicates_are_marked_within_their_country_only(challenge):
    domain.import_questions(challenge=challenge, upload=upload(f"q1,Chile,es,Food,{QUESTION}\n"))
    report = domain.import_questions(
        challenge=challenge,
        upload=upload(
            f"q2,Chile,es,Food,{NEAR}\nq3,Perú,es,Food,{NEAR.replace('Chile', 'Perú')}\n"
        ),
    )
    marked = dict(
        BlendQuestion.objects.values_list("external_id", "possible_duplicate_of__external_id")
    )
    assert marked == {"q1": None, "q2": "q1", "q3": None}
    assert report.possible_duplicates.total == 1


def test_answers_of_only_invisible_characters_or_repeated_are_refused(
    challenge, question, make_person
):
    person = make_person(question.country.code)
    with pytest.raises(ContributionRefused, match="Write answer 1"):
        domain.save_answer(
            challenge=challenge,
            question_id=question.pk,
            author=person,
            answer_1="\u200b",
            submit=True,
        )
    problems = domain.check_answer(answer_1="Alfajores", answer_2="alfajores\u200b", submit=True)
    assert problems == {"answer_2": "This answer repeats an earlier one."}
    answer = domain.save_answer(
        challenge=challenge,
        question_id=question.pk,
        author=person,
        answer_1="Alfa\u200bjores",
        submit=True,
    )
    assert answer.answer_1 == "Alfajores"


def test_the_migration_recomputes_question_fingerprints(challenge):
    migration = importlib.import_module(
        "challenges.blend.migrations.0004_fingerprints_and_near_duplicates"
    )
    first = BlendQuestionFactory(
        challenge=challenge, country="CL", question=QUESTION, fingerprint="a"
    )
    copy = BlendQuestionFactory(
        challenge=challenge, country="CL", question=QUESTION + "\u200b", fingerprint="b"
    )
    migration.refingerprint_questions(django_apps, None)
    rows = {q.pk: (q.fingerprint, q.possible_duplicate_of_id) for q in BlendQuestion.objects.all()}
    assert rows == {
        first.pk: (fingerprint("CL", QUESTION), None),
        copy.pk: (f"duplicate:{copy.pk}", first.pk),
    }
