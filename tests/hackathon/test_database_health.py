"""The health check of a persistent PostgreSQL connection (hackathon.postgresql) asks the server
nothing while the connection is in good health, and still finds a connection the server ended:
the next request's first query then runs on a new one."""

import select
import time

import pytest
from django.db import connection

from hackathon.postgresql.base import DatabaseWrapper


@pytest.fixture
def other_connection(need_postgres):
    """A persistent connection of its own to the test database, health checks on, as a
    server process holds one between requests."""
    settings = {**connection.settings_dict, "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True}
    wrapper = DatabaseWrapper(settings, alias="health-check")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def last_query_of(pid: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0]


def test_a_connection_in_good_health_is_checked_without_a_query(other_connection):
    with other_connection.cursor() as cursor:
        cursor.execute("SELECT 'the last query of the request'")
    pid = other_connection.connection.get_backend_pid()

    assert other_connection.is_usable()
    assert last_query_of(pid) == "SELECT 'the last query of the request'"


def test_a_connection_the_server_ended_is_replaced_before_the_next_query(other_connection):
    pid = other_connection.connection.get_backend_pid()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    socket = other_connection.connection.fileno()
    deadline = time.monotonic() + 5
    while not select.select([socket], [], [], 0.05)[0] and time.monotonic() < deadline:
        pass  # the server's goodbye is on its way

    assert not other_connection.is_usable()
    other_connection.close_if_unusable_or_obsolete()  # what Django does as a request starts
    with other_connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
