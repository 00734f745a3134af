"""BLEND in the shared pages: progress, the organizers' review queue, decisions and exports."""

import csv
import io
import json

import pytest

from challenges.blend.models import BlendAnswer
from challenges.domain import decide_contributions
from challenges.intake import get_intake
from challenges.models import ContributionStatus, ReviewDecision
from tests.challenges.blend.factories import BlendAnswerFactory, BlendValidationFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_the_intake_is_registered():
    intake = get_intake("blend")
    assert intake.model is BlendAnswer and intake.participate_url == "blend:home"
    assert intake.organize_url == "blend:questions"
    assert str(intake.counted_label) == "validated answers"
    assert (intake.country_lookup, intake.language_lookup, intake.review_related) == (
        "question__country",
        "question__language",
        ["question"],
    )


def test_the_challenge_page_links_to_taking_part_and_counts_validated(
    client, challenge, participant
):
    BlendAnswerFactory(question__challenge=challenge, author=participant, status="validated")
    client.force_login(participant)
    response = client.get(f"/challenges/{challenge.slug}/", **EN)
    assert "/blend/blend/" in response.content.decode()
    assert response.context["mine"].counted == 1


def test_the_review_queue_shows_the_answers_and_filters_by_country(client, challenge, organizer):
    BlendAnswerFactory(
        question__challenge=challenge,
        question__topic="Sport",
        answer_1="Fulbito",
        region="Callao",
        approvals=1,
    )
    BlendAnswerFactory(
        question__challenge=challenge, question__country="CL", country="CL", answer_1="Pichanga"
    )
    client.force_login(organizer)
    page = client.get("/organize/blend/review/", **EN).content.decode()
    assert "Fulbito" in page and "Callao" in page and "Sport" in page and "Pichanga" in page
    filtered = client.get(
        "/organize/blend/review/?status=pending&country=cl", **EN
    ).content.decode()
    assert "Pichanga" in filtered and "Fulbito" not in filtered
    by_language = client.get(
        "/organize/blend/review/?status=pending&language=pt", **EN
    ).content.decode()
    assert "Pichanga" not in by_language


def test_the_review_queue_query_count_does_not_grow(
    client, challenge, organizer, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(organizer)
    BlendAnswerFactory(question__challenge=challenge)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/organize/blend/review/").status_code == 200
    BlendAnswerFactory(question__challenge=challenge)
    BlendAnswerFactory(question__challenge=challenge)
    with django_assert_num_queries(len(captured)):
        response = client.get("/organize/blend/review/")
    assert len(response.context["rows"]) == 3


def test_an_organizer_decision_takes_the_answer_out_of_the_validators_queue(
    challenge, organizer, make_person
):
    from challenges.blend import domain

    answer = BlendAnswerFactory(question__challenge=challenge)
    validator = make_person("PE")
    decide_contributions(
        model=BlendAnswer,
        challenge=challenge,
        ids=[answer.pk],
        status=ContributionStatus.VALIDATED,
        by=organizer,
    )
    assert (
        domain.find_next_answer_to_validate(challenge=challenge, validator=validator, country="PE")
        is None
    )
    assert ReviewDecision.objects.get().decided_by == organizer


def test_exports_have_every_field_and_no_personal_data(client, challenge, organizer):
    answer = BlendAnswerFactory(
        question__challenge=challenge,
        question__external_id="Fo-es-01",
        question__question="¿Qué se come de postre?",
        answer_2="=cmd()",
        region="Lima",
        status="validated",
    )
    BlendValidationFactory(answer=answer)
    BlendAnswerFactory(question__challenge=challenge, status="draft", answer_1="borrador")
    client.force_login(organizer)
    body = b"".join(client.get("/organize/blend/export.csv").streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 1 and list(rows[0]) == get_intake("blend").export_fields
    row = rows[0]
    assert (row["id"], row["question_id"], row["question_external_id"]) == (
        str(answer.pk),
        str(answer.question_id),
        "Fo-es-01",
    )
    assert (row["country"], row["language"], row["topic"], row["status"]) == (
        "PE",
        "es",
        "Food",
        "validated",
    )
    assert row["answer_2"] == "'=cmd()" and row["author_id"] == str(answer.author_id)
    assert (
        answer.author.email not in body
        and answer.author.display_name not in body
        and "borrador" not in body
    )
    lines = (
        b"".join(client.get("/organize/blend/export.jsonl").streaming_content).decode().splitlines()
    )
    record = json.loads(lines[0])
    assert (
        len(lines) == 1
        and record["question"] == "¿Qué se come de postre?"
        and record["region"] == "Lima"
    )
