import datetime as dt

import pytest

from challenges.models import ContributionStatus
from challenges.preferences import domain
from challenges.preferences.models import ArenaVote
from hub.models import PublishedDataset
from hub.publishing import PublishRefused, publish_dataset
from tests.challenges.preferences.factories import (
    ArenaVoteFactory,
    PromptFactory,
    PromptValidationFactory,
)
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
    """Validated prompts, one per kind of vote: Lima (two decisive votes: the latest counts;
    the validators keep its chosen answer), Cusco (decisive; most validators would not keep
    the chosen answer and one wrote a better one), Arequipa (decisive; they would not keep it
    and wrote nothing), Recife (both good), Manaus (both bad, one answer empty), Piura
    (decisive, its rejected answer empty: no pair), Oaxaca (no vote); and a pending prompt,
    left out."""
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
    latest = ArenaVoteFactory(
        prompt=with_vote,
        vote_type="rightvote",
        answer_a="Hamburguesas.",
        answer_b="Ceviche.",
        chosen="Ceviche.",
        rejected="Hamburguesas.",
        tstamp=dt.datetime(2025, 4, 16, tzinfo=dt.UTC),
    )
    PromptValidationFactory(prompt=with_vote, vote=latest, keep_chosen=True)
    PromptValidationFactory(
        prompt=with_vote, vote=latest, keep_chosen=False, improved_answer="Ceviche con camote."
    )
    improved = PromptFactory(
        challenge=challenge, status=ContributionStatus.VALIDATED, country="PE",
        text="¿Qué se bebe en Cusco?",
    )  # fmt: skip
    vote = ArenaVoteFactory(
        prompt=improved, answer_a="Coca-Cola.", answer_b="Chicha.", chosen="Coca-Cola.",
        rejected="Chicha.",
    )  # fmt: skip
    PromptValidationFactory(prompt=improved, vote=vote, keep_chosen=False, improved_answer="Mate.")
    PromptValidationFactory(
        prompt=improved, vote=vote, keep_chosen=False, improved_answer="Chicha de jora."
    )
    PromptValidationFactory(prompt=improved, vote=vote, keep_chosen=True)
    # A voided validation is not counted.
    PromptValidationFactory(
        prompt=improved, vote=vote, keep_chosen=False, improved_answer="Anulada.",
        voided_at=dt.datetime(2025, 5, 1, tzinfo=dt.UTC),
    )  # fmt: skip
    not_kept = PromptFactory(
        challenge=challenge, status=ContributionStatus.VALIDATED, country="PE",
        text="¿Qué se come en Arequipa?",
    )  # fmt: skip
    vote = ArenaVoteFactory(
        prompt=not_kept, answer_a="Pizza.", answer_b="Rocoto relleno.", chosen="Pizza.",
        rejected="Rocoto relleno.",
    )  # fmt: skip
    PromptValidationFactory(prompt=not_kept, vote=vote, keep_chosen=False)
    tie = PromptFactory(
        challenge=challenge,
        status=ContributionStatus.VALIDATED,
        country="BR",
        language="pt",
        text="O que se come no Recife?",
    )
    ArenaVoteFactory(
        prompt=tie, vote_type=ArenaVote.VoteType.TIE, answer_a="Tapioca.", answer_b="Cuscuz.",
        chosen="", rejected="",
    )  # fmt: skip
    both_bad = PromptFactory(
        challenge=challenge,
        status=ContributionStatus.VALIDATED,
        country="BR",
        language="pt",
        text="O que se come em Manaus?",
    )
    ArenaVoteFactory(
        prompt=both_bad, vote_type=ArenaVote.VoteType.BOTH_BAD, answer_a="Sushi.",
        answer_b="  ", chosen="", rejected="",
    )  # fmt: skip
    empty = PromptFactory(
        challenge=challenge, status=ContributionStatus.VALIDATED, country="PE",
        text="¿Qué se come en Piura?",
    )  # fmt: skip
    ArenaVoteFactory(
        prompt=empty,
        answer_a="Seco de chabelo.",
        answer_b="",
        chosen="Seco de chabelo.",
        rejected="",
    )
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
        "country": "PE",
        "system_prompt": "",
        "question": "¿Qué se bebe en Cusco?",
        "chosen": "Chicha de jora.",
        "rejected": "Chicha.",
    },
    {
        "country": "PE",
        "system_prompt": "",
        "question": "¿Qué se come en Arequipa?",
        "chosen": "Pizza.",
        "rejected": "Rocoto relleno.",
    },
]
DETAILS = {"country": "PE", "language": "es"}
DPO = [
    {
        "prompt": "Eres de Lima.\n\n¿Qué se come en Lima?",
        "chosen": "Ceviche.",
        "rejected": "Hamburguesas.",
        **DETAILS,
        "vote_type": "rightvote",
        "validation": "kept",
        "chosen_model": "model-beta",
        "rejected_model": "model-alpha",
    },
    {
        "prompt": "¿Qué se bebe en Cusco?",
        "chosen": "Chicha de jora.",
        "rejected": "Chicha.",
        **DETAILS,
        "vote_type": "leftvote",
        "validation": "improved",
        "chosen_model": "model-alpha",
        "rejected_model": "model-beta",
    },
    {
        "prompt": "¿Qué se come en Arequipa?",
        "chosen": "Pizza.",
        "rejected": "Rocoto relleno.",
        **DETAILS,
        "vote_type": "leftvote",
        "validation": "not_kept",
        "chosen_model": "model-alpha",
        "rejected_model": "model-beta",
    },
]


