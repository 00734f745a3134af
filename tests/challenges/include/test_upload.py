"""Uploading questions: formats, checks, duplicates, all or nothing."""

import datetime as dt
import json
from pathlib import Path

import pytest
from django.db import connection

from challenges.domain import ContributionRefused
from challenges.include.domain import upload_questions
from challenges.include.models import ExamQuestion
from challenges.models import ContributionStatus
from challenges.uploads import MAX_UPLOAD_BYTES, UploadRejected
from tests.challenges.include.conftest import as_file, numbered, official, workshop
from tests.challenges.include.factories import ExamFactory, ExamQuestionFactory

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).parent / "samples"


def upload(exam, content, name="questions.json", **kwargs):
    return upload_questions(
        exam=exam, author=exam.author, upload=as_file(content, name), filename=name, **kwargs
    )


def rejected(exam, content, name="questions.json"):
    """The upload's errors as (row, field, message) tuples; asserts nothing was stored."""
    before = ExamQuestion.objects.count()
    with pytest.raises(UploadRejected) as refused:
        upload(exam, content, name)
    assert ExamQuestion.objects.count() == before
    return [(error.row, error.field, error.message) for error in refused.value.errors.shown]


def test_the_official_sample_is_stored_with_resolved_countries(exam):
    report = upload(exam, (SAMPLES / "include_questions.json").read_bytes())
    assert (report.stored, report.skipped.total, report.flagged) == (3, 0, 0)
    stored = {question.language: question for question in ExamQuestion.objects.all()}
    assert {code: question.country for code, question in stored.items()} == {
        "pt": "BR",
        "gn": "PY",
        "ca": "ES",
    }
    brazil = stored["pt"]
    assert brazil.options == ["1822", "1889", "1891", "1930"] and brazil.answer == 1
    assert (brazil.original_question_num, brazil.category_en, brazil.category_original_lang) == (
        12,
        "History",
        "História",
    )
    assert brazil.exam_name.startswith("Exame Nacional") and brazil.license == "unknown"
    assert {question.status for question in stored.values()} == {ContributionStatus.PENDING}
    assert {
        (question.author_id, question.exam_id, question.challenge_id)
        for question in stored.values()
    } == {(exam.author_id, exam.pk, exam.challenge_id)}


def test_the_workshop_sample_is_converted_with_the_exams_description(exam):
    report = upload(exam, (SAMPLES / "include_workshop_format.json").read_bytes())
    assert report.stored == 2
    first = ExamQuestion.objects.get(original_question_num=1)
    assert (
        first.options == ["Dos años", "Cuatro años", "Cinco años", "Seis años"]
        and first.answer == 1
    )
    assert first.category_original_lang == first.category_en == "Derecho constitucional"
    assert (first.language, first.country, first.exam_name) == ("es", "PE", exam.name)
    assert (first.source, first.license, first.level) == (exam.source, exam.license, exam.level)
    assert ExamQuestion.objects.get(original_question_num=2).answer == 2


def test_a_workshop_record_keeps_a_better_english_category(exam):
    upload(exam, [workshop(category="Derecho", category_en="Law", correct_answer="D")])
    question = ExamQuestion.objects.get()
    assert (question.category_en, question.category_original_lang, question.answer) == (
        "Law",
        "Derecho",
        3,
    )


def test_json_lines(exam):
    lines = "\n".join(json.dumps(record) for record in numbered(3)) + "\n\n"
    assert upload(exam, lines, "questions.jsonl").stored == 3


def test_csv_with_option_columns_and_missing_description(exam):
    text = (
        "question,option_a,option_b,option_c,option_d,answer,category_en,original_question_num\n"
        "¿Quién fundó Lima?,Pizarro,Almagro,Atahualpa,Túpac Amaru,0,History,7\n"
        "¿Capital del Tahuantinsuyo?,Quito,Cusco,Lima,Arequipa,1,History,\n"
    )
    assert upload(exam, text, "questions.csv").stored == 2
    first = ExamQuestion.objects.get(original_question_num=7)
    assert first.options == ["Pizarro", "Almagro", "Atahualpa", "Túpac Amaru"] and first.answer == 0
    assert (first.country, first.language, first.category_original_lang) == ("PE", "es", "History")
    assert ExamQuestion.objects.get(original_question_num__isnull=True).answer == 1


def test_csv_with_a_json_options_column_and_a_bom(exam):
    text = '\ufeffquestion,options,answer,category_en,country,language\n"¿Quién fundó Lima?","[""Pizarro"", ""Almagro"", ""Atahualpa"", ""Huáscar""]",0,History,España,es\n'
    assert upload(exam, text, "questions.csv").stored == 1
    assert ExamQuestion.objects.get().country == "ES"


