"""Uploads checked in the background: queued, checked by the task, then done with the report or
failed with every error; a check cut short stores nothing twice; the per-person limits; the
upload's page (progress polled only while active) and who may see it."""

import datetime as dt
import threading

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

import challenges.tasks
from challenges.domain import ContributionRefused
from challenges.domain.uploads import check_upload, start_upload
from challenges.include.models import ExamQuestion
from challenges.models import Upload
from challenges.tasks import check_upload_task
from hackathon.background import thread_name
from tests.challenges.include.conftest import as_file, numbered, official
from tests.challenges.include.factories import ExamFactory, IncludeChallengeFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
POLLING = 'hx-trigger="every 2s"'


class WorkerKilled(BaseException):
    """What a killed worker looks like from inside: nothing after it runs, not even handlers."""


@pytest.fixture
def exam(edition, participant):
    return ExamFactory(challenge=IncludeChallengeFactory(edition=edition), author=participant)


@pytest.fixture
def with_broker(eager_tasks):
    """A broker and its worker: the request only queues the upload."""
    conf = check_upload_task.app.conf
    conf.task_always_eager = False
    yield
    conf.task_always_eager = True


def upload_url(exam) -> str:
    return f"/include/{exam.challenge.slug}/exams/{exam.pk}/upload/"


def send(client, exam, content, name="questions.json", **extra):
    return client.post(upload_url(exam), {"file": as_file(content, name)}, **EN, **extra)


def queue(exam, content, name="questions.json") -> Upload:
    return start_upload(
        challenge=exam.challenge,
        user=exam.author,
        file=as_file(content, name),
        target=exam,
        enqueue=lambda pk: None,
    )


# --- queued, checked, done or failed -------------------------------------------------------------


def test_with_a_broker_the_request_queues_and_the_task_stores_the_report(
    client, exam, with_broker, django_capture_on_commit_callbacks
):
    client.force_login(exam.author)
    with django_capture_on_commit_callbacks() as callbacks:
        response = send(client, exam, numbered(3) + [numbered(1)[0]])
    upload = Upload.objects.get()
    assert response.status_code == 302 and response.url == f"/uploads/{upload.pk}/"
    assert len(callbacks) == 1  # check_upload_task.delay(upload.pk), once committed
    assert (upload.status, upload.target_id, upload.filename) == (
        "queued",
        exam.pk,
        "questions.json",
    )
    assert upload.file.name.startswith(f"uploads/{exam.challenge_id}/")
    assert not ExamQuestion.objects.exists()
    page = client.get(response.url, **EN).content.decode()
    assert "Queued" in page or "queued" in page
    assert POLLING in page

    check_upload_task(upload.pk)

    upload.refresh_from_db()
    assert (upload.status, upload.rows_read, upload.error_count) == ("done", 4, 0)
    assert upload.report["stored"] == 3 and upload.report["skipped_total"] == 1
    assert ExamQuestion.objects.count() == 3
    page = client.get(response.url, **EN).content.decode()
    assert "3 questions stored; 1 skipped as a duplicate." in page
    assert "row 4: Duplicate of row 1." in page
    assert POLLING not in page
    assert f'href="/include/{exam.challenge.slug}/exams/{exam.pk}/"' in page


def test_a_failed_check_lists_every_error_and_stores_nothing(client, exam, with_broker):
    client.force_login(exam.author)
    records = numbered(2) + [official(question="¿Tres?", options=["a", "b", "c"])]
    response = send(client, exam, records)
    upload = Upload.objects.get()
    check_upload_task(upload.pk)
    upload.refresh_from_db()
    assert (upload.status, upload.error_count, upload.rows_read) == ("failed", 1, 3)
    page = client.get(response.url, **EN).content.decode()
    assert "<dt>Rows read</dt><dd>3</dd>" in page  # not 0: every row was read
    assert '<table class="error-table">' in page
    assert "<td>3</td><td>options</td><td>Exactly 4 options are needed (this has 3).</td>" in page
    assert POLLING not in page
    assert not ExamQuestion.objects.exists()


def test_a_refusal_of_the_rules_at_check_time_is_shown(client, exam, with_broker):
    client.force_login(exam.author)
    send(client, exam, numbered(1))
    exam.status = "rejected"
    exam.save()
    upload = check_upload(upload_id=Upload.objects.get().pk)
    assert upload.status == "failed" and "rejected" in upload.refusal
    page = client.get(f"/uploads/{upload.pk}/", **EN).content.decode()
    assert "This exam was rejected; its questions are not taken." in page


def test_without_a_broker_the_request_checks_and_answers_as_before(client, exam):
    client.force_login(exam.author)
    response = send(client, exam, numbered(2), follow=True)
    assert response.redirect_chain[-1][0] == f"/include/{exam.challenge.slug}/exams/{exam.pk}/"
    assert "2 questions stored" in response.content.decode()
    assert Upload.objects.get().status == "done"


@pytest.mark.django_db(transaction=True)
def test_in_the_demo_the_check_runs_beside_the_request_which_answers_at_once(
    client, exam, settings, monkeypatch
):
    """Eager Celery with threads on (the demo): the request hands the check to a thread and
    redirects to the upload's page while it is still queued or running; the thread stores it."""
    settings.EAGER_TASKS_IN_THREADS = True
    client.force_login(exam.author)
    started = threading.Event()
    release = threading.Event()
    real_check = challenges.tasks.check_upload

    def held_check(**arguments):
        started.set()
        assert release.wait(timeout=30)
        return real_check(**arguments)

    monkeypatch.setattr(challenges.tasks, "check_upload", held_check)
    try:
        response = send(client, exam, numbered(2))
        upload = Upload.objects.get()
        assert response.status_code == 302 and response.url == f"/uploads/{upload.pk}/"
        assert started.wait(timeout=30)
        assert Upload.objects.get().is_active and not ExamQuestion.objects.exists()
        assert POLLING in client.get(f"/uploads/{upload.pk}/", **EN).content.decode()
    finally:
        release.set()
        for thread in threading.enumerate():
            if thread.name.startswith(thread_name(check_upload_task)):
                thread.join(timeout=60)
    upload.refresh_from_db()
    assert upload.status == "done" and ExamQuestion.objects.count() == 2


