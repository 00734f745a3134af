"""Importing a team's dataset from the Hub organization: the upload's checks, from the Hub."""

import datetime as dt
import io
import json
import logging
import time
import types

import huggingface_hub.utils._http
import pytest
from django.contrib.messages import get_messages

from challenges.domain import ContributionRefused
from challenges.include.domain import upload_questions
from challenges.include.models import ExamQuestion
from challenges.models import ContributionStatus
from challenges.preferences import domain as preferences
from challenges.preferences.models import Prompt
from challenges.uploads import UploadRejected
from hub.domain import make_api
from hub.importing import import_from_hub
from hub.models import HubRepo
from tests.challenges.include.conftest import as_file, numbered, official, workshop
from tests.challenges.include.factories import (
    ExamQuestionFactory,
    IncludeChallengeFactory,
)
from tests.challenges.preferences.factories import (
    PreferencesChallengeFactory,
    PromptFactory,
    pass_quiz,
)
from tests.hub.conftest import AUTHOR, ORG

pytestmark = pytest.mark.django_db

TOKEN = "hf_test_token_123456"
QUESTION_FIELDS = (
    "author_id", "exam_id", "challenge_id", "status", "language", "country", "exam_name",
    "source", "license", "level", "category_en", "category_original_lang",
    "original_question_num", "question", "options", "answer", "fingerprint", "flagged_category",
)  # fmt: skip
PROMPT_FIELDS = (
    "author_id", "challenge_id", "status", "source", "text", "country", "language",
    "system_prompt", "topic", "fingerprint",
)  # fmt: skip
EXAM_CSV = (
    "question,option_a,option_b,option_c,option_d,answer,category_en,original_question_num\n"
    "¿Quién fundó Lima?,Pizarro,Almagro,Atahualpa,Túpac Amaru,0,History,7\n"
    "¿Capital del Tahuantinsuyo?,Quito,Cusco,Lima,Arequipa,1,History,\n"
    "¿Año de la batalla de Ayacucho?,1821,1824,0824,NA,1,Historia,8\n"
)
PROMPTS_CSV = (
    "prompt,pais,idioma,system_prompt,tema\n"
    "¿Qué se come en Lima un domingo?,Perú,es,Eres limeño.,comida\n"
    "Como se comemora o São João no Recife?,Brasil,,,festas\n"
    "¿Cómo se saluda en Madrid?,ES,español,,\n"
)


def jsonl(records) -> bytes:
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records).encode()


def card(name: str) -> bytes:
    return f"---\nlicense: apache-2.0\n---\n# {name}\n".encode()


@pytest.fixture
def prompts_challenge(edition):
    return PreferencesChallengeFactory(edition=edition)


@pytest.fixture
def prompter(prompts_challenge, author):
    pass_quiz(challenge=prompts_challenge, user=author)
    return author


def add_dataset(fake_hub, name: str, files: dict[str, bytes], **kwargs) -> str:
    """A dataset committed by the exam's author (AUTHOR) unless another author is given."""
    repo_id = f"{ORG}/{name}"
    kwargs.setdefault("author", AUTHOR)
    fake_hub.state.add(
        "dataset", repo_id, day=5, files={"README.md": card(name), **files}, **kwargs
    )
    return repo_id


def import_exam(exam, repo_id, **kwargs):
    return import_from_hub(
        challenge=exam.challenge, user=exam.author, repo_id=repo_id, target=exam, **kwargs
    )


def questions() -> list[tuple]:
    return list(ExamQuestion.objects.order_by("pk").values_list(*QUESTION_FIELDS))


def prompts() -> list[tuple]:
    return list(Prompt.objects.order_by("pk").values_list(*PROMPT_FIELDS))


def errors_of(refused) -> list[tuple]:
    return [(error.row, error.field, error.message) for error in refused.value.errors.shown]


def upload_then_import(exam, fake_hub, content: bytes, filename: str):
    """The questions an upload of ``content`` stores, and those the import of a repository
    holding the same file stores (each into an empty challenge)."""
    report = upload_questions(
        exam=exam, author=exam.author, upload=as_file(content, filename), filename=filename
    )
    uploaded = questions()
    ExamQuestion.objects.all().delete()
    repo_id = add_dataset(fake_hub, "examen", {f"data/{filename}": content})
    result = import_exam(exam, repo_id)
    return (report, uploaded), (result, questions())


# --- INCLUDE ------------------------------------------------------------------------------


