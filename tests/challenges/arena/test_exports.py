"""The votes as FastChat's vote log (read back by the platform's own import) and as its clean
battle format; the arena's models in the edition file."""

import json

import pytest

from challenges.arena.domain.battles import start_battle, vote_battle
from challenges.arena.domain.exports import (
    CLEAN_BATTLE_COLUMNS,
    WINNERS,
    clean_battle_rows,
    fastchat_log_lines,
)
from challenges.arena.domain.models_file import check_arena_models
from challenges.arena.models import ArenaModel
from challenges.arena.tasks import stream_answer_task
from challenges.domain.editions import EditionFileError, load_edition
from challenges.models import ChangeRecord
from challenges.preferences.domain import import_arena_votes
from challenges.preferences.models import ArenaVote
from tests.challenges.preferences.factories import PreferencesChallengeFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def voted(challenge, models, player, fake_openai):
    fake_openai.answers["jaguar"] = "Es Gemini quien responde: ceviche."  # flagged: not exported
    results = []
    for number, choice in enumerate(["a", "b", "tie", "bothbad", "a"]):
        battle = start_battle(
            challenge=challenge,
            user=player,
            text=f"¿Qué se come en Lima el día {number}?",
            country="PE",
            language="es",
            enqueue=stream_answer_task.delay,
        )
        results.append(vote_battle(battle_id=battle.pk, user=player, choice=choice))
    return results


def test_the_fastchat_log_is_read_back_by_the_import(challenge, edition, voted):
    counted = [b for b in voted if not b.vote.flag]
    assert counted and len(counted) < len(voted)
    text = "".join(fastchat_log_lines(challenge=challenge))
    assert len(text.splitlines()) == len(counted)
    other = PreferencesChallengeFactory(edition=edition, slug="otra-arena")
    report = import_arena_votes(challenge=other, text=text, filename="log.jsonl")
    assert report.added == len(counted)
    imported = {
        (v.question, v.vote_type, v.model_a, v.model_b, v.chosen)
        for v in ArenaVote.objects.filter(challenge=other)
    }
    assert imported == {
        (b.vote.question, b.vote.vote_type, b.vote.model_a, b.vote.model_b, b.vote.chosen)
        for b in counted
    }


def test_the_clean_battle_format(challenge, voted):
    rows = list(clean_battle_rows(challenge=challenge))
    counted = [b for b in voted if not b.vote.flag]
    assert len(rows) == len(counted)
    for row, battle in zip(rows, counted, strict=True):
        assert tuple(row) == CLEAN_BATTLE_COLUMNS
        assert row["winner"] in {"model_a", "model_b", "tie", "tie (bothbad)"}
        assert row["model_a"] == battle.model_a.display_name
        assert row["conversation_a"][0] == {"role": "user", "content": battle.turns[0]}
        assert row["conversation_a"][1]["role"] == "assistant"
        assert row["turn"] == 1 and row["anony"] is True and row["language"] == "es"
        json.dumps(row)
    assert [row["winner"] for row in rows] == [WINNERS[b.vote.vote_type] for b in counted]


FILE_MODELS = [
    {
        "slug": "salamandra",
        "name": "Salamandra 7B",
        "provider": "BSC",
        "base_url": "https://api.example.org/v1",
        "model_id": "BSC-LT/salamandra-7b-instruct",
        "api_key_env": "ARENA_KEY_SALAMANDRA",
        "max_tokens": 512,
        "temperature": 0.5,
        "daily_token_budget": 100000,
    },
    {
        "slug": "aguila",
        "name": "Águila",
        "base_url": "http://vllm:8000/v1",
        "model_id": "aguila-7b",
    },
]


def edition_data(edition, models):
    return {
        "edition": {"slug": edition.slug, "name": edition.name},
        "challenges": [{"slug": "preferencias", "kind": "preferences", "category": "main"}],
        "arena_models": models,
    }


def test_the_edition_file_lists_the_models_and_loading_twice_changes_nothing(edition, challenge):
    load_edition(data=edition_data(edition, FILE_MODELS))
    stored = {m.slug: m for m in ArenaModel.objects.filter(edition=edition)}
    assert set(stored) == {"salamandra", "aguila"}
    assert (
        stored["salamandra"].max_tokens == 512 and str(stored["salamandra"].temperature) == "0.50"
    )
    assert stored["aguila"].enabled and stored["aguila"].api_key_env == ""
    report = load_edition(data=edition_data(edition, FILE_MODELS))
    assert report.changes == []
    edited = [dict(FILE_MODELS[0], max_tokens=256, enabled=False), FILE_MODELS[1]]
    report = load_edition(data=edition_data(edition, edited))
    fields = {(c.object_type, c.field, c.old_value, c.new_value) for c in report.changes}
    assert fields == {
        ("arena.arenamodel", "max_tokens", "512", "256"),
        ("arena.arenamodel", "enabled", "True", "False"),
    }
    assert ChangeRecord.objects.filter(object_type="arena.arenamodel").count() == 2


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (
            {
                "slug": "x",
                "name": "X",
                "base_url": "http://h/v1",
                "model_id": "m",
                "api_key": "sk-1",
            },
            "never write a key",
        ),
        (
            {
                "slug": "x",
                "name": "X",
                "base_url": "http://h/v1",
                "model_id": "m",
                "api_key_env": "sk-live-123",
            },
            "environment variable",
        ),
        ({"slug": "x", "name": "X", "base_url": "not a url", "model_id": "m"}, "not a URL"),
        ({"slug": "x", "name": "X", "base_url": "http://h/v1"}, "model_id"),
        (
            {
                "slug": "x",
                "name": "X",
                "base_url": "http://h/v1",
                "model_id": "m",
                "max_tokens": "9",
            },
            "whole number",
        ),
        (
            {
                "slug": "x",
                "name": "X",
                "base_url": "http://h/v1",
                "model_id": "m",
                "temperature": 7,
            },
            "temperature",
        ),
        (
            {"slug": "x", "name": "X", "base_url": "http://h/v1", "model_id": "m", "colour": "red"},
            "unknown keys",
        ),
    ],
)
def test_bad_model_rows_are_refused_and_nothing_is_written(edition, challenge, row, problem):
    assert any(problem in message for message in check_arena_models([row]))
    with pytest.raises(EditionFileError):
        load_edition(data=edition_data(edition, [row]))
    assert not ArenaModel.objects.exists()


def test_a_repeated_slug_is_refused():
    assert any("twice" in p for p in check_arena_models([FILE_MODELS[1], FILE_MODELS[1]]))