def kto(prompt, completion, label, vote_type, validation, model, other, **details):
    return {
        "prompt": prompt, "completion": completion, "label": label, **(details or DETAILS),
        "vote_type": vote_type, "validation": validation, "model": model, "other_model": other,
    }  # fmt: skip


BRAZIL = {"country": "BR", "language": "pt"}
KTO = [
    kto(DPO[0]["prompt"], "Ceviche.", True, "rightvote", "kept", "model-beta", "model-alpha"),
    kto(DPO[0]["prompt"], "Hamburguesas.", False, "rightvote", "kept", "model-alpha", "model-beta"),
    kto("¿Qué se bebe en Cusco?", "Chicha de jora.", True, "leftvote", "improved",
        "model-alpha", "model-beta"),
    kto("¿Qué se bebe en Cusco?", "Chicha.", False, "leftvote", "improved", "model-beta",
        "model-alpha"),
    kto("¿Qué se come en Arequipa?", "Pizza.", True, "leftvote", "not_kept", "model-alpha",
        "model-beta"),
    kto("¿Qué se come en Arequipa?", "Rocoto relleno.", False, "leftvote", "not_kept",
        "model-beta", "model-alpha"),
    kto("O que se come no Recife?", "Tapioca.", True, "tievote", "not_judged", "model-alpha",
        "model-beta", **BRAZIL),
    kto("O que se come no Recife?", "Cuscuz.", True, "tievote", "not_judged", "model-beta",
        "model-alpha", **BRAZIL),
    kto("O que se come em Manaus?", "Sushi.", False, "bothbad_vote", "not_judged",
        "model-alpha", "model-beta", **BRAZIL),
    # Piura's decisive vote: its chosen answer only (the rejected one is empty).
    kto("¿Qué se come en Piura?", "Seco de chabelo.", True, "leftvote", "not_judged",
        "model-alpha", "model-beta"),
]  # fmt: skip
PROMPTS = [
    {"country": country, "language": language, "system_prompt": system, "question": question}
    for country, language, system, question in [
        ("PE", "es", "Eres de Lima.", "¿Qué se come en Lima?"),
        ("PE", "es", "", "¿Qué se bebe en Cusco?"),
        ("PE", "es", "", "¿Qué se come en Arequipa?"),
        ("BR", "pt", "", "O que se come no Recife?"),
        ("BR", "pt", "", "O que se come em Manaus?"),
        ("PE", "es", "", "¿Qué se come en Piura?"),
        ("MX", "es", "", "¿Qué se come en Oaxaca?"),
    ]
]