def test_csv_in_the_workshop_format(exam):
    text = "question_id,question,option_a,option_b,option_c,option_d,correct_answer,category\n3,¿Pregunta?,uno,dos,tres,cuatro,c,Historia\n"
    upload(exam, text, "questions.csv")
    question = ExamQuestion.objects.get()
    assert (question.answer, question.original_question_num, question.category_en) == (
        2,
        3,
        "Historia",
    )


def test_maths_and_science_are_stored_flagged(exam):
    report = upload(
        exam,
        [
            official(category_en="Mathematics", category_original_lang="Matemáticas"),
            workshop(category="Biología"),
        ],
    )
    assert (report.stored, report.flagged) == (2, 2)
    assert ExamQuestion.objects.filter(flagged_category=True).count() == 2


def test_duplicates_in_the_file_and_already_stored_are_skipped_and_reported(exam):
    ExamQuestionFactory(
        exam=ExamFactory(challenge=exam.challenge),
        question="¿Pregunta número 2 sobre la historia del Perú?",
        options=["1810", "1821", "1824", "1879"],
    )
    records = numbered(3)
    # The same question with other spacing and case is the same question.
    records.append(official(question="  ¿PREGUNTA número 1   sobre la historia del Perú? "))
    report = upload(exam, records)
    assert report.stored == 2
    assert [(notice.row, notice.message) for notice in report.skipped.shown] == [
        (2, "Already stored in this challenge."),
        (4, "Duplicate of row 1."),
    ]
    assert ExamQuestion.objects.filter(exam=exam).count() == 2


def test_the_same_file_twice_stores_nothing_the_second_time(exam):
    upload(exam, numbered(3))
    report = upload(exam, numbered(3))
    assert (report.stored, report.skipped.total) == (0, 3)
    assert ExamQuestion.objects.count() == 3


def test_the_same_question_in_another_edition_is_not_a_duplicate(exam):
    from tests.challenges.include.factories import IncludeChallengeFactory
    from tests.factories import EditionFactory

    elsewhere = ExamFactory(
        challenge=IncludeChallengeFactory(edition=EditionFactory(is_current=False), slug="include")
    )
    upload(elsewhere, numbered(1))
    assert upload(exam, numbered(1)).stored == 1


GOOD = official()


@pytest.mark.parametrize(
    ("record", "field", "message"),
    [
        (official(question=...), "question", "required"),
        (official(question="   "), "question", "required"),
        (official(question="<b>¿Negrita?</b>"), "question", "HTML"),
        (official(question="x" * 2001), "question", "At most 2000"),
        (official(options=...), "options", "required"),
        (
            official(options=["1810", "1821", "1824"]),
            "options",
            "Exactly 4 options are needed (this has 3)",
        ),
        (
            official(options=["a", "b", "c", "d", "e"]),
            "options",
            "Exactly 4 options are needed (this has 5)",
        ),
        (
            official(options=["1810", "1821", " 1810 ", "1879"]),
            "options",
            "Options a and c are the same",
        ),
        (official(options=["1810", "", "1824", "1879"]), "option_b", "required"),
        (official(options=["1810", "x" * 501, "1824", "1879"]), "option_b", "At most 500"),
        (official(options=["1810", ["1821"], "1824", "1879"]), "option_b", "must be text"),
        (official(options="1810;1821;1824;1879"), "options", "list of 4 texts"),
        (official(options={"a": "1", "b": "2", "c": "3"}), "options", "keys a, b, c and d"),
        (official(answer=...), "answer", "required"),
        (official(answer=4), "answer", "0, 1, 2 or 3"),
        (official(answer=-1), "answer", "0, 1, 2 or 3"),
        (official(answer="b"), "answer", "0, 1, 2 or 3"),
        (official(answer=1.5), "answer", "0, 1, 2 or 3"),
        (official(answer=True), "answer", "0, 1, 2 or 3"),
        (official(category_en=...), "category_en", "required"),
        (official(category_original_lang="c" * 301), "category_original_lang", "At most 300"),
        (official(language="xx"), "language", "ISO 639"),
        (official(language="español (España)"), "language", "ISO 639"),
        (official(country="Atlantis"), "country", "not a known country"),
        (official(exam_name="n" * 301), "exam_name", "At most 300"),
        (official(source="<a href='x'>x</a>"), "source", "HTML"),
        (official(original_question_num="doce"), "original_question_num", "whole number"),
        (official(original_question_num=-3), "original_question_num", "whole number"),
        (workshop(correct_answer="e"), "correct_answer", "a, b, c or d"),
        (workshop(correct_answer=1), "correct_answer", "a, b, c or d"),
        (workshop(correct_answer="ab"), "correct_answer", "a, b, c or d"),
        (workshop(correct_answer=""), "correct_answer", "required"),
        (workshop(category=...), "category", "required"),
        (
            workshop(options={"a": "x", "b": "y", "c": "z", "e": "w"}),
            "options",
            "keys a, b, c and d",
        ),
        (workshop(question_id="q12"), "question_id", "whole number"),
    ],
)
def test_each_bad_record_is_refused_with_row_field_and_message(exam, record, field, message):
    errors = rejected(exam, [GOOD, record])
    assert [(row, name) for row, name, _message in errors] == [(2, field)]
    assert message in errors[0][2]


