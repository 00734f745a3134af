"""A small OpenAI-compatible chat-completions server for the tests, shaped like the real API's
answers: Server-Sent Events chunks (``chat.completion.chunk``, a finish reason, a last chunk
with the usage, ``data: [DONE]``), and the real error shapes for 429 and 500.

What it does depends on the model asked for:
- ``slow-<ms>``: each word after a pause of that many milliseconds;
- ``rate-limited``: 429 with ``retry-after`` and the API's error body;
- ``broken``: 500 with the API's error body, which echoes the Authorization header (as a
  careless proxy might), so a test can check that no page or log ever shows it;
- ``silent``: sends nothing until the client gives up;
- ``empty``: a stream with no text;
- ``cut-<n>``: the first n words, then the connection closed in the middle of the stream;
- anything else: ``ANSWERS[model]`` (or a default answer naming nothing), word by word.
Every request is kept in ``requests`` (path, headers, body)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ANSWERS: dict[str, str] = {}
DEFAULT_ANSWER = "En Lima se come ceviche con la familia los domingos al mediodía."


class FakeOpenAI:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.answers = dict(ANSWERS)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def start(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def handle(self):
                try:
                    super().handle()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client closed its kept-alive connection

            def _json(self, status: int, body: dict, headers: dict | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status: int, message: str, kind: str, headers=None) -> None:
                self._json(
                    status,
                    {"error": {"message": message, "type": kind, "param": None, "code": None}},
                    headers,
                )

            def do_POST(self):
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                if self.path != "/v1/chat/completions":
                    self._error(404, "Unknown path", "invalid_request_error")
                    return
                model = body.get("model", "")
                if model == "rate-limited":
                    self._error(
                        429,
                        "Rate limit reached for requests",
                        "requests",
                        {"retry-after": "20", "x-ratelimit-remaining-requests": "0"},
                    )
                    return
                if model == "broken":
                    auth = self.headers.get("authorization", "")
                    self._error(500, f"Upstream failed for {auth}", "server_error")
                    return
                if model == "silent":
                    time.sleep(5)
                    return
                delay = 0.0
                if model.startswith("slow-"):
                    delay = int(model.split("-", 1)[1]) / 1000
                text = "" if model == "empty" else fake.answers.get(model, DEFAULT_ANSWER)
                cut = int(model.split("-", 1)[1]) if model.startswith("cut-") else None
                self._stream(
                    model=model, text=text, delay=delay, usage=body.get("stream_options"), cut=cut
                )

            def _stream(self, *, model: str, text: str, delay: float, usage, cut=None) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream; charset=utf-8")
                self.send_header("cache-control", "no-cache")
                self.send_header("transfer-encoding", "chunked")
                self.end_headers()
                created = int(time.time())

                def send(payload) -> None:
                    data = (
                        "data: "
                        + (payload if isinstance(payload, str) else json.dumps(payload))
                        + "\n\n"
                    ).encode()
                    self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                    self.wfile.flush()

                def chunk(delta: dict, finish=None) -> dict:
                    return {
                        "id": "chatcmpl-fake",
                        "object": "chat.completion.chunk",
                        "created": created,
                        "model": model,
                        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                    }

                try:
                    send(chunk({"role": "assistant", "content": ""}))
                    words = text.split(" ") if text else []
                    for position, word in enumerate(words):
                        if position == cut:
                            self.close_connection = True  # no end of the chunked body
                            return
                        if delay:
                            time.sleep(delay)
                        send(chunk({"content": word if position == 0 else " " + word}))
                    send(chunk({}, finish="stop"))
                    if usage and usage.get("include_usage"):
                        send(
                            {
                                "id": "chatcmpl-fake",
                                "object": "chat.completion.chunk",
                                "created": created,
                                "model": model,
                                "choices": [],
                                "usage": {
                                    "prompt_tokens": 12,
                                    "completion_tokens": len(words),
                                    "total_tokens": 12 + len(words),
                                },
                            }
                        )
                    send("[DONE]")
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler
