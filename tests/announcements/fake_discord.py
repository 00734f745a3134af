"""A small fake of a Discord webhook (POST /api/webhooks/<id>/<token>), served on 127.0.0.1,
for the real ``requests`` client.

It answers as Discord does: a JSON body with ``content`` or ``embeds`` (an embed's title at most
256 characters, its description 4,096) is a message, answered 204 without a body; anything else
is a 400 with Discord's JSON error ({"code": 50006, "message": ...}). Scripted answers come first:
a 429 carries Discord's JSON ({"message", "retry_after" in seconds, "global"}) and its
``Retry-After`` and ``X-RateLimit-*`` headers; a 5xx, a plain error. Every request is logged;
``messages`` holds only those the channel shows.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WEBHOOK_PATH = "/api/webhooks/1234567890/secret-token"


@dataclass
class DiscordState:
    requests: list[dict] = field(default_factory=list)
    messages: list[dict] = field(default_factory=list)
    script: list[tuple[int, float | None]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def rate_limit(self, *, retry_after: float = 0.05, times: int = 1) -> None:
        """Answer the next ``times`` posts with Discord's 429."""
        self.script.extend([(429, retry_after)] * times)

    def fail(self, status: int = 502, *, times: int = 1) -> None:
        self.script.extend([(status, None)] * times)


def _valid_message(body) -> str | None:
    if not isinstance(body, dict) or not (body.get("content") or body.get("embeds")):
        return "Cannot send an empty message"
    for embed in body.get("embeds") or []:
        if len(embed.get("title", "")) > 256 or len(embed.get("description", "")) > 4096:
            return "Invalid Form Body"
    return None


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args) -> None:  # quiet
        pass

    def _send(self, status: int, body: dict | None = None, headers: dict | None = None) -> None:
        payload = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self) -> None:
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = None
        with state.lock:
            state.requests.append(
                {
                    "path": self.path,
                    "body": body,
                    "content_type": self.headers["Content-Type"],
                    "at": time.monotonic(),
                }
            )
            scripted = state.script.pop(0) if state.script else None
        if self.path.split("?")[0] != WEBHOOK_PATH:
            self._send(404, {"message": "Unknown Webhook", "code": 10015})
            return
        if scripted is not None:
            status, retry_after = scripted
            if status == 429:
                self._send(
                    429,
                    {
                        "message": "You are being rate limited.",
                        "retry_after": retry_after,
                        "global": False,
                    },
                    {
                        "Retry-After": str(max(1, round(retry_after))),
                        "X-RateLimit-Limit": "5",
                        "X-RateLimit-Remaining": "0",
                        "X-RateLimit-Reset-After": str(retry_after),
                        "X-RateLimit-Bucket": "fake-bucket",
                        "X-RateLimit-Scope": "shared",
                    },
                )
            else:
                self._send(status, {"message": "Internal Server Error", "code": 0})
            return
        problem = _valid_message(body)
        if problem:
            self._send(400, {"message": problem, "code": 50006})
            return
        with state.lock:
            state.messages.append(body)
        self._send(204)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: DiscordState


class FakeDiscord:
    def __init__(self) -> None:
        self.state = DiscordState()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.state = self.state
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def webhook_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{WEBHOOK_PATH}"

    def __enter__(self) -> FakeDiscord:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
