"""Publishing the collected datasets: rows, card, local folder, the Hub (the fake), queued
publications and their task."""

import dataclasses
import json

import pytest

from hub.models import PublishedDataset
from hub.publishing import (
    PublishRefused,
    build_rows,
    count_rows,
    publish_dataset,
    request_publication,
    write_dataset,
)
from tests.challenges.blend.factories import (
    BlendAnswerFactory,
    BlendQuestionFactory,
)
from tests.challenges.stereotypes.factories import (
    PairFactory,
    RatingFactory,
    StereotypesChallengeFactory,
)
from tests.hub.conftest import ORG, VALIDATED
from tests.hub.publishing_data import (
    BLEND_ROWS,
    EXPECTED,
    INCLUDE_ROWS,
    TOKEN,
    load,
    personal_data,
    read_card,
    without_provenance,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("published_dir")]

# --- rows ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_rows_hold_only_what_was_validated_and_no_personal_data(edition, collected, authors, kind):
    rows = build_rows(edition=edition, kind=kind)

    assert without_provenance(rows) == EXPECTED[kind]
    text = json.dumps(rows, ensure_ascii=False)
    for value in personal_data(authors):
        assert value not in text
    assert "author_id" not in rows[0]
    assert rows[0]["id"].startswith(f"{edition.slug}-{kind}-")
    assert len(rows[0]["contributor"]) == 32


def test_the_counts_are_the_rows_each_dataset_would_have(edition, collected):
    assert count_rows(edition=edition) == {
        "preferences": 1,
        "include": 1,
        "blend": 1,
        "stereotypes": 1,
    }


# --- local folder --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_without_a_token_the_dataset_is_written_and_loads_back(
    edition, collected, organizer, published_dir, tmp_path, kind
):
    published = publish_dataset(edition=edition, kind=kind, by=organizer)

    folder = published_dir / edition.slug / kind
    assert (folder / "data" / "train.parquet").is_file()
    assert (folder / "README.md").is_file()
    assert without_provenance(load(folder, tmp_path)) == EXPECTED[kind]
    assert (published.target, published.on_hub) == (str(folder.resolve()), False)
    assert (published.rows, published.commit, published.published_by) == (1, "", organizer)
    assert PublishedDataset.objects.get() == published


def test_the_card_says_what_the_data_is(edition, collected, tmp_path):
    rows = write_dataset(edition=edition, kind="include", folder=tmp_path / "out")

    assert rows == 1
    metadata = read_card(tmp_path / "out" / "README.md")
    assert metadata["license"] == "apache-2.0"
    assert metadata["language"] == ["es"]
    assert metadata["task_categories"] == ["question-answering", "multiple-choice"]
    assert metadata["size_categories"] == ["n<1K"]
    assert metadata["configs"] == [
        {"config_name": "default", "data_files": [{"split": "train", "path": "data/train.parquet"}]}
    ]
    assert metadata["dataset_info"]["splits"][0]["num_examples"] == 1
    names = [feature["name"] for feature in metadata["dataset_info"]["features"]]
    upstream = [name for name in INCLUDE_ROWS[0] if name != "status"]
    assert names == ["id", *upstream, "exam", "status", "contributor"]
    text = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    assert "Hackathon de prueba" in text
    assert ORG in text
    assert collected["include"].title in text
    assert "1 row in one split (train)" in text
    assert "no personal data" in text

    # The Hub's own parser reads it too.
    from huggingface_hub import DatasetCard

    card = DatasetCard.load(tmp_path / "out" / "README.md")
    assert card.data.license == "apache-2.0"


def test_the_card_is_written_in_the_organizers_language(edition, collected, tmp_path):
    from django.utils import translation

    with translation.override("es"):
        write_dataset(edition=edition, kind="include", folder=tmp_path / "es")
    with translation.override("pt"):
        write_dataset(edition=edition, kind="include", folder=tmp_path / "pt")

    spanish = (tmp_path / "es" / "README.md").read_text(encoding="utf-8")
    portuguese = (tmp_path / "pt" / "README.md").read_text(encoding="utf-8")
    for heading in ("Cómo se recogieron los datos", "Filas y columnas", "Datos personales"):
        assert f"## {heading}" in spanish
    assert "## Como os dados foram coletados" in portuguese and "| coluna |" in portuguese


