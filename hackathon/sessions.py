"""Sessions in the shared cache and the database (Django's ``cached_db``), read without a round
trip to Redis while they have not changed.

Every signed-in page reads its session; a session changes rarely (signing in, a message to show
after a form, signing out). Each process keeps the sessions it read, as Redis stored them, for as
long as Redis has not said they changed (``hackathon.cache.RedisCache.get_tracked_copy``:
server-assisted client-side caching, told of every write, deletion and expiry by any process),
and gives each request a copy of its own. A session Redis does not have (expired there, or
Redis restarted) is read from the database, as ``cached_db`` does.
"""

from __future__ import annotations

from django.contrib.sessions.backends import cached_db


class SessionStore(cached_db.SessionStore):
    def load(self):
        read = getattr(self._cache, "get_tracked_copy", None)
        if read is None:  # another cache (development, some tests): Django's own way
            return super().load()
        try:
            data = read(self.cache_key)
        except Exception:  # noqa: BLE001 -- as cached_db: an unreadable entry is read from the database
            data = None
        return super().load() if data is None else data
