"""The shared cache on Redis keeps one redis client per connection pool (hackathon/cache.py)."""

import os

import pytest
import redis

from hackathon.cache import RedisCache


@pytest.fixture
def redis_cache(need_redis):
    backend = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "test-cache-backend"})
    yield backend
    backend.delete_many(["answer", "counter", "added"])


def test_one_client_serves_every_call(redis_cache):
    first = redis_cache._cache.get_client("a")
    assert redis_cache._cache.get_client("b") is first
    assert redis_cache._cache.get_client("c", write=True) is first  # a single server: one pool


def test_values_round_trip_through_redis(redis_cache):
    redis_cache.set("answer", {"points": "0.5"}, 60)
    assert redis_cache.get("answer") == {"points": "0.5"}
    assert redis_cache.add("added", 1) is True and redis_cache.add("added", 2) is False
    redis_cache.set("counter", 1)
    assert redis_cache.incr("counter") == 2
    redis_cache.delete("answer")
    assert redis_cache.get("answer", "gone") == "gone"


def test_each_server_has_its_own_client(need_redis):
    url = os.environ["REDIS_URL"]
    backend = RedisCache([url, url], {})
    writer = backend._cache.get_client(write=True)
    reader = backend._cache.get_client()  # with two servers, reads go to the second
    assert writer is not reader
    assert backend._cache.get_client(write=True) is writer
    assert backend._cache.get_client() is reader


def test_the_settings_use_it_when_redis_is_configured(settings, need_redis):
    assert settings.CACHES["default"]["BACKEND"] == "hackathon.cache.RedisCache"


@pytest.fixture
def tracked(redis_cache):
    writer = redis.Redis.from_url(os.environ["REDIS_URL"])
    key = redis_cache.make_and_validate_key("counter")
    yield redis_cache, writer, key
    writer.delete(key)


def test_a_tracked_value_is_read_once_until_it_changes(tracked):
    backend, writer, key = tracked
    backend.set("counter", 7)
    assert backend.get_tracked("counter") == 7
    connection = backend._tracked._connection
    sent = []
    send = connection.send_command
    connection.send_command = lambda *args, **kwargs: (sent.append(args), send(*args, **kwargs))
    assert [backend.get_tracked("counter") for _ in range(5)] == [7] * 5
    assert sent == []  # no round trip while Redis says nothing

    writer.incr(key)  # another process's change
    assert backend.get_tracked("counter") == 8
    assert sent == [("GET", key)]


def test_a_deleted_or_flushed_value_is_read_again(tracked):
    backend, writer, key = tracked
    backend.set("counter", 1)
    assert backend.get_tracked("counter") == 1
    writer.delete(key)
    assert backend.get_tracked("counter", "none") == "none"
    backend.set("counter", 2)
    assert backend.get_tracked("counter") == 2
    backend.clear()  # FLUSHDB: every tracked value goes
    assert backend.get_tracked("counter") is None


def test_read_tracked_uses_the_configured_cache(need_redis):
    from django.core.cache import cache

    from hackathon.cache import read_tracked

    cache.set("tracked-answer", 41)
    assert read_tracked("tracked-answer") == 41
    cache.incr("tracked-answer")
    assert read_tracked("tracked-answer") == 42
    cache.delete("tracked-answer")


@pytest.mark.parametrize(
    "write",
    [
        lambda backend: backend.set("counter", 8),
        lambda backend: backend.incr("counter"),
        lambda backend: backend.set_many({"counter": 8}),
        lambda backend: (backend.delete("counter"), backend.add("counter", 8)),
        lambda backend: (
            backend.delete_many(key for key in ["counter"]) or backend.set("counter", 8)
        ),
    ],
    ids=["set", "incr", "set_many", "delete_add", "delete_many"],
)
def test_the_process_reads_its_own_write_before_redis_says_it_changed(tracked, write):
    backend, _writer, _key = tracked
    backend.set("counter", 7)
    assert backend.get_tracked("counter") == 7
    assert backend.get_tracked_copy("counter") == 7
    # Redis writes the invalidation on the tracking connection, which may come a moment after
    # the write's own reply: here it never comes.
    for values in (backend._tracked, backend._tracked_raw):
        connection = values._connection
        connection.send_command("CLIENT", "TRACKING", "OFF")
        connection.read_response()

    write(backend)

    assert backend.get_tracked("counter") == 8
    assert backend.get_tracked_copy("counter") == 8
