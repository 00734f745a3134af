"""A large INCLUDE upload takes the fast paths (rows written by COPY, questions copied from a
template, texts folded once, earlier near-duplicates linked before the rows are written, no
UPDATE after): it stores exactly what the row-by-row paths store, the same questions, the same
links to near-duplicates (earlier rows and stored questions), the same index rows and the same
report; a conflict met by the COPY is the same refusal."""

import pytest
from django.db import transaction

from challenges.domain import ContributionRefused
from challenges.include.domain import records, upload, upload_questions
from challenges.include.models import ExamQuestion
from challenges.models import NearDuplicateBand
from challenges.uploads import NearDuplicates, copy_unsaved, storing
from challenges.uploads.reading import UploadErrors
from tests.challenges.include.conftest import as_file, official
from tests.challenges.include.factories import ExamFactory

pytestmark = pytest.mark.django_db

STORED = "¿En qué año se proclamó la independencia del Perú y quién la proclamó en Lima?"
NEAR_STORED = "¿En qué año se proclamó la independencia del Perú y quién la proclamó en Cusco?"
FIRST = "¿Qué virrey fundó la Universidad de San Marcos en la Ciudad de los Reyes del Perú?"
NEAR_FIRST = "¿Qué virrey fundó la Universidad de San Marcos en la Ciudad de los Reyes de Lima?"


def hand_built_records() -> list[dict]:
    """Over COPY_FROM rows: questions alike but for a number (many near-duplicates of earlier
    rows, as a real exam's), a near-duplicate of an earlier row and of a stored question, a
    repeat of an earlier row and of the stored question (skipped), another country (a notice)
    and a maths category (flagged)."""
    rows = [
        official(
            question=f"¿Pregunta número {number} sobre la historia del Perú republicano?",
            options=[f"Opción {letter} {number}" for letter in "ABCD"],
            original_question_num=number,
        )
        for number in range(1, 111)
    ]
    rows[10:10] = [official(question=FIRST, original_question_num=200)]
    rows[30:30] = [official(question=NEAR_FIRST, original_question_num=201)]
    rows[50:50] = [official(question=NEAR_STORED, original_question_num=202)]
    rows[60:60] = [official(question=FIRST, original_question_num=203)]
    rows[70:70] = [official(question=STORED, original_question_num=204)]
    rows[80:80] = [official(question="¿Cuál es la capital de Chile?", country="Chile")]
    rows[90:90] = [official(question="¿Cuánto es 7 por 8?", category_en="Mathematics")]
    assert len(rows) > storing.COPY_FROM
    return rows


def stored_snapshot(exam, report) -> dict:
    """What an upload stored, without the keys (two runs get different ones)."""
    questions = list(ExamQuestion.objects.filter(exam=exam).order_by("pk"))
    texts = {question.pk: question.question for question in questions}
    texts.update(ExamQuestion.objects.exclude(exam=exam).values_list("pk", "question"))
    fields = [
        field.attname
        for field in ExamQuestion._meta.concrete_fields
        if field.attname not in ("id", "created_at", "updated_at", "possible_duplicate_of_id")
    ]
    bands = NearDuplicateBand.objects.filter(
        item_id__in=list(texts), item_type="include.examquestion"
    )
    return {
        "questions": [
            (
                *(getattr(question, name) for name in fields),
                texts.get(question.possible_duplicate_of_id),
            )
            for question in questions
        ],
        "bands": sorted(
            (texts[item_id], band, band_hash)
            for item_id, band, band_hash in bands.values_list("item_id", "band", "band_hash")
        ),
        "report": {
            **report.as_dict(),
            # The messages name stored questions by key: named here by text.
            "possible_duplicates": [
                (item["row"], item["message"].startswith("Possible duplicate of #"))
                for item in report.as_dict()["possible_duplicates"]
            ],
        },
        "flagged": report.flagged,
    }


class RolledBack(Exception):
    pass


def upload_and_roll_back(exam, rows) -> dict:
    """The upload's snapshot, then nothing of it left."""
    snapshot = {}
    with pytest.raises(RolledBack), transaction.atomic():
        report = upload_questions(
            exam=exam, author=exam.author, upload=as_file(rows), filename="questions.json"
        )
        snapshot = stored_snapshot(exam, report)
        raise RolledBack
    assert not ExamQuestion.objects.filter(exam=exam).exists()
    return snapshot


