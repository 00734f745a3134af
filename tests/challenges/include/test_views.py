"""The INCLUDE pages: what people see, what they can do, how many queries it takes."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from challenges.include.models import Exam, ExamQuestion
from challenges.models import ContributionStatus, ReviewDecision
from tests.challenges.include.conftest import as_file, numbered, official
from tests.challenges.include.factories import ExamFactory, ExamQuestionFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def home_url(challenge):
    return f"/include/{challenge.slug}/"


def exam_url(exam):
    return f"/include/{exam.challenge.slug}/exams/{exam.pk}/"


def review_url(exam):
    return f"/include/{exam.challenge.slug}/organize/exams/{exam.pk}/decide/"


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def exam_form(**overrides):
    data = {
        "name": "Examen de admisión UNMSM 2019",
        "language": "es",
        "country": "PE",
        "domain": "History",
        "level": "University entrance",
        "declared_questions": "80",
        "source": "https://example.org/unmsm.pdf",
        "original_format": "pdf",
        "license": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- participant's page and new exam ---------------------------------------------------------------


def test_home_empty_state_and_form(client, challenge, author):
    client.force_login(author)
    page = client.get(home_url(challenge), **EN).content.decode()
    assert "You have not declared any exam yet" in page
    assert 'name="declared_questions"' in page and '<label for="id_language"' in page


def test_declare_an_exam_from_the_page(client, challenge, author):
    client.force_login(author)
    response = client.post(f"/include/{challenge.slug}/exams/new/", exam_form(), follow=True, **EN)
    exam = Exam.objects.get()
    assert response.redirect_chain[-1][0] == exam_url(exam)
    assert (exam.author, exam.license, exam.country.code) == (author, "unknown", "PE")
    assert "Now upload its questions" in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "<script>x</script>"}, "name"),
        ({"name": "n" * 301}, "name"),
        ({"language": "xx"}, "language"),
        ({"language": ""}, "language"),
        ({"country": "ZZ"}, "country"),
        ({"domain": ""}, "domain"),
        ({"level": "<i>high</i>"}, "level"),
        ({"declared_questions": "0"}, "declared_questions"),
        ({"declared_questions": "muchas"}, "declared_questions"),
        ({"declared_questions": "100001"}, "declared_questions"),
        ({"source": ""}, "source"),
        ({"original_format": "vinyl"}, "original_format"),
        ({"license": "l" * 301}, "license"),
    ],
)
def test_bad_exam_input_is_refused_and_nothing_changes(client, challenge, author, overrides, field):
    client.force_login(author)
    response = client.post(f"/include/{challenge.slug}/exams/new/", exam_form(**overrides), **EN)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Exam.objects.exists()


def test_a_double_submission_creates_one_exam(client, challenge, author):
    client.force_login(author)
    client.post(f"/include/{challenge.slug}/exams/new/", exam_form())
    response = client.post(f"/include/{challenge.slug}/exams/new/", exam_form(), **EN)
    assert response.status_code == 400 and "already declared" in response.content.decode()
    assert Exam.objects.count() == 1


def test_no_exam_once_the_window_closed(client, challenge, author):
    challenge.opens_at -= dt.timedelta(days=30)
    challenge.closes_at = challenge.opens_at + dt.timedelta(days=2)
    challenge.save()
    client.force_login(author)
    page = client.get(home_url(challenge), **EN).content.decode()
    assert "no new exams now" in page and 'name="declared_questions"' not in page
    response = client.post(f"/include/{challenge.slug}/exams/new/", exam_form(), **EN)
    assert response.status_code == 400 and "closed on" in response.content.decode()
    assert not Exam.objects.exists()


def test_home_shows_statuses_counts_and_reasons(client, exam, author):
    exam.status, exam.decision_reason = (
        ContributionStatus.REJECTED,
        "Es un examen con derechos reservados.",
    )
    exam.save()
    ExamQuestionFactory(exam=exam, status=ContributionStatus.REJECTED)
    ExamQuestionFactory(exam=exam, status=ContributionStatus.VALIDATED)
    client.force_login(author)
    page = client.get(home_url(exam.challenge), **EN).content.decode()
    assert exam.name in page and "Es un examen con derechos reservados." in page
    assert "2 questions · accepted: 1, pending: 0, rejected: 1" in page


def test_counts_of_one_agree_in_spanish(client, exam, author):
    """“1 aceptadas” was a plural taken from the total: each count is now a label's value."""
    ExamQuestionFactory(exam=exam, status=ContributionStatus.VALIDATED)
    client.force_login(author)
    page = client.get(home_url(exam.challenge), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "1 aceptadas" not in page


def test_home_only_lists_my_exams(client, exam, participant):
    client.force_login(participant)
    assert exam.name not in client.get(home_url(exam.challenge)).content.decode()


def test_home_lists_exams_with_constant_queries(
    client, challenge, author, django_assert_num_queries
):
    client.force_login(author)
    first = ExamFactory(challenge=challenge, author=author)
    ExamQuestionFactory(exam=first)
    one = queries_of(client, home_url(challenge))
    for _ in range(2):
        ExamQuestionFactory(exam=ExamFactory(challenge=challenge, author=author))
    with django_assert_num_queries(one):
        response = client.get(home_url(challenge))
    assert len(response.context["rows"]) == 3


def test_a_non_include_challenge_has_no_include_page(client, edition, author):
    from tests.factories import ChallengeFactory

    other = ChallengeFactory(edition=edition, kind="blend", slug="blend")
    client.force_login(author)
    assert client.get(f"/include/{other.slug}/").status_code == 404


# --- exam page and upload ------------------------------------------------------------------------


def test_exam_page_shows_questions_with_the_correct_option_and_reasons(client, exam, author):
    ExamQuestionFactory(
        exam=exam,
        question="¿Año de la batalla de Ayacucho?",
        options=["1821", "1824", "1879", "1532"],
        answer=1,
        status=ContributionStatus.REJECTED,
        decision_reason="La respuesta correcta es otra.",
    )
    client.force_login(author)
    page = client.get(exam_url(exam), **EN).content.decode()
    assert "¿Año de la batalla de Ayacucho?" in page
    assert "<strong>1824</strong> ✓" in page
    assert "La respuesta correcta es otra." in page
    assert 'enctype="multipart/form-data"' in page


def test_exam_page_paginates_and_filters_questions(client, exam, author):
    ExamQuestionFactory.create_batch(51, exam=exam)
    ExamQuestionFactory(exam=exam, status=ContributionStatus.VALIDATED, question="¿La aceptada?")
    client.force_login(author)
    first = client.get(exam_url(exam))
    assert (
        len(first.context["page"].object_list) == 50
        and first.context["page"].paginator.num_pages == 2
    )
    validated = client.get(exam_url(exam) + "?status=validated")
    assert [question.question for question in validated.context["page"]] == ["¿La aceptada?"]
    assert client.get(exam_url(exam) + "?status=nonsense&page=99").status_code == 200


def test_exam_page_lists_questions_with_constant_queries(
    client, exam, author, django_assert_num_queries
):
    client.force_login(author)
    ExamQuestionFactory(exam=exam)
    one = queries_of(client, exam_url(exam))
    ExamQuestionFactory.create_batch(2, exam=exam)
    with django_assert_num_queries(one):
        response = client.get(exam_url(exam))
    assert len(response.context["page"].object_list) == 3


def post_file(client, exam, content, name="questions.json", **extra):
    return client.post(exam_url(exam) + "upload/", {"file": as_file(content, name)}, **extra)


def test_upload_from_the_page_says_what_was_stored_and_skipped(client, exam, author):
    client.force_login(author)
    records = numbered(3) + [
        numbered(1)[0],
        official(question="¿Álgebra?", category_en="Mathematics"),
    ]
    response = post_file(client, exam, records, follow=True, **EN)
    assert response.redirect_chain[-1][0] == exam_url(exam)
    page = response.content.decode()
    assert "4 questions stored; 1 skipped as a duplicate." in page
    assert "row 4: Duplicate of row 1." in page
    assert "1 has a maths or science category" in page
    assert ExamQuestion.objects.count() == 4


def test_upload_errors_are_shown_in_a_table_and_nothing_is_stored(client, exam, author):
    client.force_login(author)
    records = numbered(2) + [official(question="¿Tres opciones?", options=["a", "b", "c"])]
    response = post_file(client, exam, records, **EN)
    assert response.status_code == 400
    page = response.content.decode()
    assert "1 error; nothing was stored." in page
    assert '<table class="error-table">' in page
    assert "<td>3</td><td>options</td><td>Exactly 4 options are needed (this has 3).</td>" in page
    # Shown at the upload's address, the page's links lead back to the exam's.
    assert f'href="{exam_url(exam)}?status=pending"' in page
    assert not ExamQuestion.objects.exists()


def test_more_than_100_errors_say_how_many_more(client, exam, author):
    client.force_login(author)
    response = post_file(
        client, exam, [official(question=f"¿{n}?", answer=9) for n in range(105)], **EN
    )
    assert response.status_code == 400
    assert "…and 5 more errors." in response.content.decode()
    assert len(response.context["upload_errors"].shown) == 100


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "questions.json", "The file is empty."),
        (b"[{oops", "questions.json", "not valid JSON"),
        ("pregunta;opción".encode("cp1252"), "questions.csv", "not UTF-8"),
        (b"[]", "questions.json", "no rows"),
    ],
)
def test_bad_files_from_the_page(client, exam, author, content, name, message):
    client.force_login(author)
    response = post_file(client, exam, content, name, **EN)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ExamQuestion.objects.exists()


