"""Organizers' uploads (the arena's vote log, BLEND questions, the stereotype pool) checked in
the background like the participants': queued, checked by the task, then done with the kind's
messages or failed with every error; without a broker, the page of the upload form answers as
before; only organizers see their pages; no per-person limit holds organizers back."""

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from challenges.blend.models import BlendQuestion
from challenges.domain import ContributionRefused
from challenges.domain.uploads import ensure_may_upload, start_upload
from challenges.models import Upload
from challenges.preferences.models import ArenaVote
from challenges.stereotypes.models import StereotypePair
from challenges.tasks import check_upload_task
from tests.challenges.blend.factories import BlendChallengeFactory
from tests.challenges.preferences.factories import (
    PreferencesChallengeFactory,
    vote_line,
    vote_log,
)
from tests.challenges.stereotypes.factories import StereotypesChallengeFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
POLLING = 'hx-trigger="every 2s"'


@dataclass(frozen=True)
class OrganizersFile:
    factory: type
    form: str  # where the file is posted, {slug} in it
    after: str  # where the page goes once stored without a broker
    back: str  # the upload page's link back
    name: str
    content: str
    bad: str  # a file with an error in a row
    bad_message: str
    model: type
    stored: int
    message: str


KINDS = {
    "arena": OrganizersFile(
        factory=PreferencesChallengeFactory,
        form="/preferences/{slug}/organize/arena/",
        after="/preferences/{slug}/organize/arena/",
        back="/preferences/{slug}/organize/arena/",
        name="votes.jsonl",
        content=vote_log(vote_line(), vote_line(tstamp=1745330100.0, username="otra")),
        bad=vote_log(vote_line(), vote_line(type="meh")),
        bad_message="Unknown vote type",
        model=ArenaVote,
        stored=2,
        message="2 votes stored: 0 attached to a prompt (0 prompts created), 2 unmatched; "
        "0 were already stored.",
    ),
    "blend": OrganizersFile(
        factory=BlendChallengeFactory,
        form="/blend/{slug}/questions/upload/",
        after="/blend/{slug}/questions/",
        back="/blend/{slug}/questions/upload/",
        name="questions.csv",
        content="id,country,language,topic,question\n"
        "Fo-es-01,Chile,es,Food,¿Qué comen generalmente las personas en Chile de postre?\n"
        "Sp-es-04,Chile,es,Sport,¿Cuál es el deporte más popular en Chile?\n",
        bad="id,country,language,topic,question\n"
        "Fo-es-01,Chile,es,Food,¿Qué comen generalmente las personas en Chile de postre?\n"
        "Fo-es-01,Chile,es,Sport,¿Cuál es el deporte más popular en Chile?\n",
        bad_message="The id “Fo-es-01” is also in row 1.",
        model=BlendQuestion,
        stored=2,
        message="2 questions added.",
    ),
    "pool": OrganizersFile(
        factory=StereotypesChallengeFactory,
        form="/stereotypes/{slug}/pool/upload/",
        after="/stereotypes/{slug}/pool/",
        back="/stereotypes/{slug}/pool/",
        name="pairs.csv",
        content="id,language,nationality,attribute\n"
        "p-0001,es,peruanos,amables\np-0002,es,argentinos,arrogantes\n",
        bad="id,language,nationality,attribute\np-0001,es,peruanos,amables\np-0002,es,,x\n",
        bad_message="This field is required.",
        model=StereotypePair,
        stored=2,
        message="2 pairs added; 0 duplicates left out.",
    ),
}


@pytest.fixture(params=list(KINDS))
def kind(request) -> OrganizersFile:
    return KINDS[request.param]


@pytest.fixture
def challenge(kind, edition):
    return kind.factory(edition=edition)


@pytest.fixture
def with_broker(eager_tasks):
    """A broker and its worker: the request only queues the upload."""
    conf = check_upload_task.app.conf
    conf.task_always_eager = False
    yield
    conf.task_always_eager = True


def send(client, kind, challenge, content, **extra):
    file = SimpleUploadedFile(kind.name, content.encode("utf-8"))
    return client.post(kind.form.format(slug=challenge.slug), {"file": file}, **EN, **extra)


def queue(kind, challenge, user) -> Upload:
    return start_upload(
        challenge=challenge,
        user=user,
        file=SimpleUploadedFile(kind.name, kind.content.encode("utf-8")),
        channel=Upload.Channel.ORGANIZERS,
        enqueue=lambda pk: None,
    )


