"""Pairs' fingerprints and nationality keys computed again with challenges.text (invisible
characters, quotes and, for fingerprints, accents aside).

Two pairs stored before that now have the same fingerprint: the first keeps it, the later one is
kept as it is (its ratings too) with a "duplicate:<id>" fingerprint (challenges.fingerprints),
and is logged.
"""

from django.db import migrations

from challenges.fingerprints import recompute_fingerprints
from challenges.text import fingerprint, normalize


def refingerprint_pairs(apps, schema_editor):
    recompute_fingerprints(
        model=apps.get_model("stereotypes", "StereotypePair"),
        compute=lambda pair: {
            "fingerprint": fingerprint(pair.language, pair.nationality, pair.attribute),
            "nationality_key": normalize(pair.nationality),
        },
        reads=["language", "nationality", "attribute", "nationality_key"],
    )


class Migration(migrations.Migration):
    dependencies = [("stereotypes", "0001_initial")]

    operations = [
        migrations.RunPython(refingerprint_pairs, migrations.RunPython.noop, elidable=True),
    ]