@pytest.mark.parametrize(
    ("rows", "category"),
    [(999, "n<1K"), (1_000, "1K<n<10K"), (12_000_000, "10M<n<100M"), (2 * 10**12, "n>1T")],
)
def test_the_size_category_is_one_the_hub_knows(rows, category):
    from hub.publishing.card import _size_category

    assert _size_category(rows) == category


def test_the_preference_card_names_the_prompts_languages_and_the_challenge(
    edition, collected, tmp_path
):
    write_dataset(edition=edition, kind="preferences", folder=tmp_path / "out")

    metadata = read_card(tmp_path / "out" / "README.md")
    assert metadata["language"] == ["es"]
    assert metadata["task_categories"] == ["text-generation"]
    text = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    assert "Write prompts that test cultural adequacy." in text


def test_publishing_again_replaces_the_files_and_records_it_again(
    edition, collected, published_dir, tmp_path
):
    publish_dataset(edition=edition, kind="blend")
    BlendAnswerFactory(
        question=BlendQuestionFactory(challenge=collected["blend"]),
        status=VALIDATED,
        answer_1="Mazamorra morada",
    )
    publish_dataset(edition=edition, kind="blend")

    rows = load(published_dir / edition.slug / "blend", tmp_path)
    assert [row["answer_1"] for row in rows] == ["Suspiro a la limeña", "Mazamorra morada"]
    assert list(PublishedDataset.objects.values_list("rows", flat=True)) == [2, 1]


def test_an_empty_dataset_is_refused_and_nothing_is_recorded(edition, published_dir):
    StereotypesChallengeFactory(edition=edition)

    with pytest.raises(PublishRefused, match="nothing to publish"):
        publish_dataset(edition=edition, kind="stereotypes")

    assert not PublishedDataset.objects.exists()
    assert not published_dir.exists()


def test_an_unknown_kind_is_refused(edition):
    with pytest.raises(PublishRefused, match="not a dataset that can be published"):
        publish_dataset(edition=edition, kind="emails")
    assert not PublishedDataset.objects.exists()


# --- the Hub -------------------------------------------------------------------------------


def test_with_a_token_the_dataset_goes_to_the_organization_and_loads_back(
    edition, collected, organizer, fake_hub, settings, tmp_path
):
    settings.HF_TOKEN = TOKEN
    repo_id = f"{ORG}/{edition.slug}-include"

    published = publish_dataset(edition=edition, kind="include", by=organizer)

    assert (published.target, published.on_hub, published.rows) == (repo_id, True, 1)
    files = fake_hub.state.repo_files("dataset", repo_id)
    assert {"README.md", "data/train.parquet"} <= set(files)
    assert published.commit == fake_hub.state.find("dataset", repo_id)["sha"]
    assert b"apache-2.0" in files["README.md"]
    # Every upload request carried the token.
    uploads = [r for r in fake_hub.state.requests if r["method"] == "POST"]
    assert uploads and all(r["auth"] == f"Bearer {TOKEN}" for r in uploads)

    from huggingface_hub import snapshot_download

    path = snapshot_download(
        repo_id,
        repo_type="dataset",
        cache_dir=str(tmp_path / "hub-cache"),
        endpoint=fake_hub.url,
        token=TOKEN,
    )
    assert without_provenance(load(path, tmp_path)) == INCLUDE_ROWS


def test_publishing_to_the_hub_twice_reuses_the_repository(edition, collected, fake_hub, settings):
    settings.HF_TOKEN = TOKEN
    first = publish_dataset(edition=edition, kind="stereotypes")
    second = publish_dataset(edition=edition, kind="stereotypes")

    assert first.target == second.target
    assert len(fake_hub.state.repos["dataset"]) == 1
    assert PublishedDataset.objects.count() == 2


def test_a_republish_with_nothing_changed_uploads_nothing(edition, collected, fake_hub, settings):
    settings.HF_TOKEN = TOKEN
    first = publish_dataset(edition=edition, kind="stereotypes")
    commits = [r for r in fake_hub.state.requests if "/commit/" in r["path"]]

    again = publish_dataset(edition=edition, kind="stereotypes")

    assert (first.unchanged, again.unchanged) == (False, True)
    assert again.content_hash == first.content_hash and again.commit == ""
    assert [r for r in fake_hub.state.requests if "/commit/" in r["path"]] == commits
    # A new row changes the files: uploaded again.
    RatingFactory(pair=PairFactory(challenge=collected["stereotypes"], nationality="chilenos"))
    changed = publish_dataset(edition=edition, kind="stereotypes")
    assert changed.unchanged is False and changed.commit and changed.rows == 2


