"""INCLUDE in the shared pages: registration, review queue, exports, progress."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from challenges.include.intake import EXPORT_FIELDS
from challenges.include.models import ExamQuestion
from challenges.intake import get_intake
from challenges.models import ContributionStatus
from tests.challenges.include.factories import ExamFactory, ExamQuestionFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_include_is_registered():
    intake = get_intake("include")
    assert intake.model is ExamQuestion and intake.participate_url == "include:home"
    assert str(intake.counted_label) == "accepted questions"
    assert (intake.country_lookup, intake.language_lookup, intake.review_related) == (
        "country",
        "language",
        ["exam"],
    )
    assert intake.export_fields == [
        "id", "exam_id", "language", "country", "exam_name", "source", "license", "level", "category_en",
        "category_original_lang", "original_question_num", "question", "options", "answer", "status", "author_id",
    ]  # fmt: skip


def test_review_columns_show_the_options_with_the_correct_one_and_the_flag(exam):
    question = ExamQuestionFactory(
        exam=exam,
        options=["1810", "1821", "<b>1824</b>", "1879"],
        answer=2,
        category_en="Physics",
        category_original_lang="Física",
        flagged_category=True,
    )
    values = {
        str(column.label): str(column.value(question))
        for column in get_intake("include").review_columns
    }
    assert (
        values["Exam"] == exam.name
        and values["Country"] == "Peru"
        and values["Language"] == "Spanish"
    )
    assert (
        "<li><strong>&lt;b&gt;1824&lt;/b&gt;</strong> ✓" in values["Options (correct one marked)"]
    )
    assert (
        "Physics / Física" in values["Category"] and "flagged: maths/science" in values["Category"]
    )


def test_the_shared_review_queue_with_constant_queries(
    client, challenge, organizer, django_assert_num_queries
):
    client.force_login(organizer)
    ExamQuestionFactory(exam=ExamFactory(challenge=challenge))
    url = f"/organize/{challenge.slug}/review/"
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    for _ in range(2):
        ExamQuestionFactory(
            exam=ExamFactory(challenge=challenge, author=UserFactory()), flagged_category=True
        )
    with django_assert_num_queries(len(captured)):
        response = client.get(url)
    assert len(response.context["rows"]) == 3


def test_the_shared_review_queue_filters_by_country_and_language(client, challenge, organizer):
    ExamQuestionFactory(exam=ExamFactory(challenge=challenge), country="PE", language="es")
    brazil = ExamQuestionFactory(
        exam=ExamFactory(challenge=challenge, language="pt"), country="BR", language="pt"
    )
    client.force_login(organizer)
    response = client.get(f"/organize/{challenge.slug}/review/?country=br&language=PT")
    assert [item.pk for item, _values in response.context["rows"]] == [brazil.pk]


def test_the_export_has_no_personal_data(client, exam, organizer):
    ExamQuestionFactory(exam=exam, status=ContributionStatus.VALIDATED, original_question_num=None)
    client.force_login(organizer)
    response = client.get(f"/organize/{exam.challenge.slug}/export.jsonl")
    body = b"".join(response.streaming_content).decode()
    (row,) = [json.loads(line) for line in body.splitlines()]
    assert list(row) == EXPORT_FIELDS
    assert (
        row["author_id"] == exam.author_id
        and row["exam_id"] == exam.pk
        and row["original_question_num"] is None
    )
    assert isinstance(row["options"], list) and row["status"] == "validated"
    assert exam.author.email not in body and exam.author.profile.display_name not in body
    csv_body = b"".join(
        client.get(f"/organize/{exam.challenge.slug}/export.csv").streaming_content
    ).decode()
    assert csv_body.splitlines()[0].lstrip("\ufeff") == ",".join(EXPORT_FIELDS)
    assert exam.author.email not in csv_body


def test_the_challenge_page_counts_only_accepted_questions(client, exam, author):
    ExamQuestionFactory(exam=exam, status=ContributionStatus.VALIDATED)
    ExamQuestionFactory(exam=exam, status=ContributionStatus.PENDING)
    client.force_login(author)
    response = client.get(f"/challenges/{exam.challenge.slug}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["mine"].counted == 1
    assert f'href="/include/{exam.challenge.slug}/"' in response.content.decode()
