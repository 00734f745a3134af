"""A small fake of the Hugging Face Hub API, enough for the Hub sync, served on 127.0.0.1.

It answers like the real Hub for what huggingface_hub's HfApi asks:
- GET /api/models|datasets|spaces?author=<org>&sort=lastModified[&direction=-1][&limit=N]:
  JSON lists of repository infos, newest first, paginated with a
  `Link: <next-url>; rel="next"` header (huggingface_hub.utils._pagination follows it);
- GET /api/organizations/<org>/members: a JSON list of {"user", "fullname", ...};
- errors: a status, an `X-Error-Code` and an `X-Error-Message` header, a JSON {"error"} body.
Every request is logged (path, query, whether it carried an Authorization header).
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

KINDS = {"models": "model", "datasets": "dataset", "spaces": "space"}


def hub_date(day: int, minute: int = 0) -> str:
    """A Hub-style date: ISO 8601 with milliseconds and a Z."""
    return f"2026-03-{day:02d}T10:{minute:02d}:00.000Z"


def make_repo(kind: str, repo_id: str, *, day: int, sha: str | None = None, **extra) -> dict:
    info = {
        "_id": f"id-{repo_id}",
        "id": repo_id,
        "private": False,
        "gated": False,
        "sha": sha or hashlib.sha1(f"{repo_id}@{day}".encode()).hexdigest(),
        "createdAt": hub_date(1),
        "lastModified": hub_date(day),
        "likes": 3,
        "downloads": 10 if kind != "space" else 0,
        "tags": ["es", kind],
    }
    if kind in ("model", "dataset"):
        info["cardData"] = {"license": "apache-2.0", "language": ["es"], "tags": ["somos"]}
    if kind == "model":
        info["cardData"].update({"base_model": "org/base", "datasets": ["org/data"]})
        info["cardData"]["co2_eq_emissions"] = {"emissions": 12.5}
        info["library_name"] = "transformers"
        info["pipeline_tag"] = "text-generation"
    if kind == "space":
        info["sdk"] = "gradio"
        info["runtime"] = {"stage": "RUNNING", "hardware": {"current": "cpu-basic"}}
    info.update(extra)
    return info


@dataclass
class HubState:
    org: str = "somos-nlp"
    page_size: int = 50
    repos: dict[str, list[dict]] = field(default_factory=lambda: {k: [] for k in KINDS.values()})
    members: list[dict] = field(default_factory=list)
    # path ("/api/models") -> (status, X-Error-Code, message)
    errors: dict[str, tuple[int, str, str]] = field(default_factory=dict)
    requests: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, repo_id: str, **kwargs) -> dict:
        info = make_repo(kind, repo_id, **kwargs)
        self.repos[kind].append(info)
        return info

    def find(self, kind: str, repo_id: str) -> dict:
        return next(info for info in self.repos[kind] if info["id"] == repo_id)

    def listings(self, path: str | None = None) -> list[dict]:
        return [r for r in self.requests if path is None or r["path"] == path]


class Handler(BaseHTTPRequestHandler):
    server_version = "FakeHub/1.0"
    state: HubState  # set on the subclass made per server

    def log_message(self, format, *args):  # keep the test output quiet
        pass

    def _send(self, status: int, body, headers: dict | None = None) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _error(self, status: int, code: str, message: str) -> None:
        self._send(status, {"error": message}, {"X-Error-Code": code, "X-Error-Message": message})

    def do_GET(self):  # noqa: N802 - http.server's name
        state = self.state
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        auth = self.headers.get("Authorization")
        with state.lock:
            state.requests.append({"path": url.path, "query": query, "auth": auth})
        if url.path in state.errors:
            status, code, message = state.errors[url.path]
            # Like a careless server, echo the credentials sent: the sync must redact them.
            return self._error(status, code, f"{message} (authorization: {auth})")
        parts = url.path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "api" and parts[1] in KINDS:
            return self._list(KINDS[parts[1]], url.path, query)
        if len(parts) == 4 and parts[:2] == ["api", "organizations"] and parts[3] == "members":
            if parts[2] != state.org:
                return self._error(404, "RepoNotFound", "Organization not found")
            return self._send(200, state.members)
        return self._error(404, "EntryNotFound", "Not found")

    def _list(self, kind: str, path: str, query: dict) -> None:
        state = self.state
        author = query.get("author", [None])[0]
        repos = [r for r in state.repos[kind] if author is None or r["id"].split("/")[0] == author]
        sort = query.get("sort", [None])[0]
        if sort:
            # The Hub sorts descending unless direction=1 is asked for.
            descending = query.get("direction", ["-1"])[0] != "1"
            repos = sorted(repos, key=lambda r: r.get(sort) or "", reverse=descending)
        limit = min(int(query.get("limit", [state.page_size])[0]), state.page_size)
        cursor = int(query.get("cursor", ["0"])[0])
        page = repos[cursor : cursor + limit]
        headers = {}
        if cursor + limit < len(repos):
            next_query = {k: v[-1] for k, v in query.items()}
            next_query["cursor"] = str(cursor + limit)
            host, port = self.server.server_address[:2]
            headers["Link"] = f'<http://{host}:{port}{path}?{urlencode(next_query)}>; rel="next"'
        body = [{k: v for k, v in r.items()} for r in page]
        self._send(200, body, headers)


class FakeHub:
    """The fake Hub served from a thread; `url` is its endpoint, `state` what it holds."""

    def __init__(self, state: HubState | None = None):
        self.state = state or HubState()
        handler = type("BoundHandler", (Handler,), {"state": self.state})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        host, port = self.server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> FakeHub:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
