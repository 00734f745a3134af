import pytest

from challenges.arena.models import ArenaModel
from tests.challenges.arena.fake_openai import FakeOpenAI
from tests.challenges.preferences.factories import PreferencesChallengeFactory, pass_quiz
from tests.factories import make_team

SECRET = "sk-test-very-secret-key-0123456789"


@pytest.fixture
def fake_openai():
    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture
def challenge(edition):
    return PreferencesChallengeFactory(edition=edition)


@pytest.fixture
def arena_key(monkeypatch):
    monkeypatch.setenv("ARENA_TEST_KEY", SECRET)
    return SECRET


def make_model(*, edition, base_url: str, slug: str, model_id: str | None = None, **extra):
    return ArenaModel.objects.create(
        edition=edition,
        slug=slug,
        display_name=f"Model {slug.title()}",
        provider="Fake",
        base_url=base_url,
        model_id=model_id or slug,
        api_key_env="ARENA_TEST_KEY",
        **extra,
    )


@pytest.fixture
def models(edition, fake_openai, arena_key):
    return [
        make_model(edition=edition, base_url=fake_openai.base_url, slug=slug)
        for slug in ("alpaca", "condor", "jaguar")
    ]


@pytest.fixture
def team(edition):
    return make_team(edition=edition, members=2, name="Bajo prueba")


@pytest.fixture
def player(team, challenge):
    user = team.memberships.order_by("pk").first().user
    pass_quiz(challenge=challenge, user=user)
    return user
