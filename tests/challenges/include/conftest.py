import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from teams.models import Membership
from tests.challenges.include.factories import ExamFactory, IncludeChallengeFactory
from tests.factories import make_team

SAMPLES = "/work/shared/samples"


@pytest.fixture
def challenge(edition):
    return IncludeChallengeFactory(edition=edition)


@pytest.fixture
def author(edition):
    """A participant in a team: the captain of "Bajo prueba"."""
    team = make_team(edition=edition, members=2, name="Bajo prueba")
    return team.memberships.get(role=Membership.Role.CAPTAIN).user


@pytest.fixture
def exam(challenge, author):
    return ExamFactory(
        challenge=challenge,
        author=author,
        name="Examen de admisión UNMSM 2019",
        language="es",
        country="PE",
    )


def as_file(content, name: str = "questions.json") -> SimpleUploadedFile:
    """An uploaded file: bytes as given, text as UTF-8, anything else as a JSON document."""
    if isinstance(content, (list, dict)):
        content = json.dumps(content, ensure_ascii=False)
    if isinstance(content, str):
        content = content.encode("utf-8")
    return SimpleUploadedFile(name, content)


def official(**overrides) -> dict:
    record = {
        "language": "es",
        "country": "Perú",
        "exam_name": "Examen de admisión UNMSM 2019",
        "source": "https://example.org/unmsm-2019.pdf",
        "license": "unknown",
        "level": "University entrance",
        "category_en": "History",
        "category_original_lang": "Historia del Perú",
        "original_question_num": 1,
        "question": "¿En qué año se proclamó la independencia del Perú?",
        "options": ["1810", "1821", "1824", "1879"],
        "answer": 1,
    }
    record.update(overrides)
    return {key: value for key, value in record.items() if value is not ...}


def workshop(**overrides) -> dict:
    record = {
        "question_id": 1,
        "question": "¿Cuántos años dura el mandato presidencial en Colombia?",
        "options": {"a": "Dos años", "b": "Cuatro años", "c": "Cinco años", "d": "Seis años"},
        "correct_answer": "b",
        "category": "Derecho constitucional",
    }
    record.update(overrides)
    return {key: value for key, value in record.items() if value is not ...}


def numbered(count: int, **overrides) -> list[dict]:
    """``count`` distinct valid official records."""
    return [
        official(
            question=f"¿Pregunta número {n} sobre la historia del Perú?",
            original_question_num=n,
            **overrides,
        )
        for n in range(1, count + 1)
    ]
