"""Prompts' and arena votes' fingerprints computed again with challenges.text (invisible
characters, quotes and accents aside), and every stored prompt added to the near-duplicate
index.

Two rows stored before that now have the same fingerprint: the first keeps it, the later one is
kept as it is (status included) with a "duplicate:<id>" fingerprint (a prompt also with its
possible_duplicate_of set to the first; challenges.fingerprints), and is logged.
"""

from django.db import migrations

from challenges.fingerprints import recompute_fingerprints
from challenges.near_duplicates import index_stored
from challenges.text import fingerprint


def refingerprint_prompts(apps, schema_editor):
    recompute_fingerprints(
        model=apps.get_model("preferences", "Prompt"),
        compute=lambda prompt: {"fingerprint": fingerprint(prompt.text)},
        reads=["text"],
        duplicate_of="possible_duplicate_of",
    )


def vote_fingerprints(vote) -> dict[str, str]:
    """As challenges.preferences.domain.arena reads a vote of the log: the time stamp as the log
    wrote it (kept in ``raw``), the identity, the question and the models (spaces aside)."""
    try:
        stamp = float(vote.raw["tstamp"])
    except (KeyError, TypeError, ValueError):
        stamp = vote.tstamp.timestamp()
    return {
        "fingerprint": fingerprint(
            f"{stamp:.6f}", vote.identity, vote.question, vote.model_a, vote.model_b
        ),
        "question_fingerprint": fingerprint(vote.question),
    }


def refingerprint_votes(apps, schema_editor):
    recompute_fingerprints(
        model=apps.get_model("preferences", "ArenaVote"),
        compute=vote_fingerprints,
        reads=["tstamp", "raw", "identity", "question", "model_a", "model_b", "question_fingerprint"],
    )


def index_prompts(apps, schema_editor):
    index_stored(
        model=apps.get_model("preferences", "Prompt"),
        text=lambda prompt: prompt.text,
        reads=["text"],
        band_model=apps.get_model("challenges", "NearDuplicateBand"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("preferences", "0005_prompt_possible_duplicate_of"),
        ("challenges", "0007_near_duplicate_band"),
    ]

    operations = [
        migrations.RunPython(refingerprint_prompts, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(refingerprint_votes, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(index_prompts, migrations.RunPython.noop, elidable=True),
    ]
