"""A small fake of the Hugging Face Hub API, served on 127.0.0.1, for the real huggingface_hub
and datasets clients.

It answers like the real Hub for what HfApi, hf_hub_download and snapshot_download ask:
- GET /api/models|datasets|spaces?author=<org>&sort=lastModified[&direction=-1][&limit=N]
  [&expand=<field>...]: JSON lists of repository infos, newest first, paginated with a
  `Link: <next-url>; rel="next"` header (huggingface_hub.utils._pagination follows it); with
  `expand` (or `expand[]`), only the ids and the fields asked for, `siblings` included (an
  unknown field, or `expand` with `full`/`cardData`, is a 400, as on the Hub);
- GET /api/<kind>s/<org>/<name>[/revision/<rev>]: one repository's info, with `siblings`;
- GET /api/<kind>s/<org>/<name>/tree/<rev>[/<path>]: the files at a commit (paginated);
- GET /api/<kind>s/<org>/<name>/commits/<rev>: the commits, newest first (paginated);
- GET|HEAD /[datasets/|spaces/]<org>/<name>/resolve/<rev>/<path>: a file, with the
  `X-Repo-Commit`, `ETag` (git blob id) and `Content-Length` headers;
- POST /api/repos/create, /api/validate-yaml, /api/<kind>s/<org>/<name>/preupload/<rev> and
  /commit/<rev> (NDJSON, files sent inline in base64): uploads, as create_repo/upload_folder do;
- PUT /api/<kind>s/<org>/<name>/settings: visibility (public/private) and gating, as
  update_repo_settings sends them;
- GET /api/organizations/<org>/members: a JSON list of {"user", "fullname", ...};
- errors: a status, an `X-Error-Code` and an `X-Error-Message` header, a JSON {"error"} body;
  rate limits: 429 with the `RateLimit` / `RateLimit-Policy` headers the Hub sends.
Dates end in Z, as the Hub's do. Every request is logged (method, path, query, whether it
carried an Authorization header; the JSON body of create-repo and settings requests);
HubState.hang(prefix) holds the matching requests until
released (to kill a client in the middle of a sync).
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import get_args
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import yaml
from huggingface_hub.hf_api import (
    ExpandDatasetProperty_T,
    ExpandModelProperty_T,
    ExpandSpaceProperty_T,
)

KINDS = {"models": "model", "datasets": "dataset", "spaces": "space"}
# What a listing's `expand` may ask for, per kind: the values the Hub documents (and
# huggingface_hub types); anything else is answered 400, as the Hub does.
EXPANDABLE = {
    "model": set(get_args(ExpandModelProperty_T)),
    "dataset": set(get_args(ExpandDatasetProperty_T)),
    "space": set(get_args(ExpandSpaceProperty_T)),
}
URL_PREFIXES = {"model": "", "dataset": "datasets/", "space": "spaces/"}


# What the Hub accepts in a dataset card's metadata (its documented keys, and the values it
# lists for those that have a list: a subset of the real lists, enough for the platform's cards).
CARD_KEYS = frozenset({
    "pretty_name", "license", "license_name", "license_link", "license_details", "language",
    "language_details", "tags", "task_categories", "task_ids", "size_categories",
    "annotations_creators", "language_creators", "multilinguality", "source_datasets",
    "paperswithcode_id", "configs", "dataset_info", "extra_gated_prompt", "extra_gated_fields",
    "viewer", "train-eval-index",
})  # fmt: skip
CARD_VALUES = {
    "license": {
        "apache-2.0", "mit", "cc-by-4.0", "cc-by-sa-4.0", "cc-by-nc-4.0", "cc-by-nc-sa-4.0",
        "cc-by-nc-nd-4.0", "cc-by-nd-4.0", "cc0-1.0", "odc-by", "other", "unknown",
    },
    "size_categories": {
        "n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M", "1M<n<10M", "10M<n<100M",
        "100M<n<1B", "1B<n<10B", "10B<n<100B", "100B<n<1T", "n>1T",
    },
    "task_categories": {
        "text-generation", "question-answering", "multiple-choice", "text-classification",
        "token-classification", "translation", "summarization", "image-to-text", "other",
    },
    "annotations_creators": {
        "crowdsourced", "expert-generated", "found", "machine-generated", "no-annotation", "other",
    },
    "language_creators": {"crowdsourced", "expert-generated", "found", "machine-generated", "other"},
    "multilinguality": {"monolingual", "multilingual", "translation", "other"},
    "source_datasets": {"original"},
}  # fmt: skip


def git_blob_id(content: bytes) -> str:
    """The id git gives a file's content (the ETag the Hub sends for a non-LFS file)."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def default_files(kind: str, repo_id: str) -> dict[str, bytes]:
    card = f"---\nlicense: apache-2.0\n---\n# {repo_id}\n".encode()
    files = {".gitattributes": b"*.parquet filter=lfs\n", "README.md": card}
    if kind == "space":
        files["app.py"] = b"import gradio\n"
    return files