def test_a_jsonl_exam_is_stored_exactly_as_its_upload_would_be(fake_hub, exam):
    records = [
        *numbered(2),
        official(question="¿Quién escribió Los ríos profundos?", country="PE", answer="2"),
        official(question="¿Cuánto es 2+2?", category_en="Mathematics", original_question_num=9),
        workshop(),
    ]
    (report, uploaded), (result, imported) = upload_then_import(
        exam, fake_hub, jsonl(records), "train.jsonl"
    )
    assert imported == uploaded and len(imported) == 5
    assert result.report == report and (report.stored, report.flagged) == (5, 1)
    assert {row[3] for row in imported} == {ContributionStatus.PENDING}
    info = fake_hub.state.find("dataset", f"{ORG}/examen")
    assert (result.repo_id, result.sha, result.files) == (
        f"{ORG}/examen",
        info["sha"],
        ("data/train.jsonl",),
    )


def test_a_csv_exam_is_stored_exactly_as_its_upload_would_be(fake_hub, exam):
    # Values stay the text written: "0824" is not 824, "NA" is not a missing option.
    (report, uploaded), (result, imported) = upload_then_import(
        exam, fake_hub, EXAM_CSV.encode(), "exam.csv"
    )
    assert imported == uploaded and result.report == report and report.stored == 3
    third = ExamQuestion.objects.get(original_question_num=8)
    assert third.options == ["1821", "1824", "0824", "NA"]
    assert ExamQuestion.objects.get(original_question_num__isnull=True).answer == 1


def test_a_semicolon_csv_and_a_json_array_are_read_like_uploads(fake_hub, exam):
    text = EXAM_CSV.replace(",", ";").encode()
    (_report, uploaded), (_result, imported) = upload_then_import(exam, fake_hub, text, "e.csv")
    assert imported == uploaded and len(imported) == 3
    ExamQuestion.objects.all().delete()
    array = json.dumps([workshop(question_id=n, question=f"¿Pregunta {n}?") for n in (1, 2)])
    repo_id = add_dataset(fake_hub, "arreglo", {"exam.json": array.encode()})
    assert import_exam(exam, repo_id).report.stored == 2


def test_a_parquet_exam_is_read_with_whole_numbers_kept_whole(fake_hub, exam):
    import pandas

    frame = pandas.DataFrame(numbered(2))
    frame.loc[1, "original_question_num"] = None  # pandas makes the column float
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    repo_id = add_dataset(fake_hub, "parquet", {"data/train-00000.parquet": buffer.getvalue()})
    assert import_exam(exam, repo_id).report.stored == 2
    numbers = ExamQuestion.objects.values_list("original_question_num", flat=True)
    assert set(numbers) == {1, None}


def test_a_parquet_or_json_lines_exam_holding_nul_is_refused_naming_row_and_field(fake_hub, exam):
    import pandas

    records = numbered(2)
    records[1]["question"] = "¿Qué\x00?"
    buffer = io.BytesIO()
    pandas.DataFrame(records).to_parquet(buffer)
    for name, content in (("train.parquet", buffer.getvalue()), ("train.jsonl", jsonl(records))):
        repo_id = add_dataset(fake_hub, name.replace(".", "-"), {f"data/{name}": content})
        with pytest.raises(UploadRejected) as raised:
            import_exam(exam, repo_id)
        [error] = raised.value.errors.shown
        assert (error.row, error.field) == (2, "question") and "U+0000" in error.message
    assert not ExamQuestion.objects.exists()


def test_a_json_lines_exam_with_a_huge_number_is_refused_as_unreadable(fake_hub, exam):
    content = jsonl(numbered(1))[:-2] + b', "original_question_num": ' + b"9" * 5000 + b"}\n"
    repo_id = add_dataset(fake_hub, "enorme", {"data/train.jsonl": content})
    with pytest.raises(UploadRejected) as raised:
        import_exam(exam, repo_id)
    assert "data/train.jsonl cannot be read" in raised.value.errors.shown[0].message
    assert not ExamQuestion.objects.exists()


def test_files_are_read_at_the_commit_resolved_first(fake_hub, exam):
    repo_id = add_dataset(fake_hub, "examen", {"data/train.jsonl": jsonl(numbered(2))})
    first_sha = fake_hub.state.find("dataset", repo_id)["sha"]
    api = make_api()

    class PushDuringImport:
        """The real client; a team member pushes right after the commit was resolved."""

        endpoint = api.endpoint

        def __getattr__(self, name):
            return getattr(api, name)

        def dataset_info(self, *args, **kwargs):
            info = api.dataset_info(*args, **kwargs)
            fake_hub.state.commit(
                "dataset",
                repo_id,
                files={"data/train.jsonl": jsonl(numbered(5)), "data/more.csv": b"x\n1\n"},
                author="someone",
                date="2026-03-06T10:00:00.000Z",
            )
            return info

    result = import_exam(exam, repo_id, api=PushDuringImport())
    assert result.sha == first_sha and result.report.stored == 2
    downloads = [r["path"] for r in fake_hub.state.requests if "/resolve/" in r["path"]]
    assert downloads and all(f"/resolve/{first_sha}/" in path for path in downloads)
    assert not any(path.endswith("README.md") for path in downloads)


def test_bad_records_give_the_uploads_errors_and_store_nothing(fake_hub, exam):
    records = [
        official(),
        official(question="¿Tres opciones?", options=["a", "b", "c"]),
        official(question="¿Respuesta mala?", answer=7),
        official(question="<b>HTML</b>", category_en=""),
    ]
    content = jsonl(records)
    with pytest.raises(UploadRejected) as by_upload:
        upload_questions(exam=exam, author=exam.author, upload=as_file(content, "q.jsonl"))
    repo_id = add_dataset(fake_hub, "malo", {"q.jsonl": content})
    with pytest.raises(UploadRejected) as by_import:
        import_exam(exam, repo_id)
    assert errors_of(by_import) == errors_of(by_upload)
    assert (2, "options", "Exactly 4 options are needed (this has 3).") in errors_of(by_import)
    assert (
        3,
        "answer",
        "The answer must be the index of the correct option: 0, 1, 2 or 3.",
    ) in errors_of(by_import)
    assert not ExamQuestion.objects.exists()


def test_duplicates_are_skipped_and_reported_as_in_uploads(fake_hub, exam):
    stored = ExamQuestionFactory(exam=exam)
    again = official(question=stored.question, options=stored.options)
    content = jsonl([official(), official(), again, *numbered(1)])
    repo_id = add_dataset(fake_hub, "repetido", {"q.jsonl": content})
    report = import_exam(exam, repo_id).report
    assert report.stored == 2
    assert [(e.row, e.message) for e in report.skipped.shown] == [
        (2, "Duplicate of row 1."),
        (3, "Already stored in this challenge."),
    ]
    # The same repository imported twice stores nothing more.
    assert import_exam(exam, repo_id).report.stored == 0
    assert ExamQuestion.objects.count() == 3


def test_rows_are_numbered_across_the_files_in_path_order(fake_hub, exam):
    repo_id = add_dataset(
        fake_hub,
        "partes",
        {
            "data/b.jsonl": jsonl([official(question="¿Segunda?", answer=9)]),
            "data/a.jsonl": jsonl(numbered(2)),
            "dataset_infos.json": b"{}",
        },
    )
    with pytest.raises(UploadRejected) as refused:
        import_exam(exam, repo_id)
    assert [(e.row, e.field) for e in refused.value.errors.shown] == [(3, "answer")]


# --- prompts ------------------------------------------------------------------------------


def test_prompts_are_stored_exactly_as_their_upload_would_be(fake_hub, prompts_challenge, prompter):
    stored = preferences.import_prompts(
        challenge=prompts_challenge, author=prompter, text=PROMPTS_CSV, filename="p.csv"
    )
    uploaded = prompts()
    Prompt.objects.all().delete()
    repo_id = add_dataset(fake_hub, "prompts", {"prompts.csv": PROMPTS_CSV.encode()})
    result = import_from_hub(challenge=prompts_challenge, user=prompter, repo_id=repo_id)
    assert result.report == stored and stored.stored == 3 and prompts() == uploaded


def test_a_jsonl_prompt_dataset_is_imported(fake_hub, prompts_challenge, prompter):
    records = [
        {"prompt": "¿Qué se bebe en Montevideo?", "pais": "Uruguay", "idioma": "es"},
        {"prompt": "O que se come em Belém?", "pais": "BR"},
    ]
    repo_id = add_dataset(fake_hub, "prompts", {"data/train.jsonl": jsonl(records)})
    result = import_from_hub(challenge=prompts_challenge, user=prompter, repo_id=repo_id)
    assert result.report.stored == 2
    assert dict(Prompt.objects.values_list("text", "language")) == {
        "¿Qué se bebe en Montevideo?": "es",
        "O que se come em Belém?": "pt",
    }