def test_an_upload_without_a_file(client, exam, author):
    client.force_login(author)
    response = client.post(exam_url(exam) + "upload/", {}, **EN)
    assert response.status_code == 400 and "file" in response.context["upload_form"].errors
    assert not ExamQuestion.objects.exists()


def test_no_upload_once_the_window_closed(client, exam, author):
    challenge = exam.challenge
    challenge.opens_at -= dt.timedelta(days=30)
    challenge.closes_at = challenge.opens_at + dt.timedelta(days=2)
    challenge.save()
    client.force_login(author)
    response = post_file(client, exam, numbered(1), **EN)
    assert response.status_code == 400 and "closed on" in response.content.decode()
    assert not ExamQuestion.objects.exists()


def test_nobody_else_uploads_to_my_exam(client, exam, organizer):
    client.force_login(organizer)
    assert post_file(client, exam, numbered(1)).status_code == 404
    assert not ExamQuestion.objects.exists()


# --- organizers ----------------------------------------------------------------------------------------


def test_organizers_list_pending_exams_by_default_and_filter(client, challenge, organizer):
    peru = ExamFactory(challenge=challenge, name="Examen peruano", country="PE", language="es")
    ExamFactory(challenge=challenge, name="Exame brasileiro", country="BR", language="pt")
    ExamFactory(challenge=challenge, name="Examen aceptado", status=ContributionStatus.VALIDATED)
    ExamQuestionFactory(exam=peru, flagged_category=True)
    client.force_login(organizer)
    url = f"/include/{challenge.slug}/organize/exams/"
    page = client.get(url, **EN).content.decode()
    assert "Examen peruano" in page and "Exame brasileiro" in page and "Examen aceptado" not in page
    assert "1 flagged: maths/science" in page
    names = lambda response: [exam.name for exam, _counts in response.context["rows"]]  # noqa: E731
    assert names(client.get(url + "?status=&country=BR")) == ["Exame brasileiro"]
    assert names(client.get(url + "?status=validated")) == ["Examen aceptado"]
    assert names(client.get(url + "?status=&language=PT")) == ["Exame brasileiro"]
    assert names(client.get(url + "?status=&name=peru")) == ["Examen peruano"]
    assert "No exam matches" in client.get(url + "?status=rejected", **EN).content.decode()


