"""Migration 0015: the near-duplicate index's rows copied into the table keyed by (item id,
band, item type), with a hash index of the band hashes on PostgreSQL (a B-tree elsewhere), and
back when it is unapplied. Run on PostgreSQL and on SQLite (the vendors' indexes differ)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from challenges.near_duplicates import Signed, index_items

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("challenges", "0014_near_duplicate_band_without_challenge_constraint")]
AFTER = [("challenges", "0015_near_duplicate_band_keyed_by_item")]
TABLE = "challenges_nearduplicateband"


@pytest.fixture
def migrate():
    """Migrate to the given targets and return their historical models; the latest schema is
    migrated to again afterwards, for the other tests."""

    def to(targets):
        executor = MigrationExecutor(connection)
        executor.migrate(targets)
        executor.loader.build_graph()
        return executor.loader.project_state(targets).apps

    yield to
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def entries(model) -> set[tuple]:
    return set(
        model.objects.values_list("challenge_id", "item_type", "item_id", "band", "band_hash")
    )


def test_the_rows_move_to_the_table_keyed_by_item_band_and_type(migrate):
    old = migrate(BEFORE).get_model("challenges", "NearDuplicateBand")
    rows = [
        (1, "include.examquestion", 10, 0, -5),
        (1, "include.examquestion", 10, 1, 7),
        (1, "preferences.prompt", 10, 0, -5),  # the same id, another type
        (2, "blend.blendquestion", 11, 0, 2**62),
    ]
    for challenge_id, item_type, item_id, band, band_hash in rows:
        old.objects.create(
            challenge_id=challenge_id, item_type=item_type, item_id=item_id, band=band,
            band_hash=band_hash,
        )  # fmt: skip
    # The old table let an item's band be there twice: the row added last is kept.
    old.objects.create(
        challenge_id=1, item_type="include.examquestion", item_id=10, band=1, band_hash=8
    )

    new = migrate(AFTER).get_model("challenges", "NearDuplicateBand")

    expected = set(rows) - {(1, "include.examquestion", 10, 1, 7)} | {
        (1, "include.examquestion", 10, 1, 8)
    }
    assert entries(new) == expected
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    [(name, key)] = [(n, c["columns"]) for n, c in constraints.items() if c["primary_key"]]
    assert set(key) == {"item_id", "band", "item_type"}
    if connection.vendor == "postgresql":  # named after the table, not the one it was built as
        assert name == f"{TABLE}_pkey"
    hashes = constraints["near_duplicate_hash_idx"]
    assert hashes["columns"] == ["band_hash"]
    assert hashes["type"] == ("hash" if connection.vendor == "postgresql" else "idx")
    with pytest.raises(IntegrityError), transaction.atomic():
        new.objects.create(
            challenge_id=1, item_type="include.examquestion", item_id=10, band=0, band_hash=3
        )

    old = migrate(BEFORE).get_model("challenges", "NearDuplicateBand")
    assert entries(old) == expected


@pytest.mark.parametrize("targets", [BEFORE, AFTER])
def test_index_items_writes_to_the_historical_table_of_either_shape(migrate, targets):
    """The data migrations before 0015 index items with their historical model (``band_model``)
    through the same ``index_items``: the old table and the new have the same columns."""
    band_model = migrate(targets).get_model("challenges", "NearDuplicateBand")
    signed = Signed(hashvalues=None, bands=(4, -4, 9))
    added = index_items(
        challenge_id=3, item_type="include.examquestion", items=[(21, signed)],
        band_model=band_model,
    )  # fmt: skip
    assert added == 3
    assert entries(band_model) == {
        (3, "include.examquestion", 21, band, band_hash)
        for band, band_hash in enumerate(signed.bands)
    }
