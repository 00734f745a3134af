import datetime as dt

import pytest

from challenges.models import ContributionStatus
from challenges.preferences import domain
from challenges.preferences.models import ArenaVote
from hub.models import PublishedDataset
from hub.publishing import PublishRefused, publish_dataset
from tests.challenges.preferences.factories import ArenaVoteFactory, PromptFactory
from tests.hub.publishing_data import without_provenance

pytestmark = pytest.mark.django_db


@pytest.fixture
def offline(monkeypatch, tmp_path, settings):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "cache"))
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


@pytest.fixture
def validated(challenge):
    """Three validated prompts (one with a system prompt and two votes, one with only a tie,
    one with none) and a pending one, which is left out."""
    with_vote = PromptFactory(
        challenge=challenge, status=ContributionStatus.VALIDATED, country="PE",
        system_prompt="Eres de Lima.", text="¿Qué se come en Lima?",
    )  # fmt: skip
    ArenaVoteFactory(
        prompt=with_vote,
        chosen="Viejo.",
        rejected="Más viejo.",
        tstamp=dt.datetime(2025, 4, 15, tzinfo=dt.UTC),
    )
    ArenaVoteFactory(
        prompt=with_vote,
        vote_type="rightvote",
        chosen="Ceviche.",
        rejected="Hamburguesas.",
        tstamp=dt.datetime(2025, 4, 16, tzinfo=dt.UTC),
    )
    tie = PromptFactory(
        challenge=challenge,
        status=ContributionStatus.VALIDATED,
        country="BR",
        language="pt",
        text="O que se come no Recife?",
    )
    ArenaVoteFactory(prompt=tie, vote_type=ArenaVote.VoteType.TIE, chosen="", rejected="")
    PromptFactory(
        challenge=challenge,
        status=ContributionStatus.VALIDATED,
        country="MX",
        text="¿Qué se come en Oaxaca?",
    )
    PromptFactory(challenge=challenge, status=ContributionStatus.PENDING, text="Pendiente")
    return with_vote


SHARED = [
    {
        "country": "PE",
        "system_prompt": "Eres de Lima.",
        "question": "¿Qué se come en Lima?",
        "chosen": "Ceviche.",
        "rejected": "Hamburguesas.",
    },
    {
        "country": "BR",
        "system_prompt": "",
        "question": "O que se come no Recife?",
        "chosen": "",
        "rejected": "",
    },
    {
        "country": "MX",
        "system_prompt": "",
        "question": "¿Qué se come en Oaxaca?",
        "chosen": "",
        "rejected": "",
    },
]
DPO = [
    {
        "prompt": "Eres de Lima.\n\n¿Qué se come en Lima?",
        "chosen": "Ceviche.",
        "rejected": "Hamburguesas.",
    }
]


def test_the_rows_of_both_forms(challenge, validated):
    assert without_provenance(domain.shared_preference_rows(challenge=challenge)) == SHARED
    assert without_provenance(domain.dpo_preference_rows(challenge=challenge)) == DPO


def test_the_published_dataset_loads_back_with_both_forms(challenge, validated, offline):
    from datasets import load_dataset

    published = publish_dataset(
        edition=challenge.edition, kind="preferences", folder=offline / "out"
    )
    assert published.rows == 3
    cache = str(offline / "cache")
    shared = load_dataset(
        "parquet",
        data_files=str(offline / "out" / "data" / "train.parquet"),
        split="train",
        cache_dir=cache,
    )
    assert shared.column_names == domain.SHARED_COLUMNS
    assert without_provenance(shared.to_list()) == SHARED
    dpo = load_dataset(
        "parquet",
        data_files=str(offline / "out" / "dpo" / "train.parquet"),
        split="train",
        cache_dir=cache,
    )
    assert dpo.column_names == domain.DPO_COLUMNS
    assert without_provenance(dpo.to_list()) == DPO
    # The card names both forms as configs, so the Hub and load_dataset offer each.
    card = (offline / "out" / "README.md").read_text(encoding="utf-8")
    assert "config_name: default" in card and "config_name: dpo" in card
    assert "path: dpo/train.parquet" in card


def test_nothing_validated_nothing_to_publish(challenge, offline):
    PromptFactory(challenge=challenge)
    with pytest.raises(PublishRefused, match="nothing to publish"):
        publish_dataset(edition=challenge.edition, kind="preferences", folder=offline / "out")
    assert not PublishedDataset.objects.exists()
    assert not (offline / "out").exists()


def test_the_page_offers_the_files_of_the_local_publications(
    client, challenge, validated, offline, organizer, settings
):
    settings.PUBLISHED_DATASETS_DIR = offline / "published"
    settings.HF_TOKEN = ""
    published = publish_dataset(edition=challenge.edition, kind="preferences", by=organizer)
    client.force_login(organizer)
    content = client.get(
        f"/preferences/{challenge.slug}/organize/dataset/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    url = f"/organize/hub/publish/{published.pk}/dpo.parquet"
    assert url in content and f"/organize/hub/publish/{published.pk}/README.md" in content
    download = client.get(url)
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    body = b"".join(download.streaming_content)
    assert (
        body
        == (
            offline / "published" / challenge.edition.slug / "preferences" / "dpo" / "train.parquet"
        ).read_bytes()
    )
    # The address of the earlier builds leads to the same file.
    old = client.get(f"/preferences/{challenge.slug}/organize/dataset/{published.pk}/dpo.parquet")
    assert old.status_code == 302 and old["Location"] == url
    for name in ("other.txt", "..%2F..%2Fsettings.py"):
        assert client.get(f"/organize/hub/publish/{published.pk}/{name}").status_code == 404


def test_the_page_says_when_nothing_was_published(client, challenge, offline, organizer):
    client.force_login(organizer)
    page = client.get(f"/preferences/{challenge.slug}/organize/dataset/", HTTP_ACCEPT_LANGUAGE="en")
    content = page.content.decode()
    assert "has not been published to the server" in content
    assert "/organize/hub/publish/" in content
