"""The published BLEND dataset: one row per answer, and BLEnD's aggregated shape (question,
country, answers with counts), both loaded back with datasets."""

import pytest

from challenges.blend.intake import aggregate_answers
from challenges.models import ContributionStatus
from hub.models import PersonalDataHit
from hub.personal_data import decide_hits, scan_dataset
from hub.publishing import build_rows, write_dataset
from tests.challenges.blend.factories import BlendAnswerFactory, BlendQuestionFactory

pytestmark = pytest.mark.django_db

VALIDATED = ContributionStatus.VALIDATED


@pytest.fixture
def answered(challenge):
    dessert = BlendQuestionFactory(
        challenge=challenge, external_id="Fo-pe-001", country="PE", language="es",
        topic="Food", question="¿Qué se come de postre en Perú?",
    )  # fmt: skip
    for first, second in [
        ("Suspiro a la limeña", "Picarones"),
        ("suspiro  a la LIMEÑA", ""),  # the same answer, written otherwise
        ("Picarones", "Picarones"),  # given twice by one person: counted once
        ("Mazamorra morada", "Suspiro a la limeña"),
    ]:
        BlendAnswerFactory(question=dessert, answer_1=first, answer_2=second, status=VALIDATED)
    BlendAnswerFactory(
        question=dessert, answer_1="", no_answer_reason="no_specific_answer", status=VALIDATED
    )
    BlendAnswerFactory(question=dessert, answer_1="Pendiente", status=ContributionStatus.PENDING)
    sport = BlendQuestionFactory(
        challenge=challenge, external_id="Sp-br-001", country="BR", language="pt",
        topic="Sport", question="Qual esporte se joga na praia?",
    )  # fmt: skip
    BlendAnswerFactory(question=sport, answer_1="Futevôlei", status=VALIDATED)
    return dessert


EXPECTED = [
    {
        "question_external_id": "Fo-pe-001",
        "country": "PE",
        "language": "es",
        "topic": "Food",
        "question": "¿Qué se come de postre en Perú?",
        "answers": ["Suspiro a la limeña", "Picarones", "Mazamorra morada"],
        "counts": [3, 2, 1],
        "no_answer_reasons": ["no_specific_answer"],
        "no_answer_counts": [1],
        "respondents": 5,
    },
    {
        "question_external_id": "Sp-br-001",
        "country": "BR",
        "language": "pt",
        "topic": "Sport",
        "question": "Qual esporte se joga na praia?",
        "answers": ["Futevôlei"],
        "counts": [1],
        "no_answer_reasons": [],
        "no_answer_counts": [],
        "respondents": 1,
    },
]


def without_id(rows):
    return [{name: value for name, value in row.items() if name != "id"} for row in rows]


def test_the_aggregated_rows(edition, answered):
    rows = build_rows(edition=edition, kind="blend", form="aggregated")
    assert without_id(rows) == EXPECTED
    assert rows[0]["id"] == f"{edition.slug}-blend-question-Fo-pe-001"
    assert len(build_rows(edition=edition, kind="blend")) == 6  # one per validated answer


def test_both_shapes_load_back_with_datasets(edition, answered, tmp_path):
    from datasets import load_dataset

    write_dataset(edition=edition, kind="blend", folder=tmp_path / "out")
    cache = str(tmp_path / "cache")
    per_answer = load_dataset(str(tmp_path / "out"), "default", split="train", cache_dir=cache)
    assert per_answer.to_list() == build_rows(edition=edition, kind="blend")
    aggregated = load_dataset(str(tmp_path / "out"), "aggregated", split="train", cache_dir=cache)
    assert without_id(aggregated.to_list()) == EXPECTED
    assert aggregated.features["counts"].feature.dtype == "int64"


def test_the_aggregated_shape_follows_the_personal_data_decisions(edition, answered):
    """Built from the published answers: an excluded answer is not counted, a redacted one is
    redacted there too; its texts are scanned once, in the per-answer rows."""
    BlendAnswerFactory(question=answered, answer_1="Escríbeme a ana@example.org", status=VALIDATED)
    report = scan_dataset(edition=edition, kind="blend")
    assert report.found == 1
    hit = PersonalDataHit.objects.get()
    decide_hits(edition=edition, ids=[hit.pk], decision="redact", by=None)
    (dessert, _sport) = build_rows(edition=edition, kind="blend", form="aggregated")
    assert "Escríbeme a [redacted]" in dessert["answers"]
    decide_hits(edition=edition, ids=[hit.pk], decision="exclude", by=None)
    (dessert, _sport) = build_rows(edition=edition, kind="blend", form="aggregated")
    assert without_id([dessert]) == EXPECTED[:1]


def test_an_empty_list_aggregates_to_nothing():
    assert aggregate_answers([]) == []