def test_with_a_broker_the_request_queues_and_the_task_stores_it(
    client, kind, challenge, organizer, with_broker, django_capture_on_commit_callbacks
):
    client.force_login(organizer)
    with django_capture_on_commit_callbacks() as callbacks:
        response = send(client, kind, challenge, kind.content)
    upload = Upload.objects.get()
    assert response.status_code == 302 and response.url == f"/uploads/{upload.pk}/"
    assert len(callbacks) == 1
    assert (upload.status, upload.channel, upload.filename) == ("queued", "organizers", kind.name)
    assert not kind.model.objects.exists()
    page = client.get(response.url, **EN).content.decode()
    assert POLLING in page

    check_upload_task(upload.pk)

    upload.refresh_from_db()
    assert (upload.status, upload.rows_read, upload.error_count) == ("done", 2, 0)
    assert kind.model.objects.count() == kind.stored
    page = client.get(response.url, **EN).content.decode()
    assert kind.message in page
    assert POLLING not in page
    assert f'href="{kind.back.format(slug=challenge.slug)}"' in page


def test_a_failed_check_lists_every_error_and_stores_nothing(
    client, kind, challenge, organizer, with_broker
):
    client.force_login(organizer)
    response = send(client, kind, challenge, kind.bad)
    upload = Upload.objects.get()
    check_upload_task(upload.pk)
    upload.refresh_from_db()
    assert (upload.status, upload.error_count) == ("failed", 1)
    page = client.get(response.url, **EN).content.decode()
    assert '<table class="error-table">' in page and kind.bad_message in page
    assert POLLING not in page
    assert not kind.model.objects.exists()


def test_without_a_broker_the_request_checks_and_answers_as_before(
    client, kind, challenge, organizer
):
    client.force_login(organizer)
    response = send(client, kind, challenge, kind.content, follow=True)
    assert response.redirect_chain[-1][0] == kind.after.format(slug=challenge.slug)
    assert kind.message in response.content.decode()
    assert Upload.objects.get().status == "done"
    refused = send(client, kind, challenge, kind.bad)
    assert refused.status_code == 400 and kind.bad_message in refused.content.decode()
    assert kind.model.objects.count() == kind.stored


def test_the_pool_page_shows_the_report_after_a_background_upload(
    client, edition, organizer, with_broker
):
    kind = KINDS["pool"]
    challenge = kind.factory(edition=edition)
    client.force_login(organizer)
    upload = Upload.objects.get(pk=send(client, kind, challenge, kind.content).url.split("/")[2])
    check_upload_task(upload.pk)
    client.get(f"/uploads/{upload.pk}/", **EN)
    pool = client.get(kind.back.format(slug=challenge.slug), **EN).content.decode()
    assert "2 rows read: 2 pairs added, 0 duplicates left out." in pool


def test_organizers_have_no_per_person_limit(kind, challenge, organizer, settings):
    settings.UPLOADS_PER_HOUR = 1
    first = queue(kind, challenge, organizer)
    second = queue(kind, challenge, organizer)  # the first still queued
    assert (first.status, second.status) == ("queued", "queued")


def test_an_organizers_upload_leaves_their_participant_limits_alone(
    kind, challenge, organizer, settings
):
    settings.UPLOADS_PER_HOUR = 1
    queue(kind, challenge, organizer)
    ensure_may_upload(user=organizer)  # neither "one at a time" nor the hour's count refuses


def test_only_organizers_send_them(kind, challenge, participant):
    with pytest.raises(ContributionRefused):
        queue(kind, challenge, participant)
    assert not Upload.objects.exists()


def test_only_organizers_see_an_organizers_upload(client, kind, challenge, organizer, judge, roles):
    upload = queue(kind, challenge, organizer)
    url = f"/uploads/{upload.pk}/"
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(judge)
    assert client.get(url).status_code == 404
    other = UserFactory()
    other.groups.add(*organizer.groups.all())
    client.force_login(other)
    assert client.get(url).status_code == 200
    client.force_login(organizer)
    assert client.get(url).status_code == 200
    # No longer an organizer: the person who sent it no longer sees it either.
    organizer.groups.clear()
    assert client.get(url).status_code == 404
