"""The rubric editor: criteria with labels and guidance in three languages, weight, scale and
required; reordering; the preview; refused once judges marked, but for the texts; the
edition file brings the same fields."""

from decimal import Decimal

import pytest
from django.utils import translation

from challenges.models import ChangeRecord
from judging.domain.rubric import RubricRefused, read_rubric, save_rubric
from scoring.judged import submit_review
from scoring.models import Criterion
from tests.factories import ChallengeFactory, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def paper(edition):
    return ChallengeFactory(
        edition=edition, slug="paper", kind="paper", max_points=Decimal("0.5"),
        scoring={"rule": "judged"},
    )  # fmt: skip


def form_data(items, **extra):
    data = {
        "criteria-TOTAL_FORMS": str(len(items)), "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0", "criteria-MAX_NUM_FORMS": "1000", **extra,
    }  # fmt: skip
    for index, item in enumerate(items):
        for key, value in item.items():
            data[f"criteria-{index}-{key}"] = value
    return data


ITEMS = [
    {"label_es": "Claridad", "label_en": "Clarity", "guidance_en": "Is it easy to follow?",
     "weight": "1", "scale": "5", "required": "on", "position": "2"},
    {"label_es": "Rigor", "label_pt": "Rigor", "label_en": "Rigour", "weight": "2", "scale": "10",
     "position": "1"},
]  # fmt: skip


def test_organizers_edit_reorder_and_preview_the_rubric(client, organizer, paper):
    client.force_login(organizer)
    url = "/organize/judging/paper/rubric/"
    preview = client.post(url, form_data(ITEMS, preview="1"), HTTP_ACCEPT_LANGUAGE="en")
    assert preview.status_code == 200 and not Criterion.objects.exists()
    assert "Rigour (0-10, ×2)" in preview.content.decode()
    assert client.post(url, form_data(ITEMS)).status_code == 302
    rubric = read_rubric(challenge=paper)
    assert [item["label_en"] for item in rubric] == ["Rigour", "Clarity"]  # the order asked
    assert (rubric[1]["scale"], rubric[1]["required"], rubric[0]["required"]) == (5, True, False)
    assert rubric[1]["guidance_en"] == "Is it easy to follow?"
    assert ChangeRecord.objects.filter(field="scoring", source="organizer").count() == 1
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Is it easy to follow?" in page  # the judge's form shows the guidance


def test_bad_rubric_input_is_refused_and_nothing_changes(client, organizer, paper):
    client.force_login(organizer)
    bad = [{**ITEMS[0], "scale": "11"}]
    response = client.post("/organize/judging/paper/rubric/", form_data(bad))
    assert response.status_code == 400 and not Criterion.objects.exists()
    with translation.override("en"):
        with pytest.raises(RubricRefused, match="needs a label in Spanish"):
            save_rubric(challenge=paper, items=[{"label_en": "Only English"}], by=organizer)
        with pytest.raises(RubricRefused, match="at least one criterion"):
            save_rubric(challenge=paper, items=[], by=organizer)


def test_once_marked_only_the_texts_may_change(edition, paper, organizer, judge):
    items = [{"label_es": "Calidad", "weight": "1"}, {"label_es": "Estilo", "weight": "1"}]
    save_rubric(challenge=paper, items=items, by=organizer)
    team = make_team(edition=edition)
    marks = {c.pk: Decimal(7) for c in Criterion.objects.filter(challenge=paper)}
    submit_review(challenge=paper, team=team, judge=judge, marks=marks)
    for changed in (
        [{**items[0], "weight": "3"}, items[1]],
        [items[1], items[0]],
        [items[0]],
        [*items, {"label_es": "Nuevo"}],
    ):
        with pytest.raises(RubricRefused, match="Judges already marked"):
            save_rubric(challenge=paper, items=changed, by=organizer)
    assert [c.weight for c in Criterion.objects.filter(challenge=paper)] == [1, 1]
    assert save_rubric(
        challenge=paper, items=[{**items[0], "label_en": "Quality"}, items[1]], by=organizer
    )
    assert Criterion.objects.get(challenge=paper, position=1).label_en == "Quality"


def test_the_edition_file_brings_guidance_scale_and_required(db):
    from pathlib import Path

    from challenges.domain import load_edition, read_edition_file

    path = Path(__file__).resolve().parents[2] / "editions" / "somosnlp-2025.toml"
    data = read_edition_file(path)
    demo = next(c for c in data["challenges"] if c["slug"] == "demo")
    demo["scoring"]["rubric"][1].update(
        {"guidance_en": "Links to the dataset and model", "scale": 5, "required": False}
    )
    load_edition(data=data)
    criterion = Criterion.objects.get(challenge__slug="demo", position=2)
    assert criterion.guidance_en == "Links to the dataset and model"
    assert (criterion.scale, criterion.required) == (5, False)