def hub_date(day: int, minute: int = 0) -> str:
    """A Hub-style date: ISO 8601 with milliseconds and a Z."""
    return f"2026-03-{day:02d}T10:{minute:02d}:00.000Z"


def make_repo(kind: str, repo_id: str, *, day: int, sha: str | None = None, **extra) -> dict:
    """One repository info as the Hub lists it (commit, dates, card metadata...)."""
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
    # path -> answers to give once each before answering normally: (status, headers)
    transient: dict[str, list[tuple[int, dict]]] = field(default_factory=dict)
    # (kind, repo_id) -> {sha: {path: content}} and the commits, newest first
    files: dict[tuple[str, str], dict[str, dict[str, bytes]]] = field(default_factory=dict)
    commits: dict[tuple[str, str], list[dict]] = field(default_factory=dict)
    requests: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # kind -> page size of its listing (the others use page_size), e.g. {"space": 100}
    listing_page_sizes: dict[str, int] = field(default_factory=dict)
    # path prefix -> event: a request whose path starts with the prefix is logged, then held
    # until the event is set (see hang), e.g. to kill a client in the middle of a sync
    hangs: dict[str, threading.Event] = field(default_factory=dict)
    hang_timeout: float = 60.0
    # Seconds every answer waits, like a distant server (to kill a client at random points)
    latency: float = 0.0

    def add(self, kind: str, repo_id: str, *, files=None, author: str = "system", **kwargs) -> dict:
        """A repository with one commit (its sha) holding `files` (a card by default)."""
        info = make_repo(kind, repo_id, **kwargs)
        self.repos[kind].append(info)
        key = (kind, repo_id)
        contents = default_files(kind, repo_id) if files is None else files
        self.files[key] = {info["sha"]: dict(contents)}
        self.commits[key] = [
            {
                "id": info["sha"],
                "title": "initial commit",
                "message": "",
                "authors": [{"user": author, "avatar": ""}],
                "date": info["lastModified"],
            }
        ]
        return info

    def find(self, kind: str, repo_id: str) -> dict:
        return next(info for info in self.repos[kind] if info["id"] == repo_id)

    def commit(
        self,
        kind: str,
        repo_id: str,
        *,
        files: dict[str, bytes | None],
        author: str,
        date: str,
        title: str = "update",
    ) -> str:
        """A new commit on main: files added or changed (None deletes one); returns its sha."""
        with self.lock:
            return self._commit(kind, repo_id, files=files, author=author, date=date, title=title)

    def _commit(self, kind, repo_id, *, files, author, date, title) -> str:
        info = self.find(kind, repo_id)
        key = (kind, repo_id)
        current = dict(self.files[key][info["sha"]])
        for path, content in files.items():
            if content is None:
                current.pop(path, None)
            else:
                current[path] = content
        sha = hashlib.sha1(f"{repo_id}{date}{len(self.commits[key])}".encode()).hexdigest()
        self.files[key][sha] = current
        self.commits[key].insert(
            0,
            {
                "id": sha,
                "title": title,
                "message": "",
                "authors": [{"user": author, "avatar": ""}],
                "date": date,
            },
        )
        info["sha"] = sha
        info["lastModified"] = date
        return sha

    def remove(self, kind: str, repo_id: str) -> None:
        self.repos[kind] = [info for info in self.repos[kind] if info["id"] != repo_id]

    def create(self, kind: str, repo_id: str) -> dict:
        return self.add(kind, repo_id, day=1, files={".gitattributes": b""})

    def rate_limit(self, path: str, *, times: int = 1, reset: int = 0) -> None:
        """Answer `times` requests to path with the Hub's 429 and its rate-limit headers."""
        headers = {
            "RateLimit": f'"api";r=0;t={reset}',
            "RateLimit-Policy": '"fixed window";"api";q=500;w=300',
            "X-Error-Code": "RateLimited",
        }
        self.transient.setdefault(path, []).extend([(429, headers)] * times)

    def hang(self, prefix: str) -> threading.Event:
        """Hold every request whose path starts with `prefix` (after logging it) until the
        returned event is set (or hang_timeout passes); release() sets them all."""
        with self.lock:
            return self.hangs.setdefault(prefix, threading.Event())

    def release(self) -> None:
        with self.lock:
            hangs, self.hangs = list(self.hangs.values()), {}
        for event in hangs:
            event.set()

    def fail_once(self, path: str, *, status: int = 503, times: int = 1) -> None:
        self.transient.setdefault(path, []).extend([(status, {})] * times)

    def repo_files(self, kind: str, repo_id: str, sha: str | None = None) -> dict[str, bytes]:
        info = self.find(kind, repo_id)
        return self.files[(kind, repo_id)][sha or info["sha"]]

    def listings(self, path: str | None = None) -> list[dict]:
        return [r for r in self.requests if path is None or r["path"] == path]


