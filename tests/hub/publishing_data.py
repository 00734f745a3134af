"""What the publishing tests share: one validated item of each kind beside items that must
be left out, the rows each dataset must hold, and helpers to read a publication back."""

import yaml

from challenges.models import ContributionStatus

TOKEN = "hf_test_token_123456"
URL = "/organize/hub/publish/"
VALIDATED = ContributionStatus.VALIDATED

PREFERENCE_ROWS = [
    {
        "country": "PE",
        "system_prompt": "Eres de Lima.",
        "question": "¿Qué se come en Lima?",
        "chosen": "Ceviche.",
        "rejected": "Hamburguesas.",
    }
]
INCLUDE_ROWS = [
    {
        "language": "es",
        "country": "PE",
        "exam_name": "Examen de admisión UNMSM",
        "source": "https://example.org/exam.pdf",
        "license": "apache-2.0",
        "level": "University entrance",
        "category_en": "History",
        "category_original_lang": "Historia",
        "original_question_num": 7,
        "question": "¿En qué año se fundó Lima?",
        "options": ["1535", "1492", "1821", "1900"],
        "answer": 0,
        "status": "validated",
    }
]
BLEND_ROWS = [
    {
        "question_external_id": "Fo-pe-001",
        "country": "PE",
        "language": "es",
        "topic": "Food",
        "question": "¿Qué se come de postre en Perú?",
        "reworded_question": "",
        "answer_1": "Suspiro a la limeña",
        "answer_2": "Picarones",
        "answer_3": "",
        "region": "Lima",
        "no_answer_reason": "",
    }
]
STEREOTYPE_ROWS = [
    {
        "pair_external_id": "p-1",
        "language": "es",
        "nationality": "peruanos",
        "attribute": "amables",
        "rating": 4,
        "extra_attribute": "",
        "other_nationalities": ["chilenos"],
        "region": "Cusco",
    }
]
EXPECTED = {
    "preferences": PREFERENCE_ROWS,
    "include": INCLUDE_ROWS,
    "blend": BLEND_ROWS,
    "stereotypes": STEREOTYPE_ROWS,
}


# The columns every row has whose values depend on the database's ids (challenges.provenance):
# the tests compare the rows without them, and check them apart.
PROVENANCE = ("id", "exam", "contributor")


def without_provenance(rows) -> list[dict]:
    return [{name: value for name, value in row.items() if name not in PROVENANCE} for row in rows]


def personal_data(users) -> list[str]:
    values = []
    for user in users:
        profile = user.profile
        values += [user.email, profile.display_name, profile.hub_username]
        values += [profile.discord_username]
    return values


def load(folder, tmp_path):
    from datasets import load_dataset

    return load_dataset(str(folder), split="train", cache_dir=str(tmp_path / "cache")).to_list()


def read_card(path) -> dict:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n")[1])
