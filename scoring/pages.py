"""The leaderboard's versions and the whole pages shared by everyone who reads it.

A score change bumps the edition's version (cached rows) and the site-wide one (whole pages
served to anonymous visitors and to htmx's refresh without a database query). Both are read
with ``read_tracked``: from this process's memory while Redis has not said they changed.
"""

from __future__ import annotations

import gzip
import time

from django.core.cache import cache

from hackathon.cache import read_tracked

LEADERBOARD_VERSION_KEY = "leaderboard-version:{edition_id}"


def bump_leaderboard_version(*, edition_id: int) -> None:
    """Cached leaderboards carry a version: a new one makes every cached copy stale at once.

    The per-edition version keys cached rows; the site-wide one keys whole pages served to
    anonymous visitors without a database query."""
    try:
        cache.incr(LEADERBOARD_VERSION_KEY.format(edition_id=edition_id))
    except ValueError:
        cache.set(LEADERBOARD_VERSION_KEY.format(edition_id=edition_id), 2, timeout=None)
    try:
        cache.incr(SHARED_PAGES_VERSION_KEY)
    except ValueError:
        _start_shared_pages_version()


SHARED_PAGES_VERSION_KEY = "leaderboard-pages-version"
SHARED_PAGE_SECONDS = 3600
# Each process also keeps the last pages it served, with their version: a request then costs
# one small round trip (the version) instead of fetching a body of up to ~400 kB from the
# shared cache. The version still comes from the shared cache, so no process serves a stale page.
LOCAL_PAGES_MAX = 32
_local_pages: dict[str, tuple[int, bytes]] = {}


def _start_shared_pages_version() -> int:
    """A version never used before, when the cache has none (first start, or the cache was
    emptied): counting from the clock, not from 0, so a page a process kept from before can
    never match it."""
    cache.add(SHARED_PAGES_VERSION_KEY, time.time_ns() // 1000, timeout=None)
    return cache.get(SHARED_PAGES_VERSION_KEY)


def _keep_locally(variant: str, version: int, body: bytes) -> None:
    if variant not in _local_pages and len(_local_pages) >= LOCAL_PAGES_MAX:
        _local_pages.pop(next(iter(_local_pages)))  # the oldest kept
    _local_pages[variant] = (version, body)


def get_shared_page(*, variant: str) -> tuple[int, bytes | None]:
    """A whole page for anonymous visitors: the current version, and the page if it was built
    at that version (None otherwise). The version is this process's copy while Redis has not
    said it changed (``read_tracked``: no round trip); the body comes from this process's
    memory when it has it at that version, else from the shared cache."""
    version = read_tracked(SHARED_PAGES_VERSION_KEY)
    if version is None:
        version = _start_shared_pages_version()
    local = _local_pages.get(variant)
    if local is not None and local[0] == version:
        return version, local[1]
    stored = cache.get(f"leaderboard-page:{variant}")
    if stored is not None and stored[0] == version:
        _keep_locally(variant, version, stored[1])
        return version, stored[1]
    return version, None


def get_shared_page_gzip(*, variant: str, version: int, body: bytes) -> bytes:
    """The page gzipped, compressed once per version in each process (browsers and most HTTP
    clients accept gzip; the JSON of 1,000 teams shrinks about tenfold). Kept beside the plain
    body, under its own key."""
    key = f"{variant}|gzip"
    local = _local_pages.get(key)
    if local is not None and local[0] == version:
        return local[1]
    compressed = gzip.compress(body, compresslevel=6, mtime=0)
    _keep_locally(key, version, compressed)
    return compressed


def keep_shared_page(*, variant: str, version: int, body: bytes) -> None:
    """Keep a page with the version it was built from: a change in between makes it stale."""
    cache.set(f"leaderboard-page:{variant}", (version, body), SHARED_PAGE_SECONDS)
    _keep_locally(variant, version, body)


def leaderboard_version(*, edition_id: int) -> int:
    key = LEADERBOARD_VERSION_KEY.format(edition_id=edition_id)
    version = read_tracked(key)
    if version is None:
        cache.add(key, 1, timeout=None)
        version = cache.get(key, 1)
    return version
