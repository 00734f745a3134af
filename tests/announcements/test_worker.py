"""The Discord post through a real Celery worker (a process of its own, fed by Redis): a 429
is retried after the retry_after Discord asked for, and the announcement is posted once."""

import os
import uuid

import pytest

from announcements.domain import post_announcement
from announcements.models import Announcement
from announcements.tasks import post_to_discord_task
from tests.hub.conftest import child_database_url
from tests.hub.test_worker import Worker, broker_url, tasks_sent_to

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
RETRY_AFTER = 1.5


@pytest.fixture
def worker(transactional_db, need_postgres, need_redis, fake_discord, tmp_path):
    queue = f"test-discord-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hackathon.settings",
        "DATABASE_URL": child_database_url(),
        "REDIS_URL": broker_url(),
        "DISCORD_WEBHOOK_URL": fake_discord.webhook_url,
    }
    process = Worker(env=env, queue=queue, log=tmp_path / "worker.log")
    with tasks_sent_to(broker_url=broker_url(), queue=queue):
        try:
            yield process
        finally:
            process.stop()
            print(f"--- worker log ---\n{process.log()}")


def test_a_rate_limited_post_waits_for_retry_after_then_posts_once(
    edition, organizer, fake_discord, worker
):
    fake_discord.state.rate_limit(retry_after=RETRY_AFTER)
    worker.start()
    announcement = post_announcement(
        edition=edition,
        by=organizer,
        values={"title_es": "Hola", "body_es": "Empieza el hackathon."},
        to_discord=True,
        enqueue=lambda pk: post_to_discord_task.delay(pk, "https://hackathon.example.org/"),
    )

    def sent():
        announcement.refresh_from_db()
        return announcement.discord_state == "sent"

    worker.wait_for(sent, "the announcement to reach Discord")
    first, second = fake_discord.state.requests
    assert second["at"] - first["at"] >= RETRY_AFTER * 0.9  # the worker waited as asked
    assert len(fake_discord.state.messages) == 1
    assert fake_discord.state.messages[0]["embeds"][0]["url"] == (
        f"https://hackathon.example.org/announcements/{announcement.pk}/"
    )
    assert Announcement.objects.get().discord_attempts == 2
    assert "Retry in 1.5s" in worker.log()