def test_organizers_list_answers_htmx_with_the_results_only(client, challenge, organizer):
    ExamFactory(challenge=challenge, name="Examen peruano")
    client.force_login(organizer)
    response = client.get(
        f"/include/{challenge.slug}/organize/exams/?status=", HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert (
        body.lstrip().startswith('<div id="results"')
        and "Examen peruano" in body
        and "<html" not in body
    )


def test_organizers_list_paginates_with_the_filters(client, challenge, organizer, settings):
    settings.PAGE_SIZE = 2
    ExamFactory.create_batch(3, challenge=challenge, country="BR")
    client.force_login(organizer)
    response = client.get(f"/include/{challenge.slug}/organize/exams/?country=BR")
    assert response.context["page"].paginator.num_pages == 2
    assert "country=BR&amp;status=pending&amp;page=2" in response.content.decode()


def test_organizers_list_with_constant_queries(
    client, challenge, organizer, django_assert_num_queries
):
    client.force_login(organizer)
    ExamQuestionFactory(exam=ExamFactory(challenge=challenge))
    url = f"/include/{challenge.slug}/organize/exams/"
    one = queries_of(client, url)
    for _ in range(2):
        ExamQuestionFactory(exam=ExamFactory(challenge=challenge, author=UserFactory()))
    with django_assert_num_queries(one):
        response = client.get(url)
    assert len(response.context["rows"]) == 3


def test_accept_a_whole_exam_from_the_review_page(client, exam, organizer):
    pending = ExamQuestionFactory(exam=exam)
    client.force_login(organizer)
    response = client.post(
        review_url(exam), {"status": "validated", "reason": ""}, follow=True, **EN
    )
    assert "1 questions changed" in response.content.decode()
    exam.refresh_from_db()
    pending.refresh_from_db()
    assert exam.status == pending.status == ContributionStatus.VALIDATED


def test_reject_a_whole_exam_and_its_author_reads_why(client, exam, organizer, author):
    ExamQuestionFactory(exam=exam)
    client.force_login(organizer)
    client.post(
        review_url(exam), {"status": "rejected", "reason": "Examen con licencia propietaria."}
    )
    assert set(ExamQuestion.objects.values_list("status", flat=True)) == {
        ContributionStatus.REJECTED
    }
    client.force_login(author)
    page = client.get(exam_url(exam), **EN).content.decode()
    assert (
        page.count("Examen con licencia propietaria.") >= 2
    )  # the exam's reason, and the question's
    assert "This exam was rejected" in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": "rejected", "reason": ""}, "reason"),
        ({"status": "rejected", "reason": "   "}, "reason"),
        ({"status": "invalidated", "reason": "x"}, "status"),
        ({"status": "", "reason": ""}, "status"),
        ({"status": "validated", "reason": "r" * 501}, "reason"),
    ],
)
def test_bad_exam_decisions_are_refused_and_nothing_changes(client, exam, organizer, data, field):
    ExamQuestionFactory(exam=exam)
    client.force_login(organizer)
    response = client.post(review_url(exam), data, **EN)
    assert response.status_code == 400 and field in response.context["form"].errors
    exam.refresh_from_db()
    assert exam.status == ContributionStatus.PENDING and not ReviewDecision.objects.exists()
    assert ExamQuestion.objects.get().status == ContributionStatus.PENDING


