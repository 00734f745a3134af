"""What the Hub tests share: the fake Hub they talk to through the real huggingface_hub client;
for imports, an exam whose author has a Hub username; and for publishing, one validated item of
each kind and the folder it is published to."""

import huggingface_hub.constants
import pytest

from challenges.models import ContributionStatus
from teams.models import Membership
from tests.challenges.blend.factories import (
    BlendAnswerFactory,
    BlendChallengeFactory,
    BlendQuestionFactory,
)
from tests.challenges.include.factories import (
    ExamFactory,
    ExamQuestionFactory,
    IncludeChallengeFactory,
)
from tests.challenges.preferences.factories import (
    ArenaVoteFactory,
    PreferencesChallengeFactory,
    PromptFactory,
)
from tests.challenges.stereotypes.factories import (
    PairFactory,
    RatingFactory,
    StereotypesChallengeFactory,
)
from tests.factories import EditionFactory, UserFactory, make_team
from tests.hub.fake_hub import FakeHub, HubState

ORG = "somosnlp-hackathon-test"  # EditionFactory's hub_organization
VALIDATED = ContributionStatus.VALIDATED


@pytest.fixture
def fake_hub(settings, monkeypatch):
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    # huggingface_hub reads HF_HUB_OFFLINE once, at import: a test that imported it offline
    # (the dataset tests) would leave this process offline for the Hub tests.
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_DISABLE_TELEMETRY", True)
    settings.HF_ORG = ""
    settings.HF_TOKEN = ""
    with FakeHub(HubState(org=ORG)) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        settings.HF_ENDPOINT = hub.url
        yield hub


@pytest.fixture
def hub_org(fake_hub):
    """An organization with two models, one dataset and one Space."""
    state = fake_hub.state
    state.add("model", f"{ORG}/modelo-a", day=10)
    state.add("model", f"{ORG}/modelo-b", day=12, gated="manual", private=True)
    state.add("dataset", f"{ORG}/corpus", day=11)
    state.add("space", f"{ORG}/demo", day=9)
    # Another organization's repository: the author filter keeps it out.
    state.add("model", "otra-org/ajeno", day=20)
    return fake_hub


def child_database_url() -> str:
    """A URL to the database the tests use (on PostgreSQL, test_<name>), for a child process."""
    from urllib.parse import quote

    from django.db import connection

    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials + '@' if credentials else ''}{host}/{db['NAME']}"


@pytest.fixture
def child_env(fake_hub, tmp_path):
    """The environment of a child process (manage.py, a Celery worker) that works on the test
    database (committed data only: use transactional_db) and talks to the fake Hub."""
    import os

    env = {name: value for name, value in os.environ.items() if not name.startswith("HF_")}
    env.update(
        DJANGO_SETTINGS_MODULE="hackathon.settings",
        DATABASE_URL=child_database_url(),
        HF_ENDPOINT=fake_hub.url,
        HF_HUB_DISABLE_TELEMETRY="1",
        HF_TOKEN="",
        HF_ORG="",
        # No token saved on this machine may be read.
        HF_HOME=str(tmp_path / "hf-home"),
        PYTHONUNBUFFERED="1",
    )
    return env


# --- publishing: one validated item of each kind, and the folder it is published to ------------


@pytest.fixture
def published_dir(settings, tmp_path):
    settings.PUBLISHED_DATASETS_DIR = tmp_path / "published"
    settings.HF_TOKEN = ""
    return settings.PUBLISHED_DATASETS_DIR


@pytest.fixture
def authors(db):
    """Two contributors whose name, email and usernames must never be published."""
    return UserFactory.create_batch(2)


@pytest.fixture
def collected(edition, authors):
    """One validated item of each kind, next to items that must be left out (pending, rejected,
    invalidated, drafts, skips) and another edition's validated items."""
    author, other = authors
    # Preferences: one validated prompt with a vote, a pending and a rejected one.
    preferences = PreferencesChallengeFactory(
        edition=edition, description_en="Write prompts that test cultural adequacy."
    )
    prompt = PromptFactory(
        challenge=preferences, author=author, status=VALIDATED, country="PE",
        system_prompt="Eres de Lima.", text="¿Qué se come en Lima?",
    )  # fmt: skip
    ArenaVoteFactory(prompt=prompt, chosen="Ceviche.", rejected="Hamburguesas.")
    PromptFactory(challenge=preferences, author=other, text="Pendiente")
    PromptFactory(
        challenge=preferences, author=other, status=ContributionStatus.REJECTED, text="Mal"
    )
    # INCLUDE: one accepted question, a pending and a rejected one.
    include = IncludeChallengeFactory(edition=edition)
    exam = ExamFactory(
        challenge=include, author=author, name="Examen de admisión UNMSM", license="Apache 2.0"
    )
    ExamQuestionFactory(
        exam=exam, status=VALIDATED, original_question_num=7,
        question="¿En qué año se fundó Lima?", options=["1535", "1492", "1821", "1900"], answer=0,
    )  # fmt: skip
    ExamQuestionFactory(exam=exam, status=ContributionStatus.PENDING)
    ExamQuestionFactory(exam=exam, status=ContributionStatus.REJECTED)
    # BLEND: one validated answer; pending, rejected and draft ones.
    blend = BlendChallengeFactory(edition=edition)
    question = BlendQuestionFactory(
        challenge=blend, external_id="Fo-pe-001", question="¿Qué se come de postre en Perú?"
    )
    BlendAnswerFactory(
        question=question, author=author, status=VALIDATED, answer_2="Picarones", region="Lima"
    )
    for status in (ContributionStatus.PENDING, ContributionStatus.REJECTED):
        BlendAnswerFactory(question=BlendQuestionFactory(challenge=blend), status=status)
    BlendAnswerFactory(
        question=BlendQuestionFactory(challenge=blend), status=ContributionStatus.DRAFT
    )
    # Stereotypes: one validated rating; an invalidated one and a skip.
    stereotypes = StereotypesChallengeFactory(edition=edition)
    pair = PairFactory(
        challenge=stereotypes, external_id="p-1", nationality="peruanos", attribute="amables"
    )
    RatingFactory(
        pair=pair, author=author, other_nationalities=["chilenos"], region="Cusco",
        own_nationality=True,
    )  # fmt: skip
    RatingFactory(
        pair=PairFactory(challenge=stereotypes), author=other,
        status=ContributionStatus.INVALIDATED,
    )  # fmt: skip
    RatingFactory(pair=PairFactory(challenge=stereotypes), author=other, skip=True)
    # Another edition's validated items stay out.
    other_edition = EditionFactory(slug="otra-edicion", is_current=False)
    ExamQuestionFactory(
        exam=ExamFactory(challenge=IncludeChallengeFactory(edition=other_edition)),
        status=VALIDATED,
    )
    return {
        "preferences": preferences,
        "include": include,
        "blend": blend,
        "stereotypes": stereotypes,
    }


# --- imports: an exam of a team's captain, known on the Hub as AUTHOR ---------------------


@pytest.fixture
def include(edition):
    return IncludeChallengeFactory(edition=edition)


AUTHOR = "autora-hub"  # the exam author's Hugging Face username


@pytest.fixture
def author(edition):
    team = make_team(edition=edition, members=2, name="Bajo prueba")
    captain = team.memberships.get(role=Membership.Role.CAPTAIN).user
    captain.profile.hub_username = AUTHOR
    captain.profile.save()
    return captain


@pytest.fixture
def exam(include, author):
    return ExamFactory(
        challenge=include, author=author, name="Examen UNMSM 2019", language="es", country="PE"
    )