@pytest.mark.parametrize(
    ("kind", "chosen", "private", "gated"),
    [
        ("include", None, True, False),  # a benchmark: private unless organizers say otherwise
        ("blend", None, False, False),
        ("include", "public", False, False),
        ("blend", "gated", False, "auto"),
        ("stereotypes", "private", True, False),
    ],
)
def test_the_visibility_is_the_kinds_or_the_organizers(
    edition, collected, fake_hub, settings, kind, chosen, private, gated
):
    settings.HF_TOKEN = TOKEN
    published = publish_dataset(edition=edition, kind=kind, visibility=chosen)

    repo = fake_hub.state.find("dataset", published.target)
    assert (repo["private"], repo["gated"]) == (private, gated)
    assert published.visibility == (chosen or ("private" if kind == "include" else "public"))
    create = next(r for r in fake_hub.state.requests if r["path"] == "/api/repos/create")
    assert create["method"] == "POST"
    # The flag itself is in the create-repo request (a benchmark is never public for a moment).
    assert asks_private(create["json"]) is private and create["json"]["type"] == "dataset"
    (setting,) = [r for r in fake_hub.state.requests if r["path"].endswith("/settings")]
    assert setting["json"]["gated"] == gated and asks_private(setting["json"]) is private


def asks_private(payload: dict) -> bool:
    """Whether a request asks for a private repository (the client sends ``private`` or
    ``visibility``, by version)."""
    return payload.get("private") is True or payload.get("visibility") == "private"


def test_changing_the_visibility_publishes_again_with_the_new_settings(
    edition, collected, fake_hub, settings
):
    settings.HF_TOKEN = TOKEN
    private = publish_dataset(edition=edition, kind="include")
    public = publish_dataset(edition=edition, kind="include", visibility="public")

    assert public.unchanged is False
    assert fake_hub.state.find("dataset", private.target)["private"] is False


def test_an_unknown_visibility_is_refused(edition, collected):
    with pytest.raises(PublishRefused, match="not a visibility"):
        publish_dataset(edition=edition, kind="include", visibility="everyone")
    assert not PublishedDataset.objects.exists()


def test_a_hub_error_is_refused_without_the_token(edition, collected, fake_hub, settings, caplog):
    settings.HF_TOKEN = TOKEN
    # The fake echoes the Authorization header it received in its error message.
    fake_hub.state.errors["/api/repos/create"] = (500, "X", "boom")

    with pytest.raises(PublishRefused) as refused:
        publish_dataset(edition=edition, kind="blend")

    message = str(refused.value.message)
    assert "boom" in message
    assert f"{ORG}/{edition.slug}-blend" in message
    assert TOKEN not in message
    assert TOKEN not in str(refused.value)
    assert refused.value.__cause__ is None and refused.value.__suppress_context__
    assert TOKEN not in caplog.text
    assert not PublishedDataset.objects.exists()


def test_a_folder_wins_over_the_token(edition, collected, fake_hub, settings, tmp_path):
    settings.HF_TOKEN = TOKEN
    published = publish_dataset(edition=edition, kind="blend", folder=tmp_path / "here")

    assert published.on_hub is False
    assert without_provenance(load(tmp_path / "here", tmp_path)) == BLEND_ROWS
    assert not fake_hub.state.repos["dataset"]


def test_a_request_queues_one_publication_sent_once_committed(
    edition, collected, organizer, django_capture_on_commit_callbacks
):
    sent = []
    with django_capture_on_commit_callbacks() as callbacks:
        queued = request_publication(
            edition=edition, kind="blend", by=organizer, enqueue=sent.append
        )
        assert sent == []  # nothing is sent before the transaction commits
    assert (queued.status, queued.published_by, queued.rows) == ("queued", organizer, 0)
    for callback in callbacks:
        callback()
    assert sent == [queued.pk]
    # Asked again while it waits: the same publication, nothing more queued.
    again = request_publication(edition=edition, kind="blend", by=organizer, enqueue=sent.append)
    assert again == queued and PublishedDataset.objects.count() == 1


