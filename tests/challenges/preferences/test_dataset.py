import datetime as dt
import json

import pytest

from challenges.domain import ContributionRefused
from challenges.models import ContributionStatus
from challenges.preferences import domain
from challenges.preferences.models import ArenaVote, DatasetBuild
from tests.challenges.preferences.factories import ArenaVoteFactory, PromptFactory

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


def test_the_dataset_written_loads_back_with_the_same_rows(challenge, validated, offline):
    from datasets import load_dataset

    paths = domain.build_preference_dataset(challenge=challenge, directory=offline / "out")
    names = sorted(path.name for path in paths)
    assert names == [
        "preferences.jsonl",
        "preferences.parquet",
        "preferences_dpo.jsonl",
        "preferences_dpo.parquet",
    ]
    cache = str(offline / "cache")
    shared = load_dataset(
        "parquet",
        data_files=str(offline / "out" / "preferences.parquet"),
        split="train",
        cache_dir=cache,
    )
    assert shared.column_names == domain.SHARED_COLUMNS
    assert shared.to_list() == SHARED
    dpo = load_dataset(
        "parquet",
        data_files=str(offline / "out" / "preferences_dpo.parquet"),
        split="train",
        cache_dir=cache,
    )
    assert dpo.to_list() == DPO
    lines = (offline / "out" / "preferences.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == SHARED
    assert "Oaxaca" in lines[2]  # written as UTF-8, not escaped


def test_publishing_writes_under_media_and_records_the_build(
    challenge, validated, offline, organizer
):
    build = domain.publish_preference_dataset(challenge=challenge, by=organizer)
    assert build.directory.startswith(f"datasets/{challenge.edition.slug}/")
    assert (build.shared_rows, build.dpo_rows) == (3, 1)
    for name in build.files:
        assert (offline / "media" / build.directory / name).is_file()
    assert domain.dataset_file(build=build, name="preferences.parquet").is_file()
    assert domain.dataset_file(build=build, name="../../../etc/passwd") is None


def test_nothing_validated_nothing_to_publish(challenge, offline, organizer):
    PromptFactory(challenge=challenge)
    with pytest.raises(ContributionRefused, match="nothing to publish"):
        domain.publish_preference_dataset(challenge=challenge, by=organizer)
    assert not DatasetBuild.objects.exists()
    assert not (offline / "media").exists()


def test_the_page_builds_and_offers_the_files(client, challenge, validated, offline, organizer):
    client.force_login(organizer)
    response = client.post(
        f"/preferences/{challenge.slug}/organize/dataset/", follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    content = response.content.decode()
    assert "The dataset was built: 3 prompts, 1 with a chosen and a rejected answer." in content
    build = DatasetBuild.objects.get()
    url = f"/preferences/{challenge.slug}/organize/dataset/{build.pk}/preferences_dpo.jsonl"
    assert url in content
    download = client.get(url)
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    body = b"".join(download.streaming_content).decode()
    assert json.loads(body.splitlines()[0]) == DPO[0]
    assert (
        client.get(
            f"/preferences/{challenge.slug}/organize/dataset/{build.pk}/other.txt"
        ).status_code
        == 404
    )


def test_the_page_says_when_there_is_nothing_to_publish(client, challenge, offline, organizer):
    client.force_login(organizer)
    page = client.get(f"/preferences/{challenge.slug}/organize/dataset/", HTTP_ACCEPT_LANGUAGE="en")
    assert "has not been built yet" in page.content.decode()
    response = client.post(
        f"/preferences/{challenge.slug}/organize/dataset/", follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "nothing to publish" in response.content.decode()
    assert not DatasetBuild.objects.exists()
