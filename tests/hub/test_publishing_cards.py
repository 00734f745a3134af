"""The dataset card's text: every section in the organizer's language (es/pt/en), the real
quorum, who validated, countries and languages, licences, uses, citation and contact; and every
config read back row for row."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext

from challenges.blend.models import BlendAnswer
from challenges.include.models import ExamQuestion
from challenges.intake import get_intake
from challenges.models import ContributionStatus, ReviewDecision
from hub.models import PublishedDataset
from hub.publishing import PublishRefused, build_rows, publish_dataset, write_dataset
from hub.publishing.card import _read_card as read_hub_card
from hub.tasks import publish_dataset_task
from tests.hub.publishing_data import EXPECTED, TOKEN, URL, read_card

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("published_dir")]

SECTIONS = [
    "How the data was collected",
    "Validation",
    "Rows and columns",
    "Countries and languages",
    "Licence",
    "Personal data",
    "Limitations and known biases",
    "Intended uses",
    "Out-of-scope uses",
    "Citation",
    "Contact",
]
CITATION = "@misc{prueba_2025,\n  title = {Hackathon de prueba},\n  year = {2025}\n}"


@pytest.fixture
def described(edition):
    edition.citation = CITATION
    edition.contact = "datos@example.org"
    edition.save()
    return edition


def card_text(folder) -> str:
    return (folder / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("language", ["es", "pt", "en"])
def test_every_section_is_in_the_chosen_language(described, collected, tmp_path, language):
    write_dataset(edition=described, kind="blend", folder=tmp_path / "out", language=language)

    text = card_text(tmp_path / "out")
    with translation.override(language):
        for section in SECTIONS:
            assert f"## {gettext(section)}\n" in text, section
    with translation.override("es"):
        # The catalogs already translate these: the card is not written in English by mistake.
        assert ("## Datos personales" in text) == (language == "es")


def test_the_card_names_the_real_quorum_and_who_validated(
    described, collected, organizer, tmp_path
):
    blend = collected["blend"]
    blend.approvals_to_validate, blend.rejections_to_reject = 3, 2
    blend.save()
    answer = BlendAnswer.objects.get(challenge=blend, status=ContributionStatus.VALIDATED)
    item_type = "blend.blendanswer"
    ReviewDecision.objects.create(
        challenge=blend, item_type=item_type, item_id=answer.pk, status="validated"
    )
    # A decision on a row left out, and a rejection, are not counted.
    ReviewDecision.objects.create(
        challenge=blend, item_type=item_type, item_id=answer.pk + 999, status="validated"
    )
    ReviewDecision.objects.create(
        challenge=blend, item_type=item_type, item_id=answer.pk, status="rejected",
        decided_by=organizer,
    )  # fmt: skip

    with translation.override("en"):
        write_dataset(edition=described, kind="blend", folder=tmp_path / "out")

    text = card_text(tmp_path / "out")
    assert "| challenge | approvals to validate | rejections to reject |" in text
    assert f"| {blend.title} | 3 | 2 |" in text
    assert "| peers | 1 |" in text and "| organizers | 0 |" in text
    assert "| PE | es | 1 |" in text


def test_organizers_decisions_are_counted_as_theirs(described, collected, organizer, tmp_path):
    question = ExamQuestion.objects.get(
        challenge=collected["include"], status=ContributionStatus.VALIDATED
    )
    ReviewDecision.objects.create(
        challenge=collected["include"], item_type="include.examquestion", item_id=question.pk,
        status="validated", decided_by=organizer,
    )  # fmt: skip

    with translation.override("en"):
        write_dataset(edition=described, kind="include", folder=tmp_path / "out")

    text = card_text(tmp_path / "out")
    assert "| peers | 0 |" in text and "| organizers | 1 |" in text
    # INCLUDE is validated by organizers only: no quorum of peers is named.
    assert "approvals to validate" not in text


def test_the_card_has_the_citation_the_contact_and_the_kinds_uses(
    described, collected, tmp_path, settings
):
    with translation.override("en"):
        write_dataset(edition=described, kind="stereotypes", folder=tmp_path / "out")

    text = card_text(tmp_path / "out")
    assert f"```bibtex\n{CITATION}\n```" in text
    assert f"{settings.HF_ENDPOINT.rstrip('/')}/{described.hub_organization}" in text
    assert "Questions about the data: datos@example.org" in text
    assert "Measuring and mitigating stereotypes in language models" in text
    assert "Teaching a model the stereotypes" in text
    # Without countries, the table has the languages only.
    assert "| — | es | 1 |" in text
    # The metadata stays what the Hub accepts.
    metadata = read_card(tmp_path / "out" / "README.md")
    assert metadata["license"] == "apache-2.0"


def test_without_a_citation_or_contact_those_lines_are_left_out(edition, collected, tmp_path):
    with translation.override("en"):
        write_dataset(edition=edition, kind="blend", folder=tmp_path / "out")

    text = card_text(tmp_path / "out")
    assert "## Citation" not in text and "Questions about the data" not in text
    assert "## Contact" in text


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_every_config_loads_back_row_for_row(edition, collected, tmp_path, kind):
    from datasets import load_dataset

    folder = tmp_path / kind
    write_dataset(edition=edition, kind=kind, folder=folder)

    metadata = read_card(folder / "README.md")
    # Every form but the first is published as configs named after it ("dpo", "kto-unknown").
    others = [form.name for form in get_intake(kind).publication.forms[1:]]
    assert {config["config_name"] for config in metadata["configs"]} >= set(others)
    for config in metadata["configs"]:
        name = config["config_name"]
        rows = load_dataset(
            str(folder), name, split="train", cache_dir=str(tmp_path / "cache")
        ).to_list()
        form = next((f for f in others if name == f or name.startswith(f"{f}-")), None)
        assert rows == build_rows(edition=edition, kind=kind, form=form), name


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_every_config_loads_back_from_a_snapshot_of_the_hub(
    edition, collected, fake_hub, settings, tmp_path, kind
):
    """Published to the (fake) Hub, downloaded back with snapshot_download, every config reads
    back row for row, with the types of its form."""
    from datasets import load_dataset
    from huggingface_hub import snapshot_download

    settings.HF_TOKEN = TOKEN
    published = publish_dataset(edition=edition, kind=kind)
    path = snapshot_download(
        published.target,
        repo_type="dataset",
        cache_dir=str(tmp_path / "hub-cache"),
        endpoint=fake_hub.url,
        token=TOKEN,
    )
    forms = get_intake(kind).publication.forms
    others = [form.name for form in forms[1:]]
    metadata = read_card(Path(path) / "README.md")
    names = [config["config_name"] for config in metadata["configs"]]
    assert set(others) <= set(names)
    for name in names:
        loaded = load_dataset(path, name, split="train", cache_dir=str(tmp_path / "cache"))
        form = next((f for f in others if name == f or name.startswith(f"{f}-")), None)
        chosen = next((f for f in forms if f.name == form), forms[0])
        assert list(loaded.features) == list(chosen.columns), name
        assert loaded.to_list() == build_rows(edition=edition, kind=kind, form=form), name


def test_the_page_publishes_with_the_card_in_the_chosen_language(
    client, edition, collected, organizer, published_dir
):
    client.force_login(organizer)
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<select id="language-blend" name="language">' in page
    assert '<option value="en" selected>' in page

    client.post(URL, {"kind": "blend", "language": "pt"}, HTTP_ACCEPT_LANGUAGE="en")
    publish_dataset_task(PublishedDataset.objects.get().pk)  # the worker's part

    publication = PublishedDataset.objects.get()
    assert (publication.language, publication.status) == ("pt", "done")
    text = card_text(published_dir / edition.slug / "blend")
    assert "## Como os dados foram coletados" in text


def test_an_unknown_language_is_refused_and_nothing_is_recorded(edition, collected):
    with pytest.raises(PublishRefused, match="“xx” is not a language of the platform"):
        publish_dataset(edition=edition, kind="blend", language="xx")
    assert not PublishedDataset.objects.exists()


def test_the_command_writes_the_cards_in_the_language_asked(edition, collected, tmp_path):
    out = StringIO()
    call_command(
        "publish_datasets", "--kind", "blend", "--language", "en", "--folder", str(tmp_path),
        stdout=out,
    )  # fmt: skip

    assert json.loads(out.getvalue())["language"] == "en"
    assert "## How the data was collected" in card_text(tmp_path / "blend")


@pytest.mark.parametrize(
    "card",
    [
        "---\n- a list, not a mapping\n---\n# Card\n",
        "---\nlicense: [unclosed\n---\n# Card\n",
    ],
)
def test_a_card_huggingface_hub_cannot_read_is_refused(card):
    with pytest.raises(PublishRefused, match="The dataset card is not valid"):
        read_hub_card(card)


def test_a_card_the_hubs_classes_cannot_read_is_not_written(
    edition, collected, tmp_path, monkeypatch
):
    import hub.publishing.writing as writing

    monkeypatch.setattr(writing, "render_card", lambda **kwargs: "---\n- not: [a mapping\n---\n")
    with pytest.raises(PublishRefused, match="The dataset card is not valid"):
        write_dataset(edition=edition, kind="blend", folder=tmp_path / "out")
    assert not (tmp_path / "out" / "README.md").exists()


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_the_card_says_what_was_checked_for_personal_data(edition, collected, tmp_path, kind):
    with translation.override("en"):
        write_dataset(edition=edition, kind=kind, folder=tmp_path / "out")

    text = card_text(tmp_path / "out")
    assert "## Personal data" in text
    assert "checked for email addresses, phone numbers and the names and Discord and Hub" in text
    assert "replaced by [redacted], its row left out" in text