class Handler(BaseHTTPRequestHandler):
    server_version = "FakeHub/1.0"
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this, Nagle and delayed ACKs add 40 ms
    # to every request on a kept-alive connection.
    disable_nagle_algorithm = True
    state: HubState  # set on the subclass made per server

    def log_message(self, format, *args):  # keep the test output quiet
        pass

    def _send(self, status: int, body, headers: dict | None = None, *, raw: bytes | None = None):
        payload = raw if raw is not None else json.dumps(body).encode()
        self.send_response(status)
        if raw is None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _error(self, status: int, code: str, message: str, headers: dict | None = None) -> None:
        headers = {"X-Error-Code": code, "X-Error-Message": message, **(headers or {})}
        self._send(status, {"error": message}, headers)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_HEAD(self):  # noqa: N802 - http.server's name
        self.do_GET()

    def do_POST(self):  # noqa: N802 - http.server's name
        self.do_GET()

    def do_PUT(self):  # noqa: N802 - http.server's name
        self.do_GET()

    def do_GET(self):  # noqa: N802 - http.server's name
        state = self.state
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        auth = self.headers.get("Authorization")
        body = self._body() if self.command in ("POST", "PUT") else b""
        with state.lock:
            logged = {"method": self.command, "path": url.path, "query": query, "auth": auth}
            if url.path == "/api/repos/create" or url.path.endswith("/settings"):
                # What the client asked for (visibility, gating), for the tests to check.
                logged["json"] = json.loads(body or b"{}")
            state.requests.append(logged)
            pending = state.transient.get(url.path)
            transient = pending.pop(0) if pending else None
            held = next((e for p, e in state.hangs.items() if url.path.startswith(p)), None)
        if held is not None:
            held.wait(timeout=state.hang_timeout)
        if state.latency:
            time.sleep(state.latency)
        if transient is not None:
            status, headers = transient
            return self._error(
                status, headers.get("X-Error-Code", "ServerError"), "try later", headers
            )
        if url.path in state.errors:
            status, code, message = state.errors[url.path]
            # Like a careless server, echo the credentials sent: the sync must redact them.
            return self._error(status, code, f"{message} (authorization: {auth})")
        parts = [unquote(part) for part in url.path.strip("/").split("/")]
        with state.lock:
            return self._route(parts, url.path, query, body)

    def _route(self, parts: list[str], path: str, query: dict, body: bytes):
        state = self.state
        if self.command == "POST":
            return self._post(parts, body)
        if self.command == "PUT":
            return self._put(parts, body)
        if len(parts) == 2 and parts[0] == "api" and parts[1] in KINDS:
            return self._list(KINDS[parts[1]], path, query)
        if len(parts) == 4 and parts[:2] == ["api", "organizations"] and parts[3] == "members":
            if parts[2] != state.org:
                return self._error(404, "RepoNotFound", "Organization not found")
            return self._send(200, state.members)
        if len(parts) >= 4 and parts[0] == "api" and parts[1] in KINDS:
            kind, repo_id, rest = KINDS[parts[1]], "/".join(parts[2:4]), parts[4:]
            return self._repo_api(kind, repo_id, rest, path, query)
        for kind, prefix in URL_PREFIXES.items():
            segments = prefix.strip("/").split("/") if prefix else []
            if parts[: len(segments)] == segments and len(parts) >= len(segments) + 5:
                tail = parts[len(segments) :]
                if tail[2] == "resolve":
                    return self._resolve(kind, "/".join(tail[:2]), tail[3], "/".join(tail[4:]))
        return self._error(404, "EntryNotFound", "Not found")

    # --- one repository -------------------------------------------------------------------

    def _repo(self, kind: str, repo_id: str) -> dict | None:
        return next((i for i in self.state.repos[kind] if i["id"] == repo_id), None)

    def _sha(self, kind: str, repo_id: str, revision: str) -> str | None:
        info = self._repo(kind, repo_id)
        if info is None:
            return None
        sha = info["sha"] if revision == "main" else revision
        return sha if sha in self.state.files[(kind, repo_id)] else None

    def _repo_api(self, kind: str, repo_id: str, rest: list[str], path: str, query: dict):
        state = self.state
        info = self._repo(kind, repo_id)
        if info is None:
            return self._error(404, "RepoNotFound", f"Repository {repo_id} not found")
        revision = rest[1] if len(rest) >= 2 else "main"
        sha = self._sha(kind, repo_id, revision)
        if sha is None:
            return self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        files = state.files[(kind, repo_id)][sha]
        if not rest or rest[0] == "revision":
            answer = dict(info, sha=sha, siblings=[{"rfilename": name} for name in sorted(files)])
            return self._send(200, answer)
        if rest[0] == "tree":
            prefix = "/".join(rest[2:])
            entries = [
                {"type": "file", "path": name, "size": len(data), "oid": git_blob_id(data)}
                for name, data in sorted(files.items())
                if not prefix or name.startswith(prefix + "/")
            ]
            return self._paged(entries, path, query, page_size=1000)
        if rest[0] == "commits":
            commits = state.commits[(kind, repo_id)]
            position = next(i for i, commit in enumerate(commits) if commit["id"] == sha)
            return self._paged(commits[position:], path, query, page_size=state.page_size)
        return self._error(404, "EntryNotFound", "Not found")

    def _resolve(self, kind: str, repo_id: str, revision: str, name: str):
        sha = self._sha(kind, repo_id, revision)
        if sha is None:
            return self._error(404, "RepoNotFound", f"Repository {repo_id} not found")
        files = self.state.files[(kind, repo_id)][sha]
        if name not in files:
            return self._error(404, "EntryNotFound", f"{name} does not exist at {sha}")
        content = files[name]
        headers = {
            "X-Repo-Commit": sha,
            "ETag": f'"{git_blob_id(content)}"',
            "Content-Type": "application/octet-stream",
        }
        return self._send(200, None, headers, raw=content)

    # --- uploads --------------------------------------------------------------------------

    def _post(self, parts: list[str], body: bytes):
        state = self.state
        if parts == ["api", "repos", "create"]:
            payload = json.loads(body)
            kind = payload.get("type") or "model"
            repo_id = f"{payload['organization']}/{payload['name']}"
            host, port = self.server.server_address[:2]
            url = f"http://{host}:{port}/{URL_PREFIXES[kind]}{repo_id}"
            if self._repo(kind, repo_id) is not None:
                # The Hub's 409 carries the existing repository's url (create_repo reads it).
                message = "You already created this repo"
                headers = {"X-Error-Code": "RepoExists", "X-Error-Message": message}
                return self._send(409, {"error": message, "url": url}, headers)
            info = state.create(kind, repo_id)
            # The Hub takes the visibility as "private" (older clients) or "visibility".
            info["private"] = bool(payload.get("private")) or payload.get("visibility") == "private"
            return self._send(200, {"url": url})
        if parts == ["api", "validate-yaml"]:
            return self._validate_yaml(json.loads(body))
        if len(parts) >= 6 and parts[0] == "api" and parts[1] in KINDS:
            kind, repo_id, action = KINDS[parts[1]], "/".join(parts[2:4]), parts[4]
            if self._repo(kind, repo_id) is None:
                return self._error(404, "RepoNotFound", f"Repository {repo_id} not found")
            if action == "preupload":
                files = json.loads(body)["files"]
                answer = [
                    {"path": f["path"], "uploadMode": "regular", "shouldIgnore": False, "oid": None}
                    for f in files
                ]
                return self._send(
                    200, {"files": answer, "commitOid": self._repo(kind, repo_id)["sha"]}
                )
            if action == "commit":
                return self._commit(kind, repo_id, body)
        return self._error(404, "EntryNotFound", "Not found")

    def _validate_yaml(self, payload: dict):
        """As the Hub checks a dataset card's metadata: a readable YAML block, known keys, and
        known values for the keys the Hub lists (an unknown one is a 400 with the reasons)."""
        content = payload.get("content", "")
        if not content.startswith("---\n") or "\n---" not in content[4:]:
            return self._error(400, "BadRequest", "The card has no YAML metadata block")
        try:
            metadata = yaml.safe_load(content[4 : content.index("\n---", 4)]) or {}
        except yaml.YAMLError as error:
            return self._error(400, "BadRequest", f"Invalid YAML: {error}")
        problems = [f'"{key}" is not allowed' for key in metadata if key not in CARD_KEYS]
        for key, allowed in CARD_VALUES.items():
            values = metadata.get(key, [])
            for value in values if isinstance(values, list) else [values]:
                if value not in allowed:
                    problems.append(f'"{key}" must be one of the allowed values, not "{value}"')
        if problems:
            return self._error(400, "BadRequest", "; ".join(problems))
        return self._send(200, {"errors": [], "warnings": []})

    def _put(self, parts: list[str], body: bytes):
        """PUT /api/<kind>s/<org>/<name>/settings: the visibility and the gating, as the Hub."""
        if len(parts) == 5 and parts[0] == "api" and parts[1] in KINDS and parts[4] == "settings":
            info = self._repo(KINDS[parts[1]], "/".join(parts[2:4]))
            if info is None:
                return self._error(404, "RepoNotFound", "Repository not found")
            payload = json.loads(body)
            if "visibility" in payload:
                if payload["visibility"] not in ("public", "private"):
                    return self._error(400, "BadRequest", "Invalid visibility")
                info["private"] = payload["visibility"] == "private"
            if "gated" in payload:
                if payload["gated"] not in ("auto", "manual", False):
                    return self._error(400, "BadRequest", "Invalid gated status")
                info["gated"] = payload["gated"]
            return self._send(200, {})
        return self._error(404, "EntryNotFound", "Not found")

    def _commit(self, kind: str, repo_id: str, body: bytes):
        lines = [json.loads(line) for line in body.splitlines() if line.strip()]
        summary = next(line["value"]["summary"] for line in lines if line["key"] == "header")
        changes: dict[str, bytes | None] = {}
        for line in lines:
            if line["key"] == "file":
                changes[line["value"]["path"]] = base64.b64decode(line["value"]["content"])
            elif line["key"] == "deletedFile":
                changes[line["value"]["path"]] = None
            elif line["key"] == "lfsFile":
                return self._error(400, "BadRequest", "The fake Hub stores files inline only")
        date = "2026-06-01T12:00:00.000Z"
        sha = self.state._commit(
            kind, repo_id, files=changes, author="platform-bot", date=date, title=summary
        )
        host, port = self.server.server_address[:2]
        url = f"http://{host}:{port}/{URL_PREFIXES[kind]}{repo_id}/commit/{sha}"
        return self._send(200, {"commitUrl": url, "commitOid": sha, "pullRequestUrl": None})

    # --- listings -------------------------------------------------------------------------

    def _paged(self, items: list, path: str, query: dict, *, page_size: int):
        limit = min(int(query.get("limit", [page_size])[0]), page_size)
        cursor = int(query.get("cursor", ["0"])[0])
        page = items[cursor : cursor + limit]
        headers = {}
        if cursor + limit < len(items):
            next_query = {**query, "cursor": [str(cursor + limit)]}  # repeated ones kept
            host, port = self.server.server_address[:2]
            next_url = f"http://{host}:{port}{path}?{urlencode(next_query, doseq=True)}"
            headers["Link"] = f'<{next_url}>; rel="next"'
        return self._send(200, page, headers)

    def _list(self, kind: str, path: str, query: dict) -> None:
        state = self.state
        author = query.get("author", [None])[0]
        repos = [r for r in state.repos[kind] if author is None or r["id"].split("/")[0] == author]
        sort = query.get("sort", [None])[0]
        if sort:
            # The Hub sorts descending unless direction=1 is asked for.
            descending = query.get("direction", ["-1"])[0] != "1"
            repos = sorted(repos, key=lambda r: r.get(sort) or "", reverse=descending)
        expand = query.get("expand", []) + query.get("expand[]", [])
        if expand:
            unknown = sorted(set(expand) - EXPANDABLE[kind])
            if unknown:
                message = f'"expand" must be among {sorted(EXPANDABLE[kind])}, not {unknown}'
                return self._error(400, "BadRequest", message)
            if {"full", "cardData", "config"} & set(query):
                message = "expand cannot be combined with full, cardData or config"
                return self._error(400, "BadRequest", message)
            answers = [self._expanded(kind, info, expand) for info in repos]
        else:
            answers = [dict(info) for info in repos]
        page_size = state.listing_page_sizes.get(kind, state.page_size)
        return self._paged(answers, path, query, page_size=page_size)

    def _expanded(self, kind: str, info: dict, expand: list[str]) -> dict:
        """A listed repository as the Hub answers `expand`: its ids and the fields asked for
        (those it has); `siblings` are the files at its commit."""
        answer = {"_id": info["_id"], "id": info["id"]}
        for name in expand:
            if name == "siblings":
                files = self.state.files[(kind, info["id"])][info["sha"]]
                answer["siblings"] = [{"rfilename": path} for path in sorted(files)]
            elif name in info:
                answer[name] = info[name]
        return answer


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A client killed in the middle of a request (see HubState.hang) is no server error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FakeHub:
    """The fake Hub served from a thread; `url` is its endpoint, `state` what it holds."""

    def __init__(self, state: HubState | None = None):
        self.state = state or HubState()
        handler = type("BoundHandler", (Handler,), {"state": self.state})
        self.server = Server(("127.0.0.1", 0), handler)
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
        self.state.release()  # no request stays held
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
