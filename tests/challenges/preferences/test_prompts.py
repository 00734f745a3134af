import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from challenges.domain import ContributionRefused
from challenges.models import ContributionStatus
from challenges.preferences import domain
from challenges.preferences.models import Prompt
from challenges.uploads import UploadRejected
from tests.challenges.preferences.factories import PromptFactory, pass_quiz
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(challenge, participant):
    pass_quiz(challenge=challenge, user=participant)
    return participant


def submit(challenge, author, **overrides):
    values = {
        "country": "PE",
        "language": "es",
        "text": "¿Qué se suele comer en Lima un domingo con la familia?",
        "system_prompt": "Eres una persona de Lima.",
        "topic": "comida",
    }
    values.update(overrides)
    return domain.submit_prompt(challenge=challenge, author=author, **values)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("PE", "PE"), ("pe", "PE"), ("PER", "PE"), ("Perú", "PE"), ("peru", "PE"),
        ("México", "MX"), ("Mexico", "MX"), ("España", "ES"), ("Espanha", "ES"), ("Spain", "ES"),
        ("Brasil", "BR"), ("Brazil", "BR"), (" estados unidos ", "US"), ("Atlantis", ""), ("", ""),
        (None, ""), (12, ""),
    ],
)  # fmt: skip
def test_countries_are_read_from_codes_and_names_in_three_languages(value, code):
    assert domain.parse_country(value) == code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("es", "es"), ("ES", "es"), ("es-MX", "es"), ("pt_BR", "pt"), ("Español", "es"),
        ("castellano", "es"), ("Portuguese", "pt"), ("Português (Brasil)", "pt"), ("en", ""),
        ("English", ""), ("", ""), (None, ""),
    ],
)  # fmt: skip
def test_languages_are_spanish_or_portuguese_only(value, code):
    assert domain.parse_language(value) == code


def test_a_person_who_passed_the_quiz_submits_a_pending_prompt(challenge, author):
    prompt = submit(challenge, author)
    assert prompt.status == ContributionStatus.PENDING
    assert (prompt.country.code, prompt.language, prompt.source) == ("PE", "es", Prompt.Source.FORM)
    assert prompt.fingerprint and prompt.topic == "comida"


def test_without_the_quiz_a_prompt_is_refused(challenge, participant):
    with pytest.raises(ContributionRefused, match="Pass the quiz"):
        submit(challenge, participant)
    assert not Prompt.objects.exists()


def test_prompts_are_refused_outside_the_window(challenge, author):
    challenge.closes_at = timezone.now() - dt.timedelta(hours=1)
    challenge.opens_at = timezone.now() - dt.timedelta(days=3)
    challenge.save()
    with pytest.raises(ContributionRefused, match="closed"):
        submit(challenge, author)
    assert not Prompt.objects.exists()


def test_the_same_prompt_normalized_is_a_duplicate_whoever_sent_it(challenge, author):
    submit(challenge, author)
    other = UserFactory()
    pass_quiz(challenge=challenge, user=other)
    with pytest.raises(ContributionRefused, match="already in the challenge"):
        submit(challenge, other, text="  ¿QUÉ se suele comer en Lima   un domingo con la familia? ")
    assert Prompt.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"text": ""}, "required"),
        ({"text": "<b>hola</b>"}, "HTML"),
        ({"text": "x" * (domain.PROMPT_MAX_LENGTH + 1)}, "At most"),
        ({"system_prompt": "y" * (domain.SYSTEM_PROMPT_MAX_LENGTH + 1)}, "At most"),
        ({"language": "en"}, "Spanish"),
        ({"country": "ZZ"}, "not a country"),
        ({"country": ""}, "required"),
    ],
)
def test_bad_prompts_are_refused_by_the_domain(challenge, author, overrides, message):
    with pytest.raises(ContributionRefused, match=message):
        submit(challenge, author, **overrides)
    assert not Prompt.objects.exists()


# --- CSV upload ---

CSV = (
    "prompt,pais,idioma,system_prompt,tema\n"
    "¿Qué se come en Lima un domingo?,Perú,es,Eres limeño.,comida\n"
    "Como se comemora o São João no Recife?,Brasil,,,festas\n"
    "¿Cómo se saluda en Madrid?,ES,español,,\n"
)


