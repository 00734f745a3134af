"""Imports from the Hub checked in the background, as uploads are: the request keeps the
repository's id as a queued upload of the Hub channel (no request to the Hub yet); the task
fetches the dataset outside the transaction that stores it, then the upload is done with the
import's messages or failed with every reason; participants' limits hold; its page is for its
author and the organizers."""

import pytest
from django.db import connection

from challenges.include.models import ExamQuestion
from challenges.models import Upload
from challenges.tasks import check_upload_task
from hub import upload_channel
from hub.importing import start_hub_import
from tests.challenges.include.conftest import as_file, numbered, official
from tests.factories import UserFactory
from tests.hub.conftest import ORG
from tests.hub.test_importing import TOKEN, add_dataset, jsonl

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
POLLING = 'hx-trigger="every 2s"'


@pytest.fixture
def with_broker(eager_tasks):
    """A broker and its worker: the request only queues the import."""
    conf = check_upload_task.app.conf
    conf.task_always_eager = False
    yield
    conf.task_always_eager = True


def send(client, exam, repo_id, **extra):
    return client.post(
        f"/challenges/{exam.challenge.slug}/import-from-hub/",
        {"repo_id": repo_id, "exam": exam.pk},
        **EN,
        **extra,
    )


def test_with_a_broker_the_request_queues_and_the_task_fetches_and_stores(
    client, fake_hub, exam, with_broker, django_capture_on_commit_callbacks
):
    repo_id = add_dataset(fake_hub, "examen", {"q.jsonl": jsonl(numbered(3))})
    sha = fake_hub.state.find("dataset", repo_id)["sha"]
    client.force_login(exam.author)
    with django_capture_on_commit_callbacks() as callbacks:
        response = send(client, exam, repo_id)
    upload = Upload.objects.get()
    assert response.status_code == 302 and response.url == f"/uploads/{upload.pk}/"
    assert len(callbacks) == 1
    assert (upload.status, upload.channel, upload.filename, upload.target_id) == (
        "queued",
        "hub",
        repo_id,
        exam.pk,
    )
    assert not fake_hub.state.requests  # nothing asked of the Hub by the web worker
    page = client.get(response.url, **EN).content.decode()
    assert POLLING in page and repo_id in page

    check_upload_task(upload.pk)

    upload.refresh_from_db()
    assert (upload.status, upload.rows_read, upload.error_count) == ("done", 3, 0)
    assert (upload.report["repo_id"], upload.report["sha"], upload.report["files"]) == (
        repo_id,
        sha,
        ["q.jsonl"],
    )
    assert ExamQuestion.objects.count() == 3
    page = client.get(response.url, **EN).content.decode()
    assert "3 questions stored; 0 skipped as duplicates." in page
    assert f"Read from {repo_id} at commit {sha[:12]} (q.jsonl)." in page
    assert POLLING not in page
    assert f'href="/include/{exam.challenge.slug}/exams/{exam.pk}/"' in page


def test_the_dataset_is_fetched_outside_the_transaction_that_stores_it(fake_hub, exam, monkeypatch):
    repo_id = add_dataset(fake_hub, "examen", {"q.jsonl": jsonl(numbered(2))})
    depths = {}
    fetch, store = upload_channel.fetch_from_hub, upload_channel.store_from_hub

    def fetching(**kwargs):
        depths["fetch"] = len(connection.atomic_blocks)
        return fetch(**kwargs)

    def storing(**kwargs):
        depths["store"] = len(connection.atomic_blocks)
        return store(**kwargs)

    monkeypatch.setattr(upload_channel, "fetch_from_hub", fetching)
    monkeypatch.setattr(upload_channel, "store_from_hub", storing)
    upload = start_hub_import(
        challenge=exam.challenge,
        user=exam.author,
        repo_id=repo_id,
        target=exam,
        enqueue=lambda pk: None,
    )
    check_upload_task(upload.pk)
    upload.refresh_from_db()
    assert upload.status == "done"
    # The test's own transaction holds both; the upload's row lock only the store.
    assert depths["store"] > depths["fetch"]


def test_a_bad_dataset_or_a_hub_error_fails_with_every_reason(
    client, fake_hub, exam, with_broker, settings
):
    settings.HF_TOKEN = TOKEN
    repo_id = add_dataset(
        fake_hub, "malo", {"q.jsonl": jsonl([official(options=["a", "b", "c"]), official()])}
    )
    fake_hub.state.errors[f"/api/datasets/{ORG}/caido"] = (500, "ServerError", "boom")
    client.force_login(exam.author)
    bad = send(client, exam, repo_id)
    check_upload_task(Upload.objects.get().pk)
    page = client.get(bad.url, **EN).content.decode()
    assert "<td>1</td><td>options</td><td>Exactly 4 options are needed (this has 3).</td>" in page
    broken = send(client, exam, f"{ORG}/caido")
    upload = Upload.objects.latest("pk")
    check_upload_task(upload.pk)
    upload.refresh_from_db()
    assert upload.status == "failed" and "(500)" in upload.refusal
    page = client.get(broken.url, **EN).content.decode()
    assert "(500)" in page and TOKEN not in page
    assert not ExamQuestion.objects.exists()


def test_without_a_broker_the_import_is_an_upload_done_at_once(client, fake_hub, exam):
    repo_id = add_dataset(fake_hub, "examen", {"q.jsonl": jsonl(numbered(2))})
    client.force_login(exam.author)
    response = send(client, exam, repo_id, follow=True)
    assert response.redirect_chain[-1][0] == f"/include/{exam.challenge.slug}/exams/{exam.pk}/"
    assert "2 questions stored" in response.content.decode()
    assert Upload.objects.get().channel == "hub" and Upload.objects.get().status == "done"


def test_an_address_outside_the_organization_keeps_nothing(client, fake_hub, exam):
    client.force_login(exam.author)
    response = send(client, exam, "otra-org/examen", follow=True)
    assert "otra-org/examen" in response.content.decode()
    assert not Upload.objects.exists() and not fake_hub.state.requests


def test_an_import_waits_for_the_persons_upload_being_checked(client, fake_hub, exam, with_broker):
    repo_id = add_dataset(fake_hub, "examen", {"q.jsonl": jsonl(numbered(2))})
    client.force_login(exam.author)
    client.post(
        f"/include/{exam.challenge.slug}/exams/{exam.pk}/upload/",
        {"file": as_file(numbered(1), "questions.json")},
        **EN,
    )
    response = send(client, exam, repo_id, follow=True)
    assert "Your previous upload is still being checked" in response.content.decode()
    assert Upload.objects.count() == 1


def test_only_its_author_and_the_organizers_see_an_import(
    client, fake_hub, exam, organizer, judge, with_broker
):
    repo_id = add_dataset(fake_hub, "examen", {"q.jsonl": jsonl(numbered(1))})
    client.force_login(exam.author)
    url = send(client, exam, repo_id).url
    assert client.get(url).status_code == 200
    for person in (UserFactory(), judge):
        client.force_login(person)
        assert client.get(url).status_code == 404
    client.force_login(organizer)
    assert client.get(url).status_code == 200