@pytest.mark.parametrize(
    ("kind", "message"), [("stereotypes", "nothing to publish"), ("x", "not a dataset")]
)
def test_a_request_for_nothing_is_refused_at_once(edition, organizer, kind, message):
    with pytest.raises(PublishRefused, match=message):
        request_publication(edition=edition, kind=kind, by=organizer, enqueue=print)
    assert not PublishedDataset.objects.exists()


def test_the_task_publishes_the_queued_publication(edition, collected, organizer, published_dir):
    from hub.tasks import publish_dataset_task

    queued = request_publication(edition=edition, kind="stereotypes", by=organizer, enqueue=print)
    publish_dataset_task(queued.pk)

    published = PublishedDataset.objects.get()
    assert (published.status, published.kind, published.rows, published.on_hub) == (
        "done",
        "stereotypes",
        1,
        False,
    )
    assert published.published_by == organizer and published.finished_at is not None
    assert (published_dir / edition.slug / "stereotypes" / "data" / "train.parquet").is_file()
    # Delivered again: a finished publication is left as it is.
    finished_at = published.finished_at
    publish_dataset_task(queued.pk)
    published.refresh_from_db()
    assert published.finished_at == finished_at and PublishedDataset.objects.count() == 1


def test_the_task_returns_quietly_for_a_publication_that_is_gone(edition):
    from hub.tasks import publish_dataset_task

    assert publish_dataset_task(987654) is None
    assert not PublishedDataset.objects.exists()


def test_a_failed_publication_keeps_the_hubs_reason_without_the_token(
    edition, collected, organizer, fake_hub, settings
):
    from hub.tasks import publish_dataset_task

    settings.HF_TOKEN = TOKEN
    fake_hub.state.errors["/api/repos/create"] = (500, "X", "boom")
    queued = request_publication(edition=edition, kind="include", by=organizer, enqueue=print)
    publish_dataset_task(queued.pk)

    queued.refresh_from_db()
    assert queued.status == "failed" and "boom" in queued.error and TOKEN not in queued.error


# --- the card, as the Hub checks it -------------------------------------------------------


def test_the_card_says_who_made_the_data_in_the_hubs_words(edition, collected, tmp_path):
    write_dataset(edition=edition, kind="include", folder=tmp_path / "include")
    write_dataset(edition=edition, kind="preferences", folder=tmp_path / "preferences")

    include = read_card(tmp_path / "include" / "README.md")
    assert include["language_creators"] == ["found"]
    assert include["annotations_creators"] == ["found", "expert-generated"]
    assert (include["multilinguality"], include["source_datasets"]) == (
        ["monolingual"],
        ["original"],
    )
    preferences = read_card(tmp_path / "preferences" / "README.md")
    assert preferences["language_creators"] == ["crowdsourced", "machine-generated"]


def test_the_fake_hub_refuses_unknown_card_keys_and_values(fake_hub):
    import requests

    def validate(metadata: str):
        return requests.post(
            f"{fake_hub.url}/api/validate-yaml",
            json={"repoType": "dataset", "content": f"---\n{metadata}\n---\n# Card\n"},
            timeout=5,
        )

    assert validate("license: apache-2.0\nsize_categories:\n- n<1K").status_code == 200
    refused = validate("license: apache-3.0\ncolour: red\nsize_categories:\n- n>10M")
    assert refused.status_code == 400
    for problem in ('"colour" is not allowed', '"apache-3.0"', '"n>10M"'):
        assert problem in refused.headers["X-Error-Message"]


def test_a_card_the_hub_refuses_is_not_uploaded(
    edition, collected, fake_hub, settings, monkeypatch
):
    from challenges.intake import REGISTRY

    settings.HF_TOKEN = TOKEN
    intake = REGISTRY["blend"]
    bad = dataclasses.replace(intake.publication, task_categories=["cultural-trivia"])
    monkeypatch.setitem(REGISTRY, "blend", dataclasses.replace(intake, publication=bad))

    with pytest.raises(PublishRefused, match="The Hub refused the dataset card") as refused:
        publish_dataset(edition=edition, kind="blend")

    assert "cultural-trivia" in refused.value.message and TOKEN not in refused.value.message
    assert not fake_hub.state.repos["dataset"] and not PublishedDataset.objects.exists()
