"""Organizers upload questions: all or nothing, every problem with its row and field."""

import codecs
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from challenges.blend import domain
from challenges.blend.models import BlendQuestion
from challenges.uploads import UploadRejected
from tests.challenges.blend.factories import BlendQuestionFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
# The sample file of the hackathon (samples/blend_questions.csv).
SAMPLE = (
    "id,country,language,topic,question\n"
    "Fo-es-01,Chile,es,Food,¿Qué comen generalmente las personas en Chile de postre?\n"
    "Sp-es-04,Chile,es,Sport,¿Cuál es el deporte más popular para practicar los fines de semana en Chile?\n"
    "Ho-pt-02,Portugal,pt,Holidays/Celebration/Leisure,Qual é a festa popular mais celebrada em junho em Portugal?\n"
)
HEADER = "id,country,language,topic,question\n"


def upload(text: str | bytes, name: str = "questions.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8") if isinstance(text, str) else text)


def test_the_sample_file_is_stored_with_country_codes(challenge):
    report = domain.import_questions(challenge=challenge, upload=upload(SAMPLE))
    assert (report.stored, report.skipped.total) == (3, 0)
    stored = {
        q.external_id: (q.country.code, q.language, q.topic) for q in BlendQuestion.objects.all()
    }
    assert stored == {
        "Fo-es-01": ("CL", "es", "Food"),
        "Sp-es-04": ("CL", "es", "Sport"),
        "Ho-pt-02": ("PT", "pt", "Holidays/Celebration/Leisure"),
    }


def test_uploading_the_same_file_again_adds_nothing(challenge):
    domain.import_questions(challenge=challenge, upload=upload(SAMPLE))
    report = domain.import_questions(challenge=challenge, upload=upload(SAMPLE))
    assert (report.stored, report.skipped.total) == (0, 3)
    assert BlendQuestion.objects.count() == 3


def test_json_json_lines_bom_and_semicolons_are_read(challenge):
    records = [
        {
            "id": "a1",
            "country": "Perú",
            "language": "ES",
            "topic": "Food",
            "question": "¿Qué se come?",
        },
        {
            "external_id": "a2",
            "country": "BR",
            "language": "pt",
            "topic": "Sport",
            "question": "Qual esporte?",
        },
    ]
    domain.import_questions(challenge=challenge, upload=upload(json.dumps(records), "q.json"))
    lines = "\n".join(
        json.dumps({**r, "id": f"l{n}", "question": r["question"] + "!"})
        for n, r in enumerate(records)
    )
    domain.import_questions(challenge=challenge, upload=upload(lines, "q.jsonl"))
    semicolons = "id;country;language;topic;question\ns1;España;es;Family;¿Con quién vives?\n"
    domain.import_questions(
        challenge=challenge, upload=upload(codecs.BOM_UTF8 + semicolons.encode(), "q.csv")
    )
    codes = dict(BlendQuestion.objects.values_list("external_id", "country"))
    assert codes == {"a1": "PE", "a2": "BR", "l0": "PE", "l1": "BR", "s1": "ES"}
    assert BlendQuestion.objects.get(external_id="a1").language == "es"


BAD_FILES = [
    ("empty", b"", "empty"),
    ("header only", HEADER, "no rows"),
    ("not json", "[{", "not valid JSON"),
    ("not utf-8", "id,country\n1,Espa\xf1a\n".encode("latin-1"), "not UTF-8"),
    ("missing id", HEADER + ",Chile,es,Food,¿Qué?\n", "id"),
    ("missing question", HEADER + "x1,Chile,es,Food,\n", "question"),
    ("unknown country", HEADER + "x1,Narnia,es,Food,¿Qué?\n", "Narnia"),
    ("bad language", HEADER + "x1,Chile,español!,Food,¿Qué?\n", "language code"),
    ("html", HEADER + "x1,Chile,es,Food,<b>¿Qué?</b>\n", "HTML"),
    ("too long", HEADER + "x1,Chile,es,Food," + "q" * 1001 + "\n", "At most 1000"),
    ("duplicate id", HEADER + "x1,Chile,es,Food,¿Uno?\nx1,Chile,es,Food,¿Dos?\n", "also in row 1"),
    (
        "duplicate text",
        HEADER + "x1,Chile,es,Food,¿Uno?\nx2,chile,es,Food,  ¿uno? \n",
        "also in row 1",
    ),
    ("extra column", HEADER + "x1,Chile,es,Food,¿Uno?,extra\n", "more values"),
    ("json not objects", '["a"]', "JSON object"),
]


