"""How many ids go into one "IN (...)" query and how many rows into one bulk insert."""

from __future__ import annotations

from collections.abc import Iterator

IN_CHUNK = 500  # ids per "IN (...)" query: well under SQLite's limit on parameters
BULK_BATCH = 2000


def in_chunks(items: list, size: int = IN_CHUNK) -> Iterator[list]:
    """The items, ``size`` at a time, for one query each."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
