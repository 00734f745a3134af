"""BLEND questions' fingerprints computed again with challenges.text (invisible characters,
quotes and accents aside), and every stored question added to the near-duplicate index (each
within its country).

Two questions stored before that now have the same fingerprint: the first keeps it, the later
one is kept as it is with a "duplicate:<id>" fingerprint and its possible_duplicate_of set to
the first (challenges.fingerprints), and is logged.
"""

from django.db import migrations

from challenges.fingerprints import recompute_fingerprints
from challenges.near_duplicates import index_stored
from challenges.text import fingerprint


def refingerprint_questions(apps, schema_editor):
    recompute_fingerprints(
        model=apps.get_model("blend", "BlendQuestion"),
        compute=lambda question: {"fingerprint": fingerprint(str(question.country), question.question)},
        reads=["country", "question"],
        duplicate_of="possible_duplicate_of",
    )


def index_questions(apps, schema_editor):
    index_stored(
        model=apps.get_model("blend", "BlendQuestion"),
        text=lambda question: question.question,
        scope=lambda question: str(question.country),
        reads=["country", "question"],
        band_model=apps.get_model("challenges", "NearDuplicateBand"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("blend", "0003_blendquestion_possible_duplicate_of"),
        ("challenges", "0007_near_duplicate_band"),
    ]

    operations = [
        migrations.RunPython(refingerprint_questions, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(index_questions, migrations.RunPython.noop, elidable=True),
    ]