def test_review_page_rejects_single_questions_through_the_shared_decision(client, exam, organizer):
    keep, drop = (
        ExamQuestionFactory(exam=exam),
        ExamQuestionFactory(exam=exam, category_en="Physics", flagged_category=True),
    )
    client.force_login(organizer)
    page = client.get(review_url(exam), **EN).content.decode()
    assert (
        f'name="ids" value="{drop.pk}"' in page
        and f'action="/organize/{exam.challenge.slug}/review/decide/"' in page
    )
    assert "flagged: maths/science" in page
    assert (
        page.count('id="id_status"') == page.count('id="bulk-status"') == 1
    )  # two forms, unique ids
    flagged = client.get(review_url(exam) + "?flagged=1")
    assert [question.pk for question in flagged.context["page"]] == [drop.pk]
    response = client.post(
        f"/organize/{exam.challenge.slug}/review/decide/",
        {
            "ids": [drop.pk],
            "status": "rejected",
            "reason": "Es de física.",
            "next": review_url(exam),
        },
    )
    assert response["Location"] == review_url(exam)
    drop.refresh_from_db()
    keep.refresh_from_db()
    assert (drop.status, keep.status) == (ContributionStatus.REJECTED, ContributionStatus.PENDING)


def test_review_page_links_the_next_pending_exam(client, exam, organizer):
    later = ExamFactory(challenge=exam.challenge)
    client.force_login(organizer)
    response = client.get(review_url(exam))
    assert response.context["next_exam"] == later
    assert review_url(later) in response.content.decode()


def test_review_page_with_constant_queries(client, exam, organizer, django_assert_num_queries):
    client.force_login(organizer)
    ExamQuestionFactory(exam=exam)
    one = queries_of(client, review_url(exam))
    ExamQuestionFactory.create_batch(2, exam=exam)
    with django_assert_num_queries(one):
        response = client.get(review_url(exam))
    assert len(response.context["page"].object_list) == 3


def test_an_exam_of_another_challenge_is_not_found(client, exam, organizer, edition):
    from tests.challenges.include.factories import IncludeChallengeFactory

    other = ExamFactory(challenge=IncludeChallengeFactory(edition=edition, slug="include-2"))
    client.force_login(organizer)
    assert (
        client.get(f"/include/{exam.challenge.slug}/organize/exams/{other.pk}/decide/").status_code
        == 404
    )


def test_pages_are_translated_strings_in_spanish_by_default(client, challenge, author):
    client.force_login(author)
    response = client.get(home_url(challenge))
    assert response.status_code == 200 and 'lang="es"' in response.content.decode()


def test_exam_text_is_escaped(client, exam, author):
    ExamQuestionFactory(exam=exam, question="¿<script>alert(1)</script>?")
    client.force_login(author)
    page = client.get(exam_url(exam)).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_the_json_upload_round_trips_unicode(client, exam, author):
    client.force_login(author)
    record = official(
        question="Mba'éichapa oje'e \"buenos días\" guaraníme?", language="gn", country="Paraguay"
    )
    post_file(client, exam, json.dumps([record], ensure_ascii=False))
    question = ExamQuestion.objects.get()
    assert (question.question, question.language, question.country) == (
        record["question"],
        "gn",
        "PY",
    )
