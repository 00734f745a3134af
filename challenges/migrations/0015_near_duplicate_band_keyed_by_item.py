"""The near-duplicate index keyed by (item id, band, item type), without its ``id``, and with
one index besides, a hash index of the band hashes (a B-tree on SQLite): an upload's 280,000
rows cost PostgreSQL a third of what they did (``challenges.models.NearDuplicateBand``).

A table's primary key cannot become a composite one in place (Django does not migrate it), so
the rows are copied into a new table, which then takes the old one's name. Should an item's
band be there twice (the new key forbids it; nothing adds it twice, but the old table allowed
it), the row added last is kept. The rows are copied before the hash index is built: building
it once is cheaper than adding to it row by row.
"""

import django.db.models.deletion
from django.db import migrations, models

import challenges.models

COLUMNS = "item_id, band, item_type, challenge_id, band_hash"


def copy_entries(apps, schema_editor):
    """Every entry of the old table into the new one, one per (item id, band, item type)."""
    old = apps.get_model("challenges", "NearDuplicateBand")._meta.db_table
    new = apps.get_model("challenges", "NearDuplicateEntry")._meta.db_table
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"INSERT INTO {quote(new)} ({COLUMNS}) SELECT {COLUMNS} FROM {quote(old)} "
        f"WHERE id IN (SELECT MAX(id) FROM {quote(old)} GROUP BY item_id, band, item_type) "
        "ORDER BY item_id, band, item_type"
    )


def copy_entries_back(apps, schema_editor):
    """Unapplied: every entry back into the table with an ``id`` (new ids)."""
    old = apps.get_model("challenges", "NearDuplicateBand")._meta.db_table
    new = apps.get_model("challenges", "NearDuplicateEntry")._meta.db_table
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"INSERT INTO {quote(old)} ({COLUMNS}) SELECT {COLUMNS} FROM {quote(new)} "
        "ORDER BY item_id, band, item_type"
    )


def rename_key(apps, schema_editor, *, old: str, new: str) -> None:
    """PostgreSQL named the primary key after the table it was created as."""
    if schema_editor.connection.vendor == "postgresql":
        table = apps.get_model("challenges", "NearDuplicateBand")._meta.db_table
        quote = schema_editor.quote_name
        schema_editor.execute(
            f"ALTER TABLE {quote(table)} RENAME CONSTRAINT {quote(old)} TO {quote(new)}"
        )


def name_key_after_table(apps, schema_editor):
    rename_key(
        apps,
        schema_editor,
        old="challenges_nearduplicateentry_pkey",
        new="challenges_nearduplicateband_pkey",
    )


def name_key_after_first_table(apps, schema_editor):
    rename_key(
        apps,
        schema_editor,
        old="challenges_nearduplicateband_pkey",
        new="challenges_nearduplicateentry_pkey",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("challenges", "0014_near_duplicate_band_without_challenge_constraint"),
    ]

    operations = [
        migrations.CreateModel(
            name="NearDuplicateEntry",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "item_id",
                        "band",
                        "item_type",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("item_type", models.CharField(max_length=60, verbose_name="item type")),
                ("item_id", models.PositiveBigIntegerField(verbose_name="item id")),
                ("band", models.PositiveSmallIntegerField(verbose_name="band")),
                ("band_hash", models.BigIntegerField(verbose_name="band hash")),
                (
                    "challenge",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="challenges.challenge",
                        verbose_name="challenge",
                    ),
                ),
            ],
            options={
                "verbose_name": "near-duplicate index entry",
                "verbose_name_plural": "near-duplicate index entries",
            },
        ),
        migrations.RunPython(copy_entries, copy_entries_back),
        migrations.DeleteModel(name="NearDuplicateBand"),
        migrations.RenameModel(old_name="NearDuplicateEntry", new_name="NearDuplicateBand"),
        migrations.RunPython(name_key_after_table, name_key_after_first_table),
        migrations.AddIndex(
            model_name="nearduplicateband",
            index=challenges.models.HashIndexOnPostgreSQL(
                fields=["band_hash"], name="near_duplicate_hash_idx"
            ),
        ),
    ]
