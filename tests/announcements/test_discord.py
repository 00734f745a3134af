"""Each announcement goes to the Discord channel once, through the real requests client and a
fake webhook shaped like Discord's (204, 429 with retry_after, 5xx, 4xx)."""

import pytest

from announcements.domain import DiscordUnavailable, send_to_discord
from announcements.models import Announcement
from announcements.tasks import DISCORD_MAX_RETRIES, post_to_discord_task, retry_delay
from tests.announcements.fake_discord import WEBHOOK_PATH

pytestmark = pytest.mark.django_db
SPANISH = {"title_es": "Se amplía BLEND", "body_es": "El reto **BLEND** cierra el 31 de mayo."}


def post(client, organizer, capture, **values):
    client.force_login(organizer)
    with capture(execute=True):
        response = client.post("/organize/announcements/", {**SPANISH, **values})
    assert response.status_code == 302
    return Announcement.objects.latest("id")


def test_each_announcement_is_posted_once(
    client, edition, organizer, fake_discord, django_capture_on_commit_callbacks
):
    first = post(client, organizer, django_capture_on_commit_callbacks)
    second = post(
        client, organizer, django_capture_on_commit_callbacks, title_es="Charla el jueves"
    )
    assert [m["embeds"][0]["title"] for m in fake_discord.state.messages] == [
        "Se amplía BLEND",
        "Charla el jueves",
    ]
    message = fake_discord.state.messages[0]
    assert message["embeds"][0]["description"] == SPANISH["body_es"]
    assert message["embeds"][0]["url"] == f"http://testserver/announcements/{first.pk}/"
    assert message["allowed_mentions"] == {"parse": []}
    assert fake_discord.state.requests[0]["content_type"] == "application/json"
    # Running the task again (a redelivered message, a second worker) posts nothing more.
    assert post_to_discord_task.delay(first.pk, "http://testserver/").get() == "sent"
    assert post_to_discord_task.delay(second.pk, "http://testserver/").get() == "sent"
    assert len(fake_discord.state.messages) == 2
    assert len(fake_discord.state.requests) == 2
    for announcement in (first, second):
        announcement.refresh_from_db()
        assert announcement.discord_state == "sent"
        assert announcement.discord_attempts == 1
        assert announcement.discord_sent_at is not None


def test_a_rate_limited_post_is_retried_once_discord_allows(
    client, edition, organizer, fake_discord, django_capture_on_commit_callbacks
):
    fake_discord.state.rate_limit(retry_after=0.25)
    announcement = post(client, organizer, django_capture_on_commit_callbacks)
    assert len(fake_discord.state.requests) == 2  # the 429, then the post
    assert len(fake_discord.state.messages) == 1
    announcement.refresh_from_db()
    assert (announcement.discord_state, announcement.discord_attempts) == ("sent", 2)


def test_the_wait_after_a_429_is_discords_retry_after(edition, fake_discord):
    announcement = Announcement.objects.create(edition=edition, discord_state="queued", **SPANISH)
    fake_discord.state.rate_limit(retry_after=1.5)
    with pytest.raises(DiscordUnavailable) as raised:
        send_to_discord(
            announcement_id=announcement.pk, webhook_url=fake_discord.webhook_url, link=""
        )
    assert raised.value.retry_after == 1.5  # the JSON body's, not the header's rounded 2
    assert retry_delay(error=raised.value, retries=3) == 1.5
    announcement.refresh_from_db()
    assert announcement.discord_state == "queued"  # nothing reached the channel: retried
    assert "429" in announcement.discord_error
    assert fake_discord.state.messages == []


def test_server_errors_are_retried_with_a_growing_wait(edition, fake_discord):
    fake_discord.state.fail(502, times=2)
    announcement = Announcement.objects.create(edition=edition, discord_state="queued", **SPANISH)
    assert post_to_discord_task.delay(announcement.pk, "http://testserver/").get() == "sent"
    assert len(fake_discord.state.requests) == 3
    assert len(fake_discord.state.messages) == 1
    error = DiscordUnavailable("HTTP 502")
    assert [retry_delay(error=error, retries=n) for n in range(4)] == [5, 10, 20, 40]
    assert retry_delay(error=error, retries=20) == 600


def test_after_the_last_retry_it_is_failed(edition, fake_discord):
    fake_discord.state.rate_limit(retry_after=0, times=DISCORD_MAX_RETRIES + 1)
    announcement = Announcement.objects.create(edition=edition, discord_state="queued", **SPANISH)
    assert post_to_discord_task.delay(announcement.pk, "http://testserver/").get() == "failed"
    assert len(fake_discord.state.requests) == DISCORD_MAX_RETRIES + 1
    announcement.refresh_from_db()
    assert announcement.discord_state == "failed"
    assert "429" in announcement.discord_error
    assert fake_discord.state.messages == []


def test_a_post_discord_refuses_is_failed_without_retrying(edition, fake_discord, settings):
    settings.DISCORD_WEBHOOK_URL = fake_discord.webhook_url.replace(
        WEBHOOK_PATH, "/api/webhooks/0/x"
    )
    announcement = Announcement.objects.create(edition=edition, discord_state="queued", **SPANISH)
    assert post_to_discord_task.delay(announcement.pk, "http://testserver/").get() == "failed"
    assert len(fake_discord.state.requests) == 1
    announcement.refresh_from_db()
    assert announcement.discord_state == "failed"
    assert "404" in announcement.discord_error


def test_an_unreachable_discord_is_retried_then_failed(edition, settings):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.DISCORD_WEBHOOK_URL = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
    announcement = Announcement.objects.create(edition=edition, discord_state="queued", **SPANISH)
    assert post_to_discord_task.delay(announcement.pk, "http://testserver/").get() == "failed"
    announcement.refresh_from_db()
    assert announcement.discord_state == "failed"
    assert announcement.discord_attempts == DISCORD_MAX_RETRIES + 1


@pytest.mark.parametrize("state", ["sending", "sent", "failed", "not_sent"])
def test_only_a_queued_announcement_is_posted(edition, fake_discord, state):
    announcement = Announcement.objects.create(edition=edition, discord_state=state, **SPANISH)
    assert post_to_discord_task.delay(announcement.pk, "http://testserver/").get() == state
    assert fake_discord.state.requests == []


def test_a_deleted_announcement_is_not_posted(edition, fake_discord):
    assert post_to_discord_task.delay(999_999, "http://testserver/").get() == "gone"
    assert fake_discord.state.requests == []


def test_without_a_webhook_nothing_goes_to_discord(
    client, edition, organizer, settings, fake_discord, django_capture_on_commit_callbacks
):
    settings.DISCORD_WEBHOOK_URL = ""
    announcement = post(client, organizer, django_capture_on_commit_callbacks)
    assert announcement.discord_state == "not_sent"
    assert fake_discord.state.requests == []


def test_a_long_text_is_cut_to_discords_limit(edition, fake_discord):
    announcement = Announcement.objects.create(
        edition=edition, discord_state="queued", title_es="T" * 200, body_es="x" * 5000
    )
    post_to_discord_task.delay(announcement.pk, "http://testserver/")
    (message,) = fake_discord.state.messages
    assert len(message["embeds"][0]["description"]) == 4096