# --- a worker killed midway ---------------------------------------------------------------------


def test_a_check_killed_before_its_commit_stores_nothing_and_runs_again_once(
    exam, monkeypatch, need_postgres
):
    upload = queue(exam, numbered(5))
    real_save = Upload.save

    def killed(self, *args, **kwargs):
        if self.status == Upload.Status.DONE:
            raise WorkerKilled
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Upload, "save", killed)
    with pytest.raises(WorkerKilled):
        check_upload_task(upload.pk)
    upload.refresh_from_db()
    assert upload.status == "checking"  # what the redelivered task finds
    assert not ExamQuestion.objects.exists()  # the rows went with the transaction

    monkeypatch.setattr(Upload, "save", real_save)
    check_upload_task(upload.pk)  # Celery's redelivery (acks_late)
    check_upload_task(upload.pk)  # and once more, for good measure
    upload.refresh_from_db()
    assert upload.status == "done" and upload.report["stored"] == 5
    assert ExamQuestion.objects.count() == 5


def test_a_task_for_an_upload_gone_does_nothing(exam):
    upload = queue(exam, numbered(1))
    upload.delete()
    assert check_upload_task(upload.pk) is None
    assert not ExamQuestion.objects.exists()


# --- per-person limits --------------------------------------------------------------------------


def test_one_upload_at_a_time_per_person(client, exam, with_broker):
    client.force_login(exam.author)
    send(client, exam, numbered(1))
    response = send(client, exam, numbered(2))
    assert response.status_code == 400
    assert "Your previous upload is still being checked" in response.content.decode()
    assert Upload.objects.count() == 1
    check_upload_task(Upload.objects.get().pk)
    assert send(client, exam, numbered(2)).status_code == 302


def test_an_upload_stuck_for_long_no_longer_holds_the_person_back(exam, settings):
    stuck = queue(exam, numbered(1))
    Upload.objects.filter(pk=stuck.pk).update(
        created_at=stuck.created_at - dt.timedelta(minutes=settings.UPLOAD_STALE_MINUTES + 1)
    )
    assert queue(exam, numbered(2)).status == "queued"


def test_at_most_so_many_uploads_an_hour(client, exam, settings):
    settings.UPLOADS_PER_HOUR = 2
    client.force_login(exam.author)
    assert send(client, exam, numbered(1)).status_code == 302
    assert send(client, exam, numbered(2)).status_code == 302
    response = send(client, exam, numbered(3))
    assert response.status_code == 400
    assert "You have sent 2 uploads in the last hour" in response.content.decode()
    assert Upload.objects.count() == 2
    Upload.objects.update(created_at=Upload.objects.first().created_at - dt.timedelta(hours=1))
    assert send(client, exam, numbered(3)).status_code == 302


def test_the_limits_are_per_person(exam, edition):
    queue(exam, numbered(1))
    other = ExamFactory(challenge=exam.challenge, author=UserFactory())
    assert queue(other, numbered(2)).status == "queued"
    with pytest.raises(ContributionRefused):
        queue(exam, numbered(3))


def test_a_file_over_the_size_limit_is_refused_before_it_is_kept(client, exam, settings):
    client.force_login(exam.author)
    big = SimpleUploadedFile("big.json", b"[" + b" " * (10 * 1024 * 1024) + b"]")
    response = client.post(upload_url(exam), {"file": big}, **EN)
    assert response.status_code == 400 and "the limit is 10 MB" in response.content.decode()
    assert not Upload.objects.exists()


# --- the progress partial -----------------------------------------------------------------------


def test_the_partial_polls_with_the_progress_while_active_then_stops(client, exam):
    upload = queue(exam, numbered(3))
    client.force_login(exam.author)
    url = f"/uploads/{upload.pk}/"
    cache.set(f"upload-progress:{upload.pk}", (1000, 7))
    partial = client.get(url, HTTP_HX_REQUEST="true", **EN).content.decode()
    assert partial.lstrip().startswith('<section id="upload-progress"')
    assert POLLING in partial and "<html" not in partial
    assert "<dd>1000</dd>" in partial and "<dd>7</dd>" in partial

    check_upload_task(upload.pk)

    finished = client.get(url, HTTP_HX_REQUEST="true", **EN)
    assert finished.status_code == 204 and finished["HX-Refresh"] == "true"
    page = client.get(url, **EN).content.decode()
    assert POLLING not in page and "<dd>3</dd>" in page


# --- who sees an upload's page ------------------------------------------------------------------


def test_only_the_uploader_and_organizers_see_an_upload(client, exam, organizer, judge, edition):
    upload = queue(exam, numbered(1))
    url = f"/uploads/{upload.pk}/"
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(judge)
    assert client.get(url).status_code == 404
    client.force_login(organizer)
    assert client.get(url).status_code == 200
    client.force_login(exam.author)
    assert client.get(url).status_code == 200
    assert client.get("/uploads/999999/").status_code == 404
