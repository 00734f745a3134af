"""The shared cache on Redis: Django's backend, with one redis client per connection pool.

Django's Redis backend builds a new ``redis.Redis`` for every cache call. redis-py's constructor
fills its table of response callbacks each time, which costs more than the round trip to Redis
itself (about 0.2 ms against 0.04 ms here). The leaderboard reads its version on every request,
so that constructor was most of what a warm leaderboard page cost. A redis client is
thread-safe (each command borrows a connection from the pool) and the pool starts afresh after
a fork, so one client per pool serves the whole process.

``read_tracked`` reads a small value that changes rarely but is read on every request (the
leaderboard's versions) from this process's memory, for as long as Redis has not said that it
changed (``TrackedValues``); ``get_tracked_copy`` does the same for a value the reader may
change (the sessions, ``hackathon.sessions``).
"""

from __future__ import annotations

import os
import threading

import redis
from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            # Pools are kept for the life of the backend, so their ids stay theirs.
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class TrackedValues:
    """Small values (version counters) this process keeps, read again from Redis only once
    Redis says they changed: server-assisted client-side caching (``CLIENT TRACKING`` over
    RESP3, Redis 6 or later) on one connection of this process's own.

    Redis remembers the keys this connection read and, as soon as one of them is written,
    deleted, expires or is evicted (or the database is flushed), pushes an invalidation on
    this connection in the same pass of its event loop as the write's reply. Each read first
    polls the socket for those pushes (a system call, no round trip): a value changed by any
    process is read again by the next request that asks for it, and a value that did not
    change costs no round trip at all. Leaderboard versions are read on every request.
    """

    def __init__(self, url: str, *, loads) -> None:
        self.url, self.loads = url, loads
        self._lock = threading.Lock()
        self._pid = None
        self._connection = None
        self._values: dict[str, object] = {}

    def _invalidate(self, message) -> None:
        keys = message[1] if len(message) > 1 else None
        if keys is None:  # the database was flushed
            self._values.clear()
            return
        for key in keys:
            self._values.pop(key.decode() if isinstance(key, bytes) else key, None)

    def _on_connect(self, connection) -> None:
        # Values read over an earlier connection may have changed while it was down.
        self._values.clear()
        connection.send_command("CLIENT", "TRACKING", "ON")
        connection.read_response()
        connection._parser.set_invalidation_push_handler(self._invalidate)

    def _connect(self):
        if self._connection is None or self._pid != os.getpid():
            self._values.clear()
            connection = redis.ConnectionPool.from_url(self.url, protocol=3).make_connection()
            connection.register_connect_callback(self._on_connect)
            self._connection, self._pid = connection, os.getpid()
        return self._connection

    def forget(self, keys: list[str] | None = None) -> None:
        """Drop this process's copies of ``keys`` (full Redis keys; all when None)."""
        with self._lock:
            if keys is None:
                self._values.clear()
            for key in keys or ():
                self._values.pop(key, None)

    def get(self, key: str, default=None):
        """The value stored at ``key`` (a full Redis key), or ``default`` when there is none."""
        with self._lock:
            connection = self._connect()
            try:
                while connection.can_read(timeout=0):
                    connection.read_response(push_request=True)
                if key in self._values:
                    return self._values[key]
                connection.send_command("GET", key)
                raw = connection.read_response()
            except (redis.ConnectionError, redis.TimeoutError, OSError):
                connection.disconnect()
                self._values.clear()
                raise
            if raw is None:
                return default  # not kept: the next read asks again
            value = self._values[key] = self.loads(raw)
            return value


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._tracked = None
        self._tracked_raw = None

    def get_tracked(self, key: str, default=None):
        """``get``, from this process's copy while Redis has not said the key changed."""
        if self._tracked is None:
            # Writes go to the first server: that is where the key changes.
            self._tracked = TrackedValues(self._servers[0], loads=self._cache._serializer.loads)
        return self._tracked.get(self.make_and_validate_key(key), default)

    # This process's own writes drop its copies of what they wrote, once written: it reads its
    # writes at once. Redis's invalidation would come too, but on another connection, which
    # Redis may write to a moment after the write's own reply (seen under load: a session
    # saved and read back at once gave the old one).
    def _forget(self, keys: list[str] | None, version=None) -> None:
        made = None if keys is None else [self.make_key(key, version=version) for key in keys]
        for tracked in (self._tracked, self._tracked_raw):
            if tracked is not None:
                tracked.forget(made)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        finally:
            self._forget([key], version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set(key, value, timeout, version)
        finally:
            self._forget([key], version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        finally:
            self._forget([key], version)

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        finally:
            self._forget([key], version)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        finally:
            self._forget([key], version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        finally:
            self._forget(list(data), version)  # a dict: its keys

    def delete_many(self, keys, version=None):
        keys = list(keys)
        try:
            return super().delete_many(keys, version)
        finally:
            self._forget(keys, version)

    def clear(self):
        try:
            return super().clear()
        finally:
            self._forget(None)

    def get_tracked_copy(self, key: str, default=None):
        """``get_tracked``, a new copy on every read: for values the reader may change in
        place (a session's data). The process keeps the stored bytes."""
        if self._tracked_raw is None:
            self._tracked_raw = TrackedValues(self._servers[0], loads=bytes)
        raw = self._tracked_raw.get(self.make_and_validate_key(key))
        return default if raw is None else self._cache._serializer.loads(raw)


def read_tracked(key: str, default=None):
    """The cached value at ``key``, without a round trip to Redis while it has not changed
    (``RedisCache.get_tracked``); other backends (tests, development) read it as usual."""
    getter = getattr(cache, "get_tracked", None)
    return cache.get(key, default) if getter is None else getter(key, default)