def test_a_csv_upload_stores_every_row(challenge, author):
    report = domain.import_prompts(challenge=challenge, author=author, text=CSV, filename="p.csv")
    assert report.stored == 3
    rows = {p.text: p for p in Prompt.objects.all()}
    recife = rows["Como se comemora o São João no Recife?"]
    assert (recife.country.code, recife.language, recife.source) == ("BR", "pt", Prompt.Source.CSV)
    lima = rows["¿Qué se come en Lima un domingo?"]
    assert (lima.system_prompt, lima.topic, lima.language) == ("Eres limeño.", "comida", "es")
    assert rows["¿Cómo se saluda en Madrid?"].country.code == "ES"


def test_column_aliases_language_and_topic_are_accepted(challenge, author):
    text = "prompt;pais;language;topic\n¿Qué se bebe en Montevideo?;Uruguay;es;bebidas\n"
    report = domain.import_prompts(challenge=challenge, author=author, text=text, filename="p.csv")
    assert report.stored == 1
    assert Prompt.objects.get().topic == "bebidas"


def errors_of(challenge, author, text):
    before = Prompt.objects.count()
    with pytest.raises(UploadRejected) as raised:
        domain.import_prompts(challenge=challenge, author=author, text=text, filename="p.csv")
    assert Prompt.objects.count() == before
    return [(error.row, error.field, error.message) for error in raised.value.errors.shown]


def test_missing_columns_are_named(challenge, author):
    (error,) = errors_of(challenge, author, "texto,country_name\nhola,Perú\n")
    assert "“prompt”" in error[2] and "“pais”" in error[2]


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (",Perú,es", "prompt", "required"),
        ("Hola <script>x</script>,Perú,es", "prompt", "HTML"),
        ("¿Qué se come?,Narnia,es", "pais", "not a country"),
        ("¿Qué se come?,,es", "pais", "required"),
        ("¿Qué se come?,Perú,fr", "idioma", "Spanish (es) or Portuguese (pt)"),
    ],
)
def test_each_bad_row_is_reported_and_nothing_is_stored(challenge, author, row, field, message):
    text = "prompt,pais,idioma\n¿Una buena?,Perú,es\n" + row + "\n"
    errors = errors_of(challenge, author, text)
    assert len(errors) == 1
    assert errors[0][0] == 2 and errors[0][1] == field and message in errors[0][2]


def test_duplicates_in_the_file_and_in_the_challenge_are_reported(challenge, author):
    PromptFactory(challenge=challenge, text="¿Qué se come en Cusco?")
    text = "prompt,pais\n¿Qué se come en Lima?,PE\n¿qué se come en  LIMA?,PE\n¿Qué se come en cusco?,PE\n"
    errors = errors_of(challenge, author, text)
    assert errors == [
        (2, "prompt", "The same prompt as row 1."),
        (3, "prompt", "This prompt is already in the challenge."),
    ]


def test_only_the_first_hundred_errors_are_listed_and_the_rest_counted(challenge, author):
    text = "prompt,pais\n" + "".join(f"pregunta {n},Narnia\n" for n in range(130))
    with pytest.raises(UploadRejected) as raised:
        domain.import_prompts(challenge=challenge, author=author, text=text, filename="p.csv")
    assert len(raised.value.errors.shown) == 100 and raised.value.errors.more == 30
    assert not Prompt.objects.exists()


def test_an_upload_needs_the_quiz_and_an_open_window(challenge, participant):
    with pytest.raises(ContributionRefused):
        domain.import_prompts(challenge=challenge, author=participant, text=CSV, filename="p.csv")
    assert not Prompt.objects.exists()


# --- pages ---