@pytest.mark.parametrize(
    ("case", "content", "message"), BAD_FILES, ids=[case for case, _c, _m in BAD_FILES]
)
def test_bad_files_are_refused_whole_with_the_reason(
    client, challenge, organizer, case, content, message
):
    BlendQuestionFactory(challenge=challenge)
    name = "q.json" if case.startswith(("not json", "json")) else "q.csv"
    with pytest.raises(UploadRejected) as raised:
        domain.import_questions(challenge=challenge, upload=upload(content, name))
    assert any(
        message in error.message or message == error.field for error in raised.value.errors.shown
    )
    client.force_login(organizer)
    response = client.post("/blend/blend/questions/upload/", {"file": upload(content, name)}, **EN)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert BlendQuestion.objects.count() == 1


def test_one_bad_row_stores_nothing_and_every_error_has_its_row(challenge):
    text = (
        HEADER + "x1,Chile,es,Food,¿Bien?\nx2,Narnia,es,Food,¿Mal?\nx3,Chile,,Food,¿Sin idioma?\n"
    )
    with pytest.raises(UploadRejected) as raised:
        domain.import_questions(challenge=challenge, upload=upload(text))
    assert [(e.row, e.field) for e in raised.value.errors.shown] == [
        (2, "country"),
        (3, "language"),
    ]
    assert not BlendQuestion.objects.exists()


def test_a_stored_id_with_another_question_or_a_stored_question_with_another_id_is_refused(
    challenge,
):
    BlendQuestionFactory(
        challenge=challenge, external_id="Fo-es-01", country="CL", question="¿Otra pregunta?"
    )
    BlendQuestionFactory(
        challenge=challenge,
        external_id="old-7",
        country="CL",
        question="¿Cuál es el deporte más popular para practicar los fines de semana en Chile?",
    )
    with pytest.raises(UploadRejected) as raised:
        domain.import_questions(challenge=challenge, upload=upload(SAMPLE))
    messages = [(e.row, e.field, e.message) for e in raised.value.errors.shown]
    assert messages[0][:2] == (1, "id") and "already used" in messages[0][2]
    assert messages[1][:2] == (2, "question") and "old-7" in messages[1][2]
    assert BlendQuestion.objects.count() == 2


def test_the_same_id_in_another_challenge_is_fine(edition, challenge):
    from tests.challenges.blend.factories import BlendChallengeFactory

    other = BlendChallengeFactory(edition=edition)
    domain.import_questions(challenge=other, upload=upload(SAMPLE))
    assert domain.import_questions(challenge=challenge, upload=upload(SAMPLE)).stored == 3


def test_upload_from_the_page(client, challenge, organizer):
    client.force_login(organizer)
    page = client.get("/blend/blend/questions/upload/", **EN).content.decode()
    assert 'for="id_file"' in page and 'enctype="multipart/form-data"' in page
    response = client.post(
        "/blend/blend/questions/upload/", {"file": upload(SAMPLE)}, follow=True, **EN
    )
    assert response.redirect_chain[-1][0] == "/blend/blend/questions/"
    assert "3 questions added." in response.content.decode()
    response = client.post(
        "/blend/blend/questions/upload/", {"file": upload(SAMPLE)}, follow=True, **EN
    )
    assert "3 were already stored" in response.content.decode()
    assert BlendQuestion.objects.count() == 3


def test_the_page_lists_each_problem_and_says_how_many_more(client, challenge, organizer):
    rows = "".join(f"x{n},Narnia,es,Food,¿Pregunta {n}?\n" for n in range(120))
    client.force_login(organizer)
    response = client.post("/blend/blend/questions/upload/", {"file": upload(HEADER + rows)}, **EN)
    page = response.content.decode()
    assert response.status_code == 400 and "120 errors; nothing was stored." in page
    assert page.count("Narnia") >= 100 and "And 20 more problems." in page
    assert not BlendQuestion.objects.exists()


def test_the_upload_form_needs_a_file(client, challenge, organizer):
    client.force_login(organizer)
    response = client.post("/blend/blend/questions/upload/", {}, **EN)
    assert response.status_code == 400 and "file" in response.context["form"].errors
    assert not BlendQuestion.objects.exists()
