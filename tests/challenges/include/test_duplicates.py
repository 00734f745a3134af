"""INCLUDE questions: the same question written with invisible characters, other quotes or
accents is a duplicate; a near-duplicate waits for review marked as such; a question whose
language or country is not its exam's is reported and flagged; the review queue links the
original and rejects every possible duplicate at once; the fingerprints' migration."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from challenges.include.domain import upload_questions
from challenges.include.models import ExamQuestion
from challenges.models import ContributionStatus, NearDuplicateBand, ReviewDecision
from challenges.near_duplicates import sign
from challenges.text import fingerprint
from challenges.uploads import UploadRejected
from tests.challenges.include.conftest import as_file, official
from tests.challenges.include.factories import ExamFactory, ExamQuestionFactory

pytestmark = pytest.mark.django_db

QUESTION = "¿En qué año se proclamó la independencia del Perú y quién la proclamó en Lima?"
# One word changed in a long question: clearly above the threshold.
NEAR = "¿En qué año se proclamó la independencia del Perú y quién la proclamó en Cusco?"
# Another question on the same subject: clearly below.
FAR = "¿Qué batalla selló la independencia de América del Sur en 1824?"


def upload(exam, records):
    return upload_questions(
        exam=exam, author=exam.author, upload=as_file(records), filename="questions.json"
    )


def similarity(first: str, second: str) -> float:
    options = official()["options"]
    a, b = sign(["\n".join([first, *options]), "\n".join([second, *options])])
    return a.minhash.jaccard(b.minhash)


@pytest.mark.parametrize(
    "variant",
    [
        QUESTION.replace("año", "a\u200bño"),
        "\u200f" + QUESTION + "\u200e",
        QUESTION.replace("Perú", "Peru").replace("qué", "que"),
        QUESTION.upper(),
        "  " + QUESTION.replace(" ", "  "),
    ],
)
def test_a_variant_of_a_stored_question_is_skipped(exam, variant):
    upload(exam, [official(question=QUESTION)])
    report = upload(exam, [official(question=variant)])
    assert (report.stored, report.skipped.total) == (0, 1)
    assert ExamQuestion.objects.count() == 1


def test_a_variant_in_the_options_is_the_same_question(exam):
    upload(exam, [official(options=["“1810”", "1821", "1824", "1879"])])
    report = upload(exam, [official(options=['"1810"', "18\u200b21", "1824", "1879"])])
    assert report.skipped.total == 1


def test_options_differing_only_by_invisible_characters_are_the_same_option(exam):
    with pytest.raises(UploadRejected) as refused:
        upload(exam, [official(options=["1821", "18\u200b21", "1824", "1879"])])
    assert "are the same" in refused.value.errors.shown[0].message


def test_a_question_of_only_invisible_characters_is_refused(exam):
    with pytest.raises(UploadRejected) as refused:
        upload(exam, [official(question="\u200b\u200f\ufeff")])
    error = refused.value.errors.shown[0]
    assert (error.field, error.message) == (
        "question",
        "This field has only invisible characters; write visible text.",
    )
    assert not ExamQuestion.objects.exists()


def test_text_is_stored_as_typed_without_its_invisible_characters(exam):
    upload(exam, [official(question="¿En qué\u200b año “se” proclamó?\u200f")])
    assert ExamQuestion.objects.get().question == "¿En qué año “se” proclamó?"


def test_a_near_duplicate_of_a_stored_question_waits_marked(exam):
    assert similarity(QUESTION, NEAR) >= 0.8
    upload(exam, [official(question=QUESTION)])
    original = ExamQuestion.objects.get()
    report = upload(exam, [official(question=NEAR, original_question_num=2)])
    near = ExamQuestion.objects.exclude(pk=original.pk).get()
    assert report.stored == 1
    assert (near.status, near.possible_duplicate_of_id) == (ContributionStatus.PENDING, original.pk)
    assert [(note.row, note.message) for note in report.possible_duplicates.shown] == [
        (1, f"Possible duplicate of #{original.pk}.")
    ]


def test_a_near_duplicate_within_the_upload_points_at_the_earlier_row(exam):
    report = upload(exam, [official(question=QUESTION), official(question=NEAR)])
    first, second = ExamQuestion.objects.order_by("pk")
    assert (first.possible_duplicate_of_id, second.possible_duplicate_of_id) == (None, first.pk)
    assert [(n.row, n.message) for n in report.possible_duplicates.shown] == [
        (2, "Possible duplicate of row 1.")
    ]


def test_a_question_clearly_below_the_threshold_is_not_marked(exam):
    assert similarity(QUESTION, FAR) < 0.5
    report = upload(exam, [official(question=QUESTION), official(question=FAR)])
    upload(exam, [official(question="¿Cuál es el plato típico de Arequipa?")])
    assert report.possible_duplicates.total == 0
    assert not ExamQuestion.objects.filter(possible_duplicate_of__isnull=False).exists()


def test_at_the_threshold_marked_just_above_it_not(exam, settings):
    estimated = similarity(QUESTION, NEAR)
    settings.NEAR_DUPLICATE_THRESHOLD = estimated
    report = upload(exam, [official(question=QUESTION), official(question=NEAR)])
    assert report.possible_duplicates.total == 1
    settings.NEAR_DUPLICATE_THRESHOLD = min(estimated + 0.02, 1)
    other = ExamFactory(challenge=exam.challenge, author=exam.author, language="es", country="PE")
    report = upload(
        other,
        [
            official(question=QUESTION + " (bis)", original_question_num=3),
            official(question=NEAR + " (bis)", original_question_num=4),
        ],
    )
    assert report.possible_duplicates.total == 0


def test_every_new_question_joins_the_index(exam):
    upload(exam, [official(question=QUESTION), official(question=FAR)])
    ids = set(ExamQuestion.objects.values_list("pk", flat=True))
    indexed = set(
        NearDuplicateBand.objects.filter(item_type="include.examquestion").values_list(
            "item_id", flat=True
        )
    )
    assert indexed == ids


def test_a_question_of_another_language_or_country_is_listed_and_flagged(exam):
    report = upload(
        exam,
        [
            official(question=QUESTION),
            official(question=FAR, language="pt", country="Brasil"),
        ],
    )
    assert report.stored == 2
    assert [(note.row, note.message) for note in report.notices.shown] == [
        (
            2,
            "Its language (pt) or country (BR) is not its exam's (es, PE): a reviewer will check it.",
        )
    ]
    flags = {q.question: q.differs_from_exam for q in ExamQuestion.objects.select_related("exam")}
    assert flags == {QUESTION: False, FAR: True}


def test_the_upload_page_lists_near_duplicates_and_mismatches(client, exam):
    upload(exam, [official(question=QUESTION)])
    client.force_login(exam.author)
    response = client.post(
        f"/include/{exam.challenge.slug}/exams/{exam.pk}/upload/",
        {
            "file": as_file(
                [official(question=NEAR, original_question_num=2, country="Chile")],
                "more.json",
            )
        },
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    texts = [str(message) for message in response.context["messages"]]
    assert any("possible duplicate" in text and "#" in text for text in texts)
    assert any("country (CL)" in text for text in texts)


def review(client, challenge, query=""):
    return client.get(f"/organize/{challenge.slug}/review/{query}", HTTP_ACCEPT_LANGUAGE="en")


def test_the_review_queue_marks_links_and_flags(client, exam, organizer):
    upload(exam, [official(question=QUESTION), official(question=NEAR, country="Chile")])
    first, second = ExamQuestion.objects.order_by("pk")
    client.force_login(organizer)
    page = review(client, exam.challenge).content.decode()
    link = f"/organize/{exam.challenge.slug}/review/?status=&amp;item={first.pk}"
    assert f'Possible duplicate of <a href="{link}">#{first.pk}</a>' in page
    assert "Chile <span" in page and "the exam&#x27;s: Peru" in page
    rows = review(client, exam.challenge, f"?status=&item={first.pk}").context["rows"]
    assert [item.pk for item, _values in rows] == [first.pk]


def test_the_review_queue_costs_the_same_queries_with_marked_items(
    client, exam, organizer, django_assert_num_queries
):
    client.force_login(organizer)
    original = ExamQuestionFactory(exam=exam)
    with CaptureQueriesContext(connection) as one:
        assert review(client, exam.challenge).status_code == 200
    ExamQuestionFactory.create_batch(2, exam=exam, possible_duplicate_of=original, country="CL")
    with django_assert_num_queries(len(one)):
        assert len(review(client, exam.challenge).context["rows"]) == 3


def test_every_pending_possible_duplicate_is_rejected_at_once(client, exam, organizer):
    original = ExamQuestionFactory(exam=exam)
    marked = ExamQuestionFactory.create_batch(2, exam=exam, possible_duplicate_of=original)
    decided = ExamQuestionFactory(
        exam=exam, possible_duplicate_of=original, status=ContributionStatus.VALIDATED
    )
    client.force_login(organizer)
    url = f"/organize/{exam.challenge.slug}/review/reject-duplicates/"
    client.post(url, {"duplicates-reason": ""})
    assert not ReviewDecision.objects.exists()
    response = client.post(
        url, {"duplicates-reason": "Repite otra pregunta"}, HTTP_ACCEPT_LANGUAGE="en", follow=True
    )
    assert "2 possible duplicates rejected." in [str(m) for m in response.context["messages"]]
    statuses = dict(ExamQuestion.objects.values_list("pk", "status"))
    assert [statuses[q.pk] for q in marked] == [ContributionStatus.REJECTED] * 2
    assert statuses[original.pk] == ContributionStatus.PENDING
    assert statuses[decided.pk] == ContributionStatus.VALIDATED
    reasons = set(ReviewDecision.objects.values_list("item_id", "reason"))
    assert reasons == {(q.pk, "Repite otra pregunta") for q in marked}


@pytest.mark.parametrize("role", ["anonymous", "participant", "judge"])
def test_only_organizers_reject_the_duplicates(client, request, exam, role):
    marked = ExamQuestionFactory(exam=exam, possible_duplicate_of=ExamQuestionFactory(exam=exam))
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    response = client.post(
        f"/organize/{exam.challenge.slug}/review/reject-duplicates/",
        {"duplicates-reason": "x"},
    )
    assert response.status_code in (302, 403)
    marked.refresh_from_db()
    assert marked.status == ContributionStatus.PENDING


def test_the_migration_recomputes_fingerprints_and_marks_new_collisions(exam):
    migration = importlib.import_module(
        "challenges.include.migrations.0003_fingerprints_and_near_duplicates"
    )
    options = ["1810", "1821", "1824", "1879"]
    first = ExamQuestionFactory(exam=exam, question=QUESTION, options=options, fingerprint="old-1")
    copy = ExamQuestionFactory(
        exam=exam,
        question=QUESTION.replace("año", "a\u200bño"),
        options=options,
        fingerprint="old-2",
    )
    other = ExamQuestionFactory(exam=exam, question=FAR, fingerprint="old-3")
    migration.refingerprint_questions(django_apps, None)
    migration.index_questions(django_apps, None)
    rows = {q.pk: q for q in ExamQuestion.objects.all()}
    assert rows[first.pk].fingerprint == fingerprint(QUESTION, *first.options)
    assert (rows[copy.pk].fingerprint, rows[copy.pk].possible_duplicate_of_id) == (
        f"duplicate:{copy.pk}",
        first.pk,
    )
    assert rows[copy.pk].status == ContributionStatus.PENDING
    assert rows[other.pk].fingerprint == fingerprint(FAR, *other.options)
    assert rows[other.pk].possible_duplicate_of_id is None
    assert set(NearDuplicateBand.objects.values_list("item_id", flat=True)) == set(rows)
