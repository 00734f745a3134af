"""Near-duplicates: items whose texts are almost the same, found with MinHash LSH.

Every item compared (an INCLUDE question with its options, a prompt, a BLEND question) is read
in its folded form (``challenges.text.fold``) as a set of character shingles; its MinHash
signature (the values ``datasketch.MinHash`` gives, computed for all an upload's texts at once
with numpy) is cut into bands of rows, with the number of bands and
rows datasketch's LSH chooses for the threshold (``NEAR_DUPLICATE_THRESHOLD``). Two items
sharing a band are candidates; a candidate whose estimated Jaccard similarity reaches the
threshold is a near-duplicate.

The bands of every stored item are rows of ``NearDuplicateBand`` (item id, band and item type
as its key, challenge, band hash): the index lives in the database, so every process (several
gunicorn workers) reads and extends the same one, and an upload adds its own items' bands
instead of rebuilding it. A band hash also digests the item's scope (a BLEND question's
country): items of different scopes never meet. Candidates are verified against signatures
computed again from their stored texts (only the candidates' texts are read).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from datasketch import MinHash
from datasketch.lsh import _optimal_param
from django.conf import settings
from django.db import connection, models
from django.db.models.expressions import RawSQL

from challenges.models import NearDuplicateBand
from challenges.text import fold
from hackathon.bulk import COPY_ESCAPES, copy_lines

SHINGLE_SIZE = 5
NUM_PERM = 128
SEED = 1
FALSE_POSITIVE_WEIGHT = 0.1
# Index rows per INSERT on SQLite: a whole upload (20,000 rows of up to 14 bands) in one
# statement, its values in a JSON list, a few MB. PostgreSQL takes them by COPY.
INDEX_BATCH = 500_000
# Bands an item may have (a byte holds a band's number in its hash; ``band_layout``'s are fewer).
MAX_BANDS = 256
# The index's columns, in the order of the COPY lines of ``index_items``.
COPY_COLUMNS = "challenge_id, item_type, item_id, band, band_hash"
# Shingles permuted at once when texts are signed (times NUM_PERM 32-bit values: 1 MB, which stays in the processor's cache).
SIGN_CHUNK = 2048
# Texts whose code points and shingles are hashed at once when they are signed.
SIGN_TEXTS = 2000
# The multiplier of the shingles' rolling hash (a large odd 64-bit constant).
_ROLLING = np.uint64(0x9E3779B97F4A7C15)


@dataclass(frozen=True, eq=False)
class Signed:
    """An item's text ready to compare: its MinHash values and its band hashes."""

    hashvalues: np.ndarray
    bands: tuple[int, ...]

    def jaccard(self, other: Signed) -> float:
        """The estimated Jaccard similarity of the two texts' shingles (as MinHash.jaccard)."""
        return float(np.count_nonzero(self.hashvalues == other.hashvalues)) / NUM_PERM

    @property
    def minhash(self) -> MinHash:
        """The datasketch MinHash with these values."""
        return MinHash(num_perm=NUM_PERM, seed=SEED, hashvalues=self.hashvalues, scheme="affine32")


@dataclass(frozen=True)
class NearDuplicate:
    """What an item nearly repeats: a stored item (``stored_id``) or an earlier item of the
    same upload (``earlier``, its position), with the estimated similarity."""

    similarity: float
    stored_id: int | None = None
    earlier: int | None = None


def threshold() -> float:
    return settings.NEAR_DUPLICATE_THRESHOLD


@cache
def band_layout(limit: float) -> tuple[int, int]:
    """(bands, rows per band) for a similarity threshold, as datasketch's MinHashLSH chooses
    them, with a missed near-duplicate weighing 9 times a needless candidate (candidates are
    verified anyway): at 0.8, 14 bands of 9 rows find about 87% of the pairs at the threshold
    and 97% at 0.85, where equal weights (9 bands of 13) find 40% and 69%."""
    return _optimal_param(limit, NUM_PERM, FALSE_POSITIVE_WEIGHT, 1 - FALSE_POSITIVE_WEIGHT)


@cache
def _permutations():
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32").permutations