def test_the_rows_of_every_form(challenge, validated):
    assert without_provenance(domain.shared_preference_rows(challenge=challenge)) == SHARED
    assert without_provenance(domain.dpo_preference_rows(challenge=challenge)) == DPO
    assert without_provenance(domain.kto_preference_rows(challenge=challenge)) == KTO
    assert without_provenance(domain.prompt_rows(challenge=challenge)) == PROMPTS


def test_no_row_has_an_empty_answer(challenge, validated):
    for row in domain.shared_preference_rows(challenge=challenge) + domain.dpo_preference_rows(
        challenge=challenge
    ):
        assert row["chosen"].strip() and row["rejected"].strip()
    for row in domain.kto_preference_rows(challenge=challenge):
        assert row["completion"].strip()


def test_the_kto_rows_have_stable_ids_per_answer(challenge, validated):
    ids = [row["id"] for row in domain.kto_preference_rows(challenge=challenge)]
    lima = f"{challenge.edition.slug}-preferences-{validated.pk}"
    assert ids[:2] == [f"{lima}/chosen", f"{lima}/rejected"]
    assert len(set(ids)) == len(ids)
    assert ids == [row["id"] for row in domain.kto_preference_rows(challenge=challenge)]


def test_a_flagged_vote_does_not_count(challenge, validated):
    """The Lima prompt's latest vote, once flagged, gives way to its earlier one."""
    ArenaVote.objects.filter(prompt=validated, vote_type="rightvote").update(flag="identity")
    (lima, *_rest) = domain.dpo_preference_rows(challenge=challenge)
    assert (lima["chosen"], lima["validation"]) == ("Viejo.", "not_judged")


@pytest.mark.parametrize(
    ("judgements", "expected"),
    [
        ([], ("not_judged", "")),
        ([(True, "")], ("kept", "")),
        ([(True, "Mejor."), (False, "Otra.")], ("kept", "")),
        ([(False, "")], ("not_kept", "")),
        ([(False, " Primera. "), (False, ""), (False, "Segunda.")], ("improved", "Segunda.")),
        ([(False, "Mejor."), (True, ""), (False, "")], ("improved", "Mejor.")),
    ],
)
def test_what_the_validators_concluded(judgements, expected):
    assert domain.dataset.judge_validations(judgements) == expected


def test_the_published_dataset_loads_back_with_every_form(challenge, validated, offline):
    from datasets import load_dataset

    published = publish_dataset(
        edition=challenge.edition, kind="preferences", folder=offline / "out"
    )
    assert published.rows == 3
    cache = str(offline / "cache")
    for path, columns, expected in [
        ("data", domain.SHARED_COLUMNS, SHARED),
        ("dpo", domain.DPO_COLUMNS, DPO),
        ("kto", domain.KTO_COLUMNS, KTO),
        ("prompts", domain.dataset.PROMPTS_FORM_COLUMNS, PROMPTS),
    ]:
        loaded = load_dataset(
            "parquet",
            data_files=str(offline / "out" / path / "train.parquet"),
            split="train",
            cache_dir=cache,
        )
        assert loaded.column_names == columns
        assert without_provenance(loaded.to_list()) == expected
    kto_config = load_dataset(str(offline / "out"), "kto", split="train", cache_dir=cache)
    assert kto_config.features["label"].dtype == "bool"
    # The card names every form as a config, so the Hub and load_dataset offer each.
    card = (offline / "out" / "README.md").read_text(encoding="utf-8")
    for name in ("default", "dpo", "kto", "prompts"):
        assert f"config_name: {name}" in card
    assert "path: dpo/train.parquet" in card and "path: kto/train.parquet" in card


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
