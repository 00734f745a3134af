"""PostgreSQL, with a health check that costs no round trip while the server has said nothing.

With ``CONN_HEALTH_CHECKS``, Django checks a persistent connection before each request's first
query by running ``SELECT 1``: one round trip more for every request that reads the database.
On the "next item" pages that was as many round trips as the page's own queries, and on two
shared cores the database's share of each request.

A server that ends a connection (a restart, ``pg_terminate_backend``, ``idle_session_timeout``,
a pooler closing it) says so on the socket: it sends its error and closes it, and the socket
becomes readable. Between queries a connection in good health has nothing to read. So the check
first polls the socket without waiting; only when there is something to read does Django's own
check run, which reads it and fails (or succeeds, for a notice). A connection dropped without a
word (a network partition) is found by neither check before its first query.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):  # the socket is already gone
            return False
        return True if not readable else super().is_usable()