def test_the_form_submits_a_prompt_and_the_list_shows_it(client, challenge, author):
    client.force_login(author)
    data = {
        "country": "PE",
        "language": "es",
        "text": "¿Qué se come en Lima?",
        "system_prompt": "",
        "topic": "",
    }
    response = client.post(
        f"/preferences/{challenge.slug}/", data, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.redirect_chain[-1][0] == f"/preferences/{challenge.slug}/"
    assert "¿Qué se come en Lima?" in response.content.decode()
    assert Prompt.objects.get().author == author


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "<i>x</i>"}, "text"),
        ({"text": "x" * (domain.PROMPT_MAX_LENGTH + 1)}, "text"),
        ({"country": "ZZ"}, "country"),
        ({"country": ""}, "country"),
        ({"language": "en"}, "language"),
        ({"topic": "t" * 101}, "topic"),
        ({"system_prompt": "<p>rol</p>"}, "system_prompt"),
    ],
)
def test_bad_form_input_is_refused_and_nothing_is_stored(
    client, challenge, author, overrides, field
):
    client.force_login(author)
    data = {
        "country": "PE",
        "language": "es",
        "text": "¿Qué se come en Lima?",
        "system_prompt": "",
        "topic": "",
    }
    data.update(overrides)
    response = client.post(f"/preferences/{challenge.slug}/", data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Prompt.objects.exists()


def test_a_refusal_from_the_rules_shows_on_the_form(client, challenge, participant, quiz):
    client.force_login(participant)
    data = {"country": "PE", "language": "es", "text": "¿Qué se come en Lima?"}
    response = client.post(f"/preferences/{challenge.slug}/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Pass the quiz" in response.content.decode()
    assert f"/preferences/{challenge.slug}/quiz/" in response.content.decode()
    assert not Prompt.objects.exists()


def test_the_page_shows_status_and_rejection_reasons(client, challenge, author):
    PromptFactory(
        challenge=challenge, author=author, status="rejected", decision_reason="No es cultural."
    )
    client.force_login(author)
    page = client.get(f"/preferences/{challenge.slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No es cultural." in page and "Rejected" in page and "Quiz passed" in page


def test_the_page_has_an_empty_state(client, challenge, participant):
    client.force_login(participant)
    page = client.get(f"/preferences/{challenge.slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You have not submitted any prompt yet." in page
    assert "Quiz not passed yet" not in page and "not published yet" in page


def test_the_upload_page_stores_a_csv(client, challenge, author):
    client.force_login(author)
    upload = SimpleUploadedFile("prompts.csv", CSV.encode("utf-8"), content_type="text/csv")
    response = client.post(
        f"/preferences/{challenge.slug}/upload/",
        {"file": upload},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "3 prompts were stored." in response.content.decode()
    assert Prompt.objects.filter(author=author).count() == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"prompt,pais\n\xe9t\xe9,Per\xfa\n", "not UTF-8"),
        ("prompt,pais\n<b>x</b>,Perú\n".encode(), "HTML"),
        (b"prompt\nhola\n", "“pais”"),
        (b"prompt,pais\nhola,Narnia\n", "not a country"),
    ],
)
def test_bad_uploads_list_every_problem_and_store_nothing(
    client, challenge, author, content, message
):
    client.force_login(author)
    upload = SimpleUploadedFile("prompts.csv", content, content_type="text/csv")
    response = client.post(
        f"/preferences/{challenge.slug}/upload/", {"file": upload}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Prompt.objects.exists()


def test_an_upload_without_a_file_is_refused(client, challenge, author):
    client.force_login(author)
    response = client.post(f"/preferences/{challenge.slug}/upload/", {})
    assert response.status_code == 400 and "file" in response.context["form"].errors
    assert not Prompt.objects.exists()


def test_an_upload_before_the_quiz_is_refused_with_a_link(client, challenge, participant, quiz):
    client.force_login(participant)
    upload = SimpleUploadedFile("prompts.csv", CSV.encode(), content_type="text/csv")
    response = client.post(
        f"/preferences/{challenge.slug}/upload/", {"file": upload}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Pass the quiz" in content and f"/preferences/{challenge.slug}/quiz/" in content
    assert not Prompt.objects.exists()


def test_a_challenge_of_another_kind_is_not_found(client, edition, participant):
    from tests.factories import ChallengeFactory

    ChallengeFactory(edition=edition, slug="include")
    client.force_login(participant)
    assert client.get("/preferences/include/").status_code == 404