def test_bad_or_repeated_prompts_give_the_uploads_errors(fake_hub, prompts_challenge, prompter):
    PromptFactory(challenge=prompts_challenge, text="¿Qué se come en Cusco?")
    text = "prompt,pais\n¿Qué se come en Lima?,PE\n¿qué se come en  LIMA?,PE\n¿Qué se come en cusco?,PE\nHola,Narnia\n"
    with pytest.raises(UploadRejected) as by_upload:
        preferences.import_prompts(
            challenge=prompts_challenge, author=prompter, text=text, filename="p.csv"
        )
    repo_id = add_dataset(fake_hub, "prompts", {"p.csv": text.encode()})
    with pytest.raises(UploadRejected) as by_import:
        import_from_hub(challenge=prompts_challenge, user=prompter, repo_id=repo_id)
    assert errors_of(by_import) == errors_of(by_upload) and len(errors_of(by_import)) == 3
    assert Prompt.objects.count() == 1


def test_prompts_need_the_quiz(fake_hub, prompts_challenge, participant):
    repo_id = add_dataset(fake_hub, "prompts", {"p.csv": PROMPTS_CSV.encode()})
    with pytest.raises(ContributionRefused, match="quiz"):
        import_from_hub(challenge=prompts_challenge, user=participant, repo_id=repo_id)
    assert not Prompt.objects.exists() and not fake_hub.state.requests


# --- refusals -----------------------------------------------------------------------------


def refused(exam, repo_id, **kwargs) -> str:
    with pytest.raises(ContributionRefused) as raised:
        import_exam(exam, repo_id, **kwargs)
    assert not ExamQuestion.objects.exists()
    return str(raised.value.message)


def test_a_repository_outside_the_organization_is_refused_without_asking_the_hub(fake_hub, exam):
    fake_hub.state.add("dataset", "otra-org/examen", day=5, files={"q.jsonl": jsonl(numbered(1))})
    message = refused(exam, "otra-org/examen")
    assert message == f"“otra-org/examen” must be in the organization {ORG}."
    assert "not a Hugging Face repository id" in refused(exam, "no es un id")
    assert not fake_hub.state.requests


def test_an_unknown_or_unreadable_repository_is_refused(fake_hub, exam):
    message = refused(exam, f"{ORG}/no-existe")
    assert message == (
        f"The dataset {ORG}/no-existe is not in the Hub, or it is private and the platform "
        "cannot read it."
    )
    fake_hub.state.add("model", f"{ORG}/modelo", day=3)  # a model is not a dataset
    assert "is not in the Hub" in refused(exam, f"{ORG}/modelo")


def test_a_repository_without_data_files_is_refused(fake_hub, exam):
    repo_id = add_dataset(fake_hub, "vacio", {"notes.txt": b"nada", ".hidden/x.json": b"{}"})
    assert refused(exam, repo_id) == (
        f"{repo_id} has no data files: put the records in JSON, JSON Lines, CSV or Parquet files."
    )


def test_an_unreadable_file_is_named(fake_hub, exam):
    repo_id = add_dataset(fake_hub, "roto", {"q.jsonl": b'{"question": "a"}\n{not json\n'})
    with pytest.raises(UploadRejected) as raised:
        import_exam(exam, repo_id)
    (error,) = raised.value.errors.shown
    assert error.row == 0 and error.message.startswith("q.jsonl cannot be read")
    empty = add_dataset(fake_hub, "vacio", {"q.jsonl": b""})
    with pytest.raises(UploadRejected) as raised:
        import_exam(exam, empty)
    assert not ExamQuestion.objects.exists()


@pytest.mark.parametrize("where", ["info", "download"])
def test_a_hub_error_is_refused_without_the_token(
    fake_hub, exam, settings, monkeypatch, caplog, where
):
    settings.HF_TOKEN = TOKEN
    # The client retries a failing download with back-off; the test need not wait for it.
    fast = types.SimpleNamespace(**{name: getattr(time, name) for name in dir(time)})
    fast.sleep = lambda seconds: None
    monkeypatch.setattr(huggingface_hub.utils._http, "time", fast)
    repo_id = add_dataset(fake_hub, "examen", {"q.jsonl": jsonl(numbered(1))})
    sha = fake_hub.state.find("dataset", repo_id)["sha"]
    path = (
        f"/api/datasets/{repo_id}"
        if where == "info"
        else f"/datasets/{repo_id}/resolve/{sha}/q.jsonl"
    )
    fake_hub.state.errors[path] = (500, "ServerError", "boom")
    with caplog.at_level(logging.WARNING):
        message = refused(exam, repo_id)
    assert TOKEN not in message and "answered with an error (500)" in message
    assert TOKEN not in caplog.text
    # The fake did echo the token: the refusal left it out.
    assert any(r["auth"] == f"Bearer {TOKEN}" for r in fake_hub.state.listings(path))


