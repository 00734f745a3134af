"""Organizers import a preference dataset in the shared 2025 shape (country, system_prompt,
question, chosen, rejected): duplicates judged on (country, system prompt, question)."""

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from challenges.models import ContributionStatus, ReviewDecision
from challenges.preferences import domain
from challenges.preferences.models import ArenaUpload, ArenaVote, Prompt
from challenges.uploads import UploadRejected
from tests.challenges.preferences.factories import PromptFactory
from tests.hub.publishing_data import without_provenance

pytestmark = pytest.mark.django_db

# Shaped like the 2025 dataset: 7 countries, the same questions asked for each of them (with
# and without a system prompt), some rows without a choice, quotes, commas and line breaks.
SHAPED = Path(__file__).parent / "data" / "shared_2025_shape.csv"
SAMPLE = Path("/work/shared/samples/preference_v0.csv")


def shaped_rows() -> list[dict]:
    return list(csv.DictReader(io.StringIO(SHAPED.read_text(encoding="utf-8"))))


def import_text(challenge, organizer, text, filename="preferencias.csv"):
    return domain.import_shared_preferences(
        challenge=challenge, text=text, filename=filename, by=organizer
    )


def test_the_file_shaped_like_2025_imports_whole(challenge, organizer):
    rows = shaped_rows()
    assert len({row["country"] for row in rows}) == 7
    repeated = {
        row["question"] for row in rows if sum(r["question"] == row["question"] for r in rows) > 1
    }
    assert len(repeated) == 10  # each asked for every country

    report = import_text(challenge, organizer, SHAPED.read_text(encoding="utf-8"))

    with_choice = [row for row in rows if row["chosen"] and row["rejected"]]
    assert (report.prompts_created, report.added, report.duplicates) == (
        len(rows),
        len(with_choice),
        0,
    )
    prompts = Prompt.objects.filter(challenge=challenge)
    assert prompts.count() == len(rows) == 76
    assert set(prompts.values_list("status", flat=True)) == {ContributionStatus.VALIDATED}
    assert set(prompts.values_list("source", flat=True)) == {Prompt.Source.DATASET}
    assert set(prompts.values_list("author", flat=True)) == {organizer.pk}
    assert set(prompts.values_list("country", flat=True)) == {
        "ES", "CO", "CL", "PE", "PY", "MX", "NI"
    }  # fmt: skip
    # The same question for seven countries, and once more for Spain with a system prompt.
    first = rows[0]["question"]
    assert prompts.filter(text=first).count() == 8
    decisions = ReviewDecision.objects.filter(challenge=challenge, decided_by=organizer)
    assert decisions.filter(status=ContributionStatus.VALIDATED).count() == len(rows)
    assert ArenaUpload.objects.get().prompts_created == len(rows)
    # Published back in the same shape, the rows with a choice, as they were.
    published = without_provenance(domain.shared_preference_rows(challenge=challenge))
    countries = {"España": "ES", "Colombia": "CO", "Chile": "CL", "Perú": "PE",
                 "Paraguay": "PY", "México": "MX", "Nicaragua": "NI"}  # fmt: skip
    assert published == [{**row, "country": countries[row["country"]]} for row in with_choice]


def test_importing_the_same_file_again_adds_nothing(challenge, organizer):
    text = SHAPED.read_text(encoding="utf-8")
    import_text(challenge, organizer, text)
    again = import_text(challenge, organizer, text)
    assert (again.prompts_created, again.added, again.duplicates) == (0, 0, 76)
    assert Prompt.objects.count() == 76


def test_a_row_repeating_country_system_prompt_and_question_is_skipped(challenge, organizer):
    text = (
        "country,system_prompt,question,chosen,rejected\n"
        "Perú,,¿Qué se come?,Ceviche.,Sushi.\n"
        "PE,,¿QUÉ  se come?,Otra.,Otra más.\n"  # the same prompt, written differently
        "Chile,,¿Qué se come?,Empanadas.,Sushi.\n"
        "Perú,Eres de Lima.,¿Qué se come?,Anticuchos.,Sushi.\n"
    )
    report = import_text(challenge, organizer, text)
    assert (report.prompts_created, report.duplicates) == (3, 1)
    assert list(Prompt.objects.order_by("pk").values_list("country", "system_prompt", "text")) == [
        ("PE", "", "¿Qué se come?"),
        ("CL", "", "¿Qué se come?"),
        ("PE", "Eres de Lima.", "¿Qué se come?"),
    ]
    assert ArenaVote.objects.get(prompt__country="PE", prompt__system_prompt="").chosen == (
        "Ceviche."
    )


def test_the_sample_imports_whole(challenge, organizer):
    report = import_text(challenge, organizer, SAMPLE.read_text(encoding="utf-8"))
    assert report.prompts_created == len(list(csv.DictReader(SAMPLE.open(encoding="utf-8"))))


def test_the_imported_prompts_do_not_block_a_participant_s_own(challenge, organizer, participant):
    """A participant's prompt is compared by its text with participants' prompts only: an
    imported question does not stop them sending it."""
    import_text(challenge, organizer, SAMPLE.read_text(encoding="utf-8"))
    mine = PromptFactory(challenge=challenge, author=participant, text=shaped_rows()[0]["question"])
    assert mine.pk


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("country,question\nPerú,¿Qué?\n", "needs the columns “chosen”, “rejected”"),
        ("country,system_prompt,question,chosen,rejected\nAtlántida,,¿Qué?,a,b\n", "not a country"),
        ("country,system_prompt,question,chosen,rejected\nPerú,,,a,b\n", "required"),
        ("country,system_prompt,question,chosen,rejected\nPerú,,<b>¿Qué?</b>,a,b\n", "HTML"),
    ],
)
def test_a_wrong_file_stores_nothing(challenge, organizer, text, message):
    with pytest.raises(UploadRejected) as refused:
        # Beside a right row, which is not stored either.
        right = "Chile,,¿Qué es una once?,Té.,Almuerzo.\n" if "chosen" in text else "Chile,¿Y?\n"
        import_text(challenge, organizer, text + right)
    assert message in " ".join(str(error.message) for error in refused.value.errors.shown)
    assert not Prompt.objects.exists() and not ArenaUpload.objects.exists()


def test_the_organizer_uploads_it_on_the_arena_page(client, challenge, organizer):
    client.force_login(organizer)
    file = SimpleUploadedFile("preference_v0.csv", SHAPED.read_bytes())
    response = client.post(
        f"/preferences/{challenge.slug}/organize/arena/",
        {"file": file},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "68 votes stored" in response.content.decode()
    assert Prompt.objects.filter(challenge=challenge).count() == 76


def test_a_vote_log_is_not_taken_for_the_shared_shape():
    assert domain.is_shared_shape(
        "country,system_prompt,question,chosen,rejected\n", filename="a.csv"
    )
    assert not domain.is_shared_shape('{"type": "leftvote"}\n', filename="votes.jsonl")
    assert not domain.is_shared_shape("prompt,pais\n¿Qué?,Perú\n", filename="prompts.csv")