def test_a_large_upload_stores_what_the_row_by_row_paths_store(exam, monkeypatch):
    other = ExamFactory(challenge=exam.challenge, author=exam.author, language="es", country="PE")
    upload_questions(
        exam=other,
        author=exam.author,
        upload=as_file([official(question=STORED, original_question_num=300)]),
        filename="questions.json",
    )
    rows = hand_built_records()
    fast = upload_and_roll_back(exam, rows)

    # The row-by-row paths: INSERTs, the model's __init__, each text checked and folded alone,
    # every row's description checked.
    monkeypatch.setattr(storing, "COPY_FROM", 10**9)
    monkeypatch.setattr(records, "_passing_texts", lambda record: None)
    monkeypatch.setattr(records, "_description_key", lambda record, workshop: None)
    monkeypatch.setattr(upload, "question_template", lambda exam: None)
    monkeypatch.setattr(
        upload,
        "QUESTION_NEAR_DUPLICATES",
        NearDuplicates(
            text=upload.QUESTION_NEAR_DUPLICATES.text, reads=upload.QUESTION_NEAR_DUPLICATES.reads
        ),
    )
    slow = upload_and_roll_back(exam, rows)

    assert fast == slow
    duplicates = {question[-1] for question in fast["questions"] if question[-1] is not None}
    # Both kinds of near-duplicates were met, and the repeats were skipped.
    assert {FIRST, STORED} <= duplicates
    assert fast["report"]["skipped_total"] == 2
    assert fast["report"]["notices_total"] == 1 and fast["flagged"] == 1
    assert len(fast["bands"]) > len(fast["questions"])


def test_a_question_copied_from_the_template_is_the_question_init_makes(exam):
    record = official(country="Chile", category_en="Matemáticas", original_question_num=None)
    made = records.clean_question_record(record, row=1, exam=exam, errors=UploadErrors())
    copied = records.clean_question_record(
        record, row=1, exam=exam, errors=UploadErrors(), template=records.question_template(exam)
    )
    assert {k: v for k, v in vars(copied).items() if k != "_state"} == {
        k: v for k, v in vars(made).items() if k != "_state"
    }
    assert vars(copied._state) == vars(made._state) and copied._state is not made._state
    assert copied.exam is exam and copied.flagged_category and copied.differs_from_exam


def test_copies_of_a_template_share_nothing_they_may_change(exam):
    template = records.question_template(exam)
    first = copy_unsaved(template, {"question": "uno"})
    second = copy_unsaved(template, {"question": "dos"})
    first._state.fields_cache["exam"] = None
    first._state.adding = False
    assert second.exam is exam and second._state.adding and template.question == ""


def test_a_conflict_met_by_the_copy_is_the_same_refusal_and_stores_nothing(exam, monkeypatch):
    rows = hand_built_records()
    upload_questions(
        exam=exam, author=exam.author, upload=as_file(rows[:1]), filename="questions.json"
    )
    # Somebody stores the first row between the lookup and the COPY: the lookup does not see it.
    monkeypatch.setattr(storing, "find_stored", lambda **kwargs: {})
    with pytest.raises(ContributionRefused) as refused:
        upload_questions(
            exam=exam, author=exam.author, upload=as_file(rows), filename="questions.json"
        )
    assert "stored by someone else at the same moment" in str(refused.value.message)
    first = ExamQuestion.objects.get()
    indexed = NearDuplicateBand.objects.filter(item_type="include.examquestion")
    assert set(indexed.values_list("item_id", flat=True)) == {first.pk}


def test_a_deleted_challenge_takes_its_index_rows_along(exam):
    # The index has no foreign key constraint in the database: Django's cascade removes them.
    upload_questions(
        exam=exam, author=exam.author, upload=as_file([official()]), filename="questions.json"
    )
    assert NearDuplicateBand.objects.filter(challenge=exam.challenge).exists()
    exam.challenge.delete()
    assert not NearDuplicateBand.objects.exists()