def test_a_closed_window_is_refused_like_the_upload(fake_hub, exam):
    repo_id = add_dataset(fake_hub, "examen", {"q.jsonl": jsonl(numbered(1))})
    later = exam.challenge.closes_at + dt.timedelta(minutes=1)
    with pytest.raises(ContributionRefused) as by_upload:
        upload_questions(exam=exam, author=exam.author, upload=as_file(numbered(1)), now=later)
    assert refused(exam, repo_id, now=later) == by_upload.value.message
    assert "closed" in by_upload.value.message and not fake_hub.state.requests


def test_only_the_author_imports_into_an_exam(fake_hub, exam, other_team_member):
    repo_id = add_dataset(fake_hub, "examen", {"q.jsonl": jsonl(numbered(1))})
    with pytest.raises(ContributionRefused, match="your own exams"):
        import_from_hub(
            challenge=exam.challenge, user=other_team_member, repo_id=repo_id, target=exam
        )
    with pytest.raises(ContributionRefused, match="Choose one of your exams"):
        import_from_hub(challenge=exam.challenge, user=exam.author, repo_id=repo_id)
    assert not ExamQuestion.objects.exists()


# --- pages --------------------------------------------------------------------------------

ROLES = ["anonymous", "participant", "other_team", "judge", "organizer"]


@pytest.fixture
def people(author, other_team_member, judge, organizer):
    return {
        "anonymous": None,
        "participant": author,
        "other_team": other_team_member,
        "judge": judge,
        "organizer": organizer,
    }


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("role", ROLES)
def test_include_import_permissions(client, fake_hub, exam, people, role):
    """As the upload: only the exam's author (others: 404); anonymous: the login page."""
    repo_id = add_dataset(fake_hub, "examen", {"q.jsonl": jsonl(numbered(2))})
    if people[role] is not None:
        client.force_login(people[role])
    response = client.post(
        f"/challenges/{exam.challenge.slug}/import-from-hub/",
        {"repo_id": repo_id, "exam": exam.pk},
    )
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif role == "participant":
        assert response.status_code == 302
        assert response["Location"] == f"/include/{exam.challenge.slug}/exams/{exam.pk}/"
    else:
        assert response.status_code == 404
    assert ExamQuestion.objects.count() == (2 if role == "participant" else 0)