def _shingle_hashes(texts: Sequence[str]) -> list[np.ndarray]:
    """The 32-bit hashes of each text's character shingles (a text shorter than a shingle is
    one shingle), computed for all the texts at once (one rolling hash over their code points).
    """
    padded = [text.ljust(SHINGLE_SIZE, "\0") for text in texts]
    codes = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    windows = len(codes) - SHINGLE_SIZE + 1
    rolling = np.zeros(max(windows, 0), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(SHINGLE_SIZE):
            rolling = rolling * _ROLLING + codes[offset : offset + windows]
    hashes = ((rolling >> np.uint64(32)) ^ rolling) & np.uint64(0xFFFFFFFF)
    result, start = [], 0
    for text in padded:
        result.append(hashes[start : start + len(text) - SHINGLE_SIZE + 1])
        start += len(text)
    return result


def _band_hashes(values: np.ndarray, *, scopes: Sequence[str], layout: tuple[int, int]) -> list:
    """Each text's band hashes (a row of ``values`` per text): a band's hash is the first 8
    bytes of the BLAKE2b digest of its scope, 0x1f, its number (a byte) and its values' bytes,
    read as a signed big-endian integer. The bytes digested are laid out for all the texts of
    a scope at once (numpy), so that each digest reads a slice of them (40% faster than a
    slice and a concatenation per band), and the digests are read as integers at once."""
    bands, rows = layout
    if not len(scopes):
        return []
    width = rows * values.itemsize
    positions_of: dict[str, list[int]] = {}
    for position, scope in enumerate(scopes):
        positions_of.setdefault(scope, []).append(position)
    hashes = np.empty((len(scopes), bands), dtype=">i8")
    blake2b = hashlib.blake2b
    for scope, positions in positions_of.items():
        start = scope.encode("utf-8") + b"\x1f"
        heads = b"".join(start + bytes([band]) for band in range(bands))
        head = len(start) + 1
        # SIGN_TEXTS texts at a time: their bytes stay a few MB.
        for first in range(0, len(positions), SIGN_TEXTS):
            texts = np.asarray(positions[first : first + SIGN_TEXTS])
            # Each text's bands, band after band: (texts, bands, the head and the values' bytes).
            digested = np.empty((len(texts), bands, head + width), dtype=np.uint8)
            digested[:, :, :head] = np.frombuffer(heads, dtype=np.uint8).reshape(bands, head)
            digested[:, :, head:] = (
                values[texts, : bands * rows].view(np.uint8).reshape(len(texts), bands, width)
            )
            raw, step = digested.tobytes(), head + width
            digests = b"".join(
                [
                    blake2b(raw[offset : offset + step], digest_size=8).digest()
                    for offset in range(0, len(raw), step)
                ]
            )
            hashes[texts] = np.frombuffer(digests, dtype=">i8").reshape(len(texts), bands)
    return hashes.tolist()


def _fmix32(values: np.ndarray) -> np.ndarray:
    """The 32-bit MurmurHash3 finalizer datasketch's "affine32" scheme mixes its input with."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def _minhash_values(hashes: list[np.ndarray]) -> np.ndarray:
    """Each text's MinHash values (one row per text), as ``datasketch.MinHash.update_batch``
    computes them with the "affine32" scheme (the mixed shingle hash h permuted as a·h + b in
    32 bits, the least kept), for every text at once: SIGN_CHUNK shingles at a time, each
    text's least per permutation taken with one ``minimum.reduceat``."""
    a, b = (column.astype(np.uint32) for column in _permutations())
    lengths = np.fromiter((len(text) for text in hashes), dtype=np.int64, count=len(hashes))
    values = np.empty((len(hashes), NUM_PERM), dtype=np.uint32)
    if not hashes:
        return values
    mixed = _fmix32(np.concatenate(hashes).astype(np.uint32))
    ends = np.cumsum(lengths)
    first = 0
    while first < len(hashes):
        # Whole texts up to SIGN_CHUNK shingles (at least one text).
        start = ends[first] - lengths[first]
        last = max(int(np.searchsorted(ends, start + SIGN_CHUNK, side="right")), first + 1)
        # One row per permutation: each text's shingles are contiguous in memory.
        chunk = a[:, None] * mixed[None, start : ends[last - 1]] + b[:, None]
        offsets = (ends[first:last] - lengths[first:last]) - start
        values[first:last] = np.minimum.reduceat(chunk, offsets, axis=1).T
        first = last
    return values


def sign(
    texts: Sequence[str],
    *,
    scopes: Sequence[str] | None = None,
    folded: Sequence[str | None] | None = None,
) -> list[Signed]:
    """The signatures and band hashes of texts (each in its scope, "" by default); ``folded``
    gives texts already folded (``fold(text)``, None where not)."""
    layout = band_layout(threshold())
    if folded is None:
        folded = [None] * len(texts)
    folded = [
        fold(text) if done is None else done for text, done in zip(texts, folded, strict=True)
    ]
    values = np.empty((len(texts), NUM_PERM), dtype=np.uint32)
    for start in range(0, len(texts), SIGN_TEXTS):
        # Each text's values are its own: computed SIGN_TEXTS texts at a time, the arrays of
        # their code points and shingles stay a few MB.
        part = folded[start : start + SIGN_TEXTS]
        values[start : start + len(part)] = _minhash_values(_shingle_hashes(part))
    bands = _band_hashes(values, scopes=scopes or [""] * len(texts), layout=layout)
    return [Signed(row, tuple(hashes)) for row, hashes in zip(values, bands, strict=True)]


def find_near_duplicates(
    *,
    challenge_id: int,
    item_type: str,
    signed: Sequence[Signed],
    stored_texts: Callable[[RawSQL], Mapping[int, tuple[str, str]]],
) -> list[NearDuplicate | None]:
    """For each signed item, in order, what it nearly repeats, or None.

    An earlier item of the same list comes first (the upload's own repeats); otherwise the
    stored item of the challenge and type most similar to it, at least at the threshold (the
    lowest id among equals). Candidates are the stored items sharing a band:
    ``stored_texts(ids)`` gets an expression of their ids (a subquery of the index, e.g. for
    ``pk__in``) and gives their (text, scope), loaded in one query, from which their
    signatures, and so their bands, are computed again to estimate the similarity. Items gone
    since they were indexed are no candidates.
    """
    limit = threshold()
    found: list[NearDuplicate | None] = [None] * len(signed)
    first_with_band: dict[int, int] = {}
    for position, item in enumerate(signed):
        earlier = sorted({first_with_band[band] for band in item.bands if band in first_with_band})
        for other in earlier:
            similarity = item.jaccard(signed[other])
            if similarity >= limit:
                found[position] = NearDuplicate(similarity, earlier=other)
                break
        for band in item.bands:
            first_with_band.setdefault(band, position)
    wanted = sorted(
        {
            band
            for position, item in enumerate(signed)
            if found[position] is None
            for band in item.bands
        }
    )
    if not wanted:
        return found
    texts = stored_texts(
        candidate_ids(challenge_id=challenge_id, item_type=item_type, band_hashes=wanted)
    )
    ids = sorted(texts)
    stored = dict(
        zip(ids, sign([texts[i][0] for i in ids], scopes=[texts[i][1] for i in ids]), strict=True)
    )
    stored_by_band: dict[int, list[int]] = {}
    for item_id in ids:
        for band in stored[item_id].bands:
            stored_by_band.setdefault(band, []).append(item_id)
    for position, item in enumerate(signed):
        if found[position] is not None:
            continue
        best: NearDuplicate | None = None
        for item_id in sorted({i for band in item.bands for i in stored_by_band.get(band, ())}):
            similarity = item.jaccard(stored[item_id])
            if similarity >= limit and (best is None or similarity > best.similarity):
                best = NearDuplicate(similarity, stored_id=item_id)
        found[position] = best
    return found


def candidate_ids(*, challenge_id: int, item_type: str, band_hashes: list[int]) -> RawSQL:
    """The ids of the challenge's indexed items of that type having one of the band hashes, as
    a subquery: all the hashes in one parameter (an array on PostgreSQL, a JSON list on
    SQLite), backed by the index of the band hashes (the challenge and type are checked on
    the rows found). At 20,000 new questions' 280,000 hashes against millions of rows,
    PostgreSQL reads the table once rather than probe the index 280,000 times: either costs
    about as much."""
    table = connection.ops.quote_name(NearDuplicateBand._meta.db_table)
    if connection.vendor == "postgresql":
        return RawSQL(
            f"SELECT item_id FROM {table} WHERE challenge_id = %s AND item_type = %s "
            "AND band_hash = ANY(%s::bigint[])",
            [challenge_id, item_type, band_hashes],
        )
    return RawSQL(
        f"SELECT item_id FROM {table} WHERE challenge_id = %s AND item_type = %s "
        "AND band_hash IN (SELECT value FROM json_each(%s))",
        [challenge_id, item_type, json.dumps(band_hashes)],
    )


def index_items(
    *,
    challenge_id: int,
    item_type: str,
    items: Iterable[tuple[int, Signed]],
    band_model: type[models.Model] = NearDuplicateBand,
    links: Sequence[tuple[int, int]] = (),
    model: type[models.Model] | None = None,
) -> int:
    """Add stored items (id, signed) to the index; returns the rows added. An item already
    there breaks the index's key (IntegrityError): ``forget_item`` it first. ``band_model`` is
    the model a data migration has (its historical one: the index's columns are the same
    before and after migration 0015). On PostgreSQL the rows are one
    ``COPY`` stream (an upload's 280,000 rows cost its backend less than half of what an
    ``INSERT`` of arrays did), elsewhere INDEX_BATCH rows per ``INSERT``.

    With ``links`` (item id, id of the item it nearly repeats), the ``possible_duplicate_of``
    of those items of ``model`` is set too, in one statement."""
    table = connection.ops.quote_name(band_model._meta.db_table)
    item_table = connection.ops.quote_name(model._meta.db_table) if links else ""
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if links and postgresql:
            cursor.execute(
                f"UPDATE {item_table} AS item SET possible_duplicate_of_id = link.original "
                "FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::bigint[]) AS original) "
                "AS link WHERE item.id = link.id",
                [list(column) for column in zip(*links, strict=True)],
            )
        elif links:
            cursor.execute(
                f"UPDATE {item_table} SET possible_duplicate_of_id = link.original FROM "
                "(SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS original "
                f"FROM json_each(%s)) AS link WHERE {item_table}.id = link.id",
                [json.dumps(list(links))],
            )
        if postgresql:
            # COPY's text format: the ids, bands and hashes are numbers, the type a label.
            prefix = f"{challenge_id}\t{item_type.translate(COPY_ESCAPES)}\t"
            written = [0]
            tails = [f"\t{band}\t" for band in range(MAX_BANDS)]

            def lines():
                # An item's lines as one text: a fourteenth of the texts to hand the reader.
                for item_id, item in items:
                    if not item.bands:
                        continue
                    written[0] += len(item.bands)
                    head = f"{prefix}{item_id}"
                    # strict=False: there are more tails than bands.
                    pairs = zip(tails, item.bands, strict=False)
                    yield "\n".join([head + tail + str(band_hash) for tail, band_hash in pairs])

            copy_lines(cursor, table, COPY_COLUMNS, lines())
            return written[0]
        rows = [
            (item_id, band, band_hash)
            for item_id, item in items
            for band, band_hash in enumerate(item.bands)
        ]
        columns = f"INSERT INTO {table} (challenge_id, item_type, item_id, band, band_hash) "
        for start in range(0, len(rows), INDEX_BATCH):
            cursor.execute(
                f"{columns}SELECT %s, %s, json_extract(value, '$[0]'), "
                "json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(%s)",
                [challenge_id, item_type, json.dumps(rows[start : start + INDEX_BATCH])],
            )
    return len(rows)


def index_stored(
    *,
    model: type[models.Model],
    text: Callable[[models.Model], str],
    reads: Sequence[str],
    scope: Callable[[models.Model], str] = lambda item: "",
    band_model: type[models.Model] = NearDuplicateBand,
    batch_size: int = 2000,
) -> int:
    """Index every stored item of ``model`` again, challenge by challenge, ``batch_size`` items
    at a time (reading only the ``reads`` fields), replacing what the index held for them;
    returns the rows added. For data migrations (with their historical models) and
    ``manage.py index_near_duplicates``."""
    item_type = model._meta.label_lower
    added = 0
    challenges = model.objects.order_by("challenge_id").values_list("challenge_id", flat=True)
    for challenge_id in list(challenges.distinct()):
        band_model.objects.filter(challenge_id=challenge_id, item_type=item_type).delete()
        items = model.objects.filter(challenge_id=challenge_id).order_by("pk").only("pk", *reads)
        batch: list[models.Model] = []
        for item in items.iterator(chunk_size=batch_size):
            batch.append(item)
            if len(batch) >= batch_size:
                added += _index_batch(challenge_id, item_type, batch, text, scope, band_model)
                batch = []
        if batch:
            added += _index_batch(challenge_id, item_type, batch, text, scope, band_model)
    return added


def _index_batch(challenge_id, item_type, batch, text, scope, band_model) -> int:
    signed = sign([text(item) for item in batch], scopes=[scope(item) for item in batch])
    return index_items(
        challenge_id=challenge_id,
        item_type=item_type,
        items=zip((item.pk for item in batch), signed, strict=True),
        band_model=band_model,
    )


def forget_item(*, item_type: str, item_id: int) -> None:
    """Take one item out of the index (withdrawn, or its text edited and indexed again)."""
    NearDuplicateBand.objects.filter(item_type=item_type, item_id=item_id).delete()