def test_every_error_of_every_row_is_reported_and_nothing_is_stored(exam):
    records = [official(question=f"¿Buena {n}?") for n in range(3)]
    records.insert(1, official(question="", answer=9, country="Narnia"))
    errors = rejected(exam, records)
    assert {(row, field) for row, field, _message in errors} == {
        (2, "question"),
        (2, "answer"),
        (2, "country"),
    }


def test_only_the_first_100_errors_are_kept_and_the_rest_counted(exam):
    with pytest.raises(UploadRejected) as refused:
        upload(exam, [official(question=f"¿{n}?", answer=7) for n in range(130)])
    assert (len(refused.value.errors.shown), refused.value.errors.more) == (100, 30)
    assert not ExamQuestion.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "questions.json", "empty"),
        (b"   \n", "questions.json", "empty"),
        (b"[]", "questions.json", "no rows"),
        (b'[{"question": "x",}]', "questions.json", "not valid JSON"),
        (b'{"a": 1}\n{broken', "questions.jsonl", "Not valid JSON"),
        (b'["just a string"]', "questions.json", "JSON object"),
        ("¿Qué año?".encode("latin-1"), "questions.csv", "not UTF-8"),
        (b"\n", "questions.csv", "empty"),
    ],
)
def test_bad_files_get_a_clear_message(exam, content, name, message):
    errors = rejected(exam, content, name)
    assert any(message in error_message for _row, _field, error_message in errors)


def test_a_file_over_10_mb_is_refused(exam):
    errors = rejected(exam, b" " * (MAX_UPLOAD_BYTES + 1))
    assert "limit is 10 MB" in errors[0][2]


def test_a_file_over_20000_rows_is_refused(exam):
    lines = "\n".join(['{"q": 1}'] * 20_001)
    errors = rejected(exam, lines, "questions.jsonl")
    assert "limit is 20,000" in errors[0][2]


def test_uploads_only_while_the_window_is_open(exam):
    with pytest.raises(ContributionRefused, match="closed on"):
        upload(exam, numbered(1), now=exam.challenge.closes_at + dt.timedelta(minutes=1))
    assert not ExamQuestion.objects.exists()


def test_only_the_author_uploads_to_an_exam(exam, participant):
    with pytest.raises(ContributionRefused, match="your own exams"):
        upload_questions(
            exam=exam, author=participant, upload=as_file(numbered(1)), filename="q.json"
        )
    assert not ExamQuestion.objects.exists()


def test_a_rejected_exam_takes_no_questions(exam):
    exam.status = ContributionStatus.REJECTED
    exam.save()
    with pytest.raises(ContributionRefused, match="rejected"):
        upload(exam, numbered(1))
    assert not ExamQuestion.objects.exists()


def test_a_validated_exam_takes_new_questions_as_pending(exam):
    exam.status = ContributionStatus.VALIDATED
    exam.save()
    upload(exam, numbered(1))
    assert ExamQuestion.objects.get().status == ContributionStatus.PENDING


def test_20000_rows_with_a_bounded_number_of_queries(exam):
    # How long it takes is measured by bench/intake_upload.py: a timed assert fails on a busy
    # machine and proves nothing on an idle one.
    ExamQuestionFactory(
        exam=exam,
        question="¿Pregunta número 5 sobre la historia del Perú?",
        options=["1810", "1821", "1824", "1879"],
    )
    records = numbered(20_000)
    content = "\n".join(json.dumps(record, ensure_ascii=False) for record in records)
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        report = upload(exam, content, "questions.jsonl")
    # Fingerprints are looked up 900 at a time and rows inserted 2,000 at a time (SQLite takes
    # fewer per insert: at most 999 parameters per query), never one query per row.
    assert len(queries) <= (40 if connection.vendor == "postgresql" else 500)
    lookups = [
        sql for sql in queries if sql.lstrip().upper().startswith("SELECT") and "fingerprint" in sql
    ]
    assert len(lookups) == 23  # ceil(20,000 / 900)
    assert (report.stored, report.skipped.total) == (19_999, 1)