@pytest.mark.parametrize("role", ROLES)
def test_prompts_import_permissions(client, fake_hub, prompts_challenge, people, role, edition):
    """As the upload: any signed-in person who passed the quiz; the others are refused."""
    repo_id = add_dataset(fake_hub, "prompts", {"p.csv": PROMPTS_CSV.encode()})
    pass_quiz(challenge=prompts_challenge, user=people["participant"])
    if people[role] is not None:
        client.force_login(people[role])
    response = client.post(
        f"/challenges/{prompts_challenge.slug}/import-from-hub/",
        {"repo_id": repo_id},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    slug = prompts_challenge.slug
    if role == "anonymous":
        assert "/accounts/login/" in response["Location"]
    elif role == "participant":
        assert response["Location"] == f"/preferences/{slug}/"
        assert "3 prompts were stored." in texts(response)
    else:
        assert response["Location"] == f"/preferences/{slug}/upload/"
        assert texts(response) == ["Pass the quiz on the prompt guide before submitting prompts."]
    assert Prompt.objects.count() == (3 if role == "participant" else 0)


def test_the_include_import_says_what_it_stored_and_from_where(client, fake_hub, exam):
    ExamQuestionFactory(exam=exam, question=official()["question"], options=official()["options"])
    repo_id = add_dataset(fake_hub, "examen", {"q.jsonl": jsonl([official(), *numbered(2)])})
    sha = fake_hub.state.find("dataset", repo_id)["sha"]
    client.force_login(exam.author)
    response = client.post(
        f"/challenges/{exam.challenge.slug}/import-from-hub/",
        {"repo_id": f" {repo_id} ", "exam": exam.pk},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    page = response.content.decode()
    assert "2 questions stored; 1 skipped as a duplicate." in page
    assert "row 1: Already stored in this challenge." in page
    assert f"Read from {repo_id} at commit {sha[:12]} (q.jsonl)." in page
    assert ExamQuestion.objects.filter(status=ContributionStatus.PENDING).count() == 3


def test_a_refused_import_says_why_and_stores_nothing(client, fake_hub, exam, settings):
    settings.HF_TOKEN = TOKEN
    repo_id = add_dataset(
        fake_hub, "malo", {"q.jsonl": jsonl([official(options=["a", "b", "c"]), official()])}
    )
    fake_hub.state.errors[f"/api/datasets/{ORG}/caido"] = (500, "ServerError", "boom")
    client.force_login(exam.author)
    url = f"/challenges/{exam.challenge.slug}/import-from-hub/"

    def refusal(repo_id: str) -> str:
        response = client.post(
            url, {"repo_id": repo_id, "exam": exam.pk}, HTTP_ACCEPT_LANGUAGE="en", follow=True
        )
        assert response.redirect_chain == [
            (f"/include/{exam.challenge.slug}/exams/{exam.pk}/", 302)
        ]
        (message,) = [str(message) for message in response.context["messages"]]
        return message

    assert refusal(repo_id) == (
        "1 error; nothing was stored. row 1, options: Exactly 4 options are needed (this has 3)."
    )
    message = refusal(f"{ORG}/caido")
    assert "(500)" in message and TOKEN not in message
    assert refusal("") == "Give the id of a dataset of the organization."
    assert not ExamQuestion.objects.exists()


def test_bad_addresses_and_methods(client, fake_hub, exam, edition, author):
    client.force_login(author)
    url = f"/challenges/{exam.challenge.slug}/import-from-hub/"
    assert client.get(url).status_code == 405
    assert client.post(url, {"repo_id": f"{ORG}/x", "exam": "abc"}).status_code == 404
    assert client.post(url, {"repo_id": f"{ORG}/x"}).status_code == 404
    other_kind = IncludeChallengeFactory(edition=edition, slug="estereotipos", kind="stereotypes")
    assert client.post(f"/challenges/{other_kind.slug}/import-from-hub/", {}).status_code == 404
    assert not fake_hub.state.requests


def test_the_upload_pages_offer_the_import(client, exam, prompts_challenge, prompter):
    client.force_login(exam.author)
    page = client.get(f"/include/{exam.challenge.slug}/exams/{exam.pk}/").content.decode()
    assert f'action="/challenges/{exam.challenge.slug}/import-from-hub/"' in page
    assert f'name="exam" value="{exam.pk}"' in page
    page = client.get(f"/preferences/{prompts_challenge.slug}/upload/").content.decode()
    assert f'action="/challenges/{prompts_challenge.slug}/import-from-hub/"' in page


def test_another_teams_dataset_is_refused_and_nothing_stored(fake_hub, exam, other_team_member):
    other_team_member.profile.hub_username = "de-otro-equipo"
    other_team_member.profile.save()
    theirs = add_dataset(
        fake_hub, "ajeno", {"q.jsonl": jsonl(numbered(3))}, author="de-otro-equipo"
    )
    nobody = add_dataset(fake_hub, "sin-autor", {"q.jsonl": jsonl(numbered(3))}, author="system")

    for repo_id in (theirs, nobody):
        with pytest.raises(ContributionRefused) as refusal:
            import_exam(exam, repo_id)
        assert "is not your team's" in str(refusal.value.message)
    assert not ExamQuestion.objects.exists()


def test_a_teammates_dataset_or_one_linked_to_the_team_is_accepted(fake_hub, exam, author):
    teammate = author.memberships.get().team.memberships.exclude(user=author).get().user
    teammate.profile.hub_username = "companero"
    teammate.profile.save()
    repo_id = add_dataset(
        fake_hub, "del-equipo", {"q.jsonl": jsonl(numbered(2))}, author="companero"
    )
    assert import_exam(exam, repo_id).report.stored == 2

    linked = add_dataset(fake_hub, "enlazado", {"q.jsonl": jsonl(numbered(4))}, author="externo")
    HubRepo.objects.create(
        edition=exam.challenge.edition,
        repo_type="dataset",
        repo_id=linked,
        team=author.memberships.get().team,
        link_status="confirmed",
    )
    assert import_exam(exam, linked).report.stored == 2  # two new, two already stored