def outcome(record, *, exam, one_by_one: bool, monkeypatch, descriptions=None) -> tuple:
    """What checking the record gives: the question's values, or the errors."""
    with monkeypatch.context() as patch:
        if one_by_one:
            patch.setattr(records, "_passing_texts", lambda record: None)
        errors = UploadErrors()
        question = records.clean_question_record(
            record, row=1, exam=exam, errors=errors, descriptions=descriptions
        )
    if question is None:
        return [(error.field, error.message) for error in errors.shown]
    return {k: v for k, v in vars(question).items() if k != "_state"}


@pytest.mark.parametrize(
    ("overrides", "in_one_pass"),
    [
        ({}, True),
        (
            {
                "question": "  ¿Qui\u200bén fundó\u00a0 “Lima”?  ",
                "options": ["Pizarro", "a´", "ß", "ﬁn"],
            },
            True,
        ),
        (
            {"question": "\u0301¿Acento?", "options": ["한국어", "Ελληνικά", "Кириллица", "ｘ"]},
            True,
        ),
        ({"options": ["Peru", "Perú", "Chile", "Bolivia"]}, True),  # differ (accents are kept)
        ({"question": "con \0 dentro", "options": ["a\0", "b", "c", "d"]}, True),
        ({"options": ["1810", "1821", "1824", "<b>1879</b>"]}, False),  # HTML
        ({"options": ["1810", "1821", "1824", "1" * 2000]}, False),  # too long
        ({"question": "¿" + "a" * 3000 + "?"}, False),
        ({"options": ["Perú", "perú", "Chile", "Bolivia"]}, False),  # the same once normalized
        ({"options": ["1810", "\u200b", "1824", "1879"]}, False),  # nothing visible
        ({"options": ["1810", "   ", "1824", "1879"]}, False),
        ({"options": ["1810", 1821, "1824", "1879"]}, False),  # a number
        ({"options": ["1810", "1821", "1824"]}, False),
        ({"question": None}, False),
    ],
)
def test_a_row_checked_in_one_pass_is_the_row_checked_text_by_text(
    exam, monkeypatch, overrides, in_one_pass
):
    record = official(**overrides)
    assert (records._passing_texts(record) is not None) == in_one_pass
    assert outcome(record, exam=exam, one_by_one=False, monkeypatch=monkeypatch) == outcome(
        record, exam=exam, one_by_one=True, monkeypatch=monkeypatch
    )


def test_a_description_that_passed_on_an_earlier_row_is_taken_as_it_was(exam, monkeypatch):
    descriptions = {}
    first = outcome(
        official(country="Chile", category_en="Mathematics"), exam=exam, one_by_one=False,
        monkeypatch=monkeypatch, descriptions=descriptions,
    )  # fmt: skip
    assert len(descriptions) == 1
    # Remembered, not checked again: a check that would now fail is not run.
    monkeypatch.setattr(records, "check_text", None)
    monkeypatch.setattr(records, "_clean_country", None)
    again = outcome(
        official(country="Chile", category_en="Mathematics", question="¿Otra?", original_question_num=2),
        exam=exam, one_by_one=False, monkeypatch=monkeypatch, descriptions=descriptions,
    )  # fmt: skip
    assert again == {**first, "question": "¿Otra?", "original_question_num": 2,
                     "fingerprint": again["fingerprint"], "folded_text": again["folded_text"]}  # fmt: skip
    assert again["country"] == "CL" and again["flagged_category"]
    # The number is still checked on every row.
    assert outcome(
        official(country="Chile", category_en="Mathematics", original_question_num=-1),
        exam=exam, one_by_one=False, monkeypatch=monkeypatch, descriptions=descriptions,
    ) == [("original_question_num", "The question's number in the exam must be a whole number (or empty).")]  # fmt: skip


def test_a_description_refused_is_refused_on_every_row(exam, monkeypatch):
    descriptions = {}
    for _row in range(2):
        errors = outcome(
            official(country="Narnia", original_question_num=-1), exam=exam, one_by_one=False,
            monkeypatch=monkeypatch, descriptions=descriptions,
        )  # fmt: skip
        assert [field for field, _message in errors] == ["original_question_num", "country"]
    assert descriptions == {}
