import pytest

from tests.announcements.fake_discord import FakeDiscord


@pytest.fixture
def fake_discord(settings):
    with FakeDiscord() as discord:
        settings.DISCORD_WEBHOOK_URL = discord.webhook_url
        yield discord


@pytest.fixture(autouse=True)
def eager_retries():
    """Celery's eager mode runs a task's retries in place only when errors are not propagated
    (with ``task_eager_propagates`` the first Retry is raised to the caller): the Discord task's
    retries then run as a worker would run them, without the wait."""
    from hackathon.celery import app

    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = before
