"""Talking to the Hub: the real client, the requests counted (API calls apart from file
downloads), errors said without the token, and the fields the sync keeps of a listed
repository."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings

from challenges.models import Edition
from hub.models import RepoType

logger = logging.getLogger(__name__)

# The card metadata kept from each repository's cardData.
CARD_FIELDS = ("license", "language", "base_model", "datasets", "tags", "co2_eq_emissions")
# The fields compared to decide whether a stored repository changed.
TRACKED_FIELDS = (
    "private",
    "gated",
    "sha",
    "created_at",
    "last_modified",
    "likes",
    "downloads",
    "card",
    "sdk",
    "runtime_stage",
    "missing_since",
)
# Commits kept per repository (newest first): hackathon repositories have far fewer.
MAX_COMMITS = 1000
# The card is read up to this size; longer cards are cut (the checks read the start).
MAX_README_BYTES = 512 * 1024
# Keep SyncRun.errors small: the first errors say enough.
MAX_ERRORS = 100
# The listing saves its progress (and renews the run's lease) every this many repositories.
PROGRESS_EVERY = 100
# Hub tokens look like hf_xxxxxxxx; redact any that shows up, not only ours.
TOKEN_PATTERN = re.compile(r"\bhf_[A-Za-z0-9]{8,}\b")


def organization_for(*, edition: Edition) -> str:
    """The Hub organization to sync: settings.HF_ORG when set, else the edition's own."""
    return settings.HF_ORG or edition.hub_organization


def make_api(*, endpoint: str | None = None):
    """The real Hub client, pointed at settings.HF_ENDPOINT with settings.HF_TOKEN (if any)."""
    from huggingface_hub import HfApi  # noqa: PLC0415 -- slow import: huggingface_hub's client, needed only when talking to the Hub

    return HfApi(endpoint=endpoint or settings.HF_ENDPOINT, token=settings.HF_TOKEN or None)


# --- counting HTTP requests -------------------------------------------------------------------
# huggingface_hub sends every request through one shared httpx client (get_session()); a
# request hook counts those sent by the current thread while a sync is counting. The Hub
# rate-limits its API (/api/...) and its file resolver (.../resolve/...) separately (on the
# free plan, 1,000 API calls per 5 minutes): each is counted apart.

_counting = threading.local()


@dataclass
class RequestCounts:
    api: int = 0
    resolver: int = 0

    @property
    def total(self) -> int:
        return self.api + self.resolver


def is_resolver_request(path: str) -> bool:
    """Whether a Hub URL path is a file download (the resolver), not an API call."""
    return "/resolve/" in path and not path.startswith("/api/")


def _count_request(request) -> None:
    counters = getattr(_counting, "stack", None)
    if counters:
        if is_resolver_request(request.url.path):
            counters[-1].resolver += 1
        else:
            counters[-1].api += 1


def _install_request_counter() -> None:
    from huggingface_hub.utils import get_session  # noqa: PLC0415 -- slow import: huggingface_hub's client, needed only when talking to the Hub

    hooks = get_session().event_hooks
    request_hooks = list(hooks.get("request", []))
    if _count_request not in request_hooks:
        request_hooks.append(_count_request)
        hooks["request"] = request_hooks
        get_session().event_hooks = hooks


@contextmanager
def count_requests() -> Iterator[RequestCounts]:
    """Count the Hub HTTP requests sent by this thread inside the block, by kind."""
    _install_request_counter()
    counter = RequestCounts()
    stack = getattr(_counting, "stack", None)
    if stack is None:
        stack = _counting.stack = []
    stack.append(counter)
    try:
        yield counter
    finally:
        stack.remove(counter)


# --- reading the Hub's answers ------------------------------------------------------------------


def redact(text: str, *, api=None) -> str:
    """Remove the Hub token (ours, the client's, or anything shaped like one) from a text."""
    secrets = {settings.HF_TOKEN, getattr(api, "token", None) if api is not None else None}
    for secret in secrets:
        if isinstance(secret, str) and secret:
            text = text.replace(secret, "***")
    return TOKEN_PATTERN.sub("***", text)


def describe_error(error: BaseException, *, api=None) -> str:
    """An error as "Type: message", without the token: for the runs' errors, logs and pages."""
    return redact(f"{type(error).__name__}: {error}", api=api)


def _jsonable(value):
    return json.loads(json.dumps(value, default=str))


def _card_of(info) -> dict:
    card_data = getattr(info, "card_data", None)
    if card_data is None:
        return {}
    raw = card_data.to_dict() if hasattr(card_data, "to_dict") else dict(card_data)
    return _jsonable({key: raw[key] for key in CARD_FIELDS if raw.get(key) is not None})


def fields_of(info, *, repo_type: str) -> dict:
    """The HubRepo fields for one repository info returned by the client."""
    gated = getattr(info, "gated", None)
    runtime = getattr(info, "runtime", None) if repo_type == RepoType.SPACE else None
    return {
        "private": bool(getattr(info, "private", False)),
        "gated": "" if gated in (None, False) else str(gated),
        "sha": getattr(info, "sha", None) or "",
        "created_at": getattr(info, "created_at", None),
        "last_modified": getattr(info, "last_modified", None),
        "likes": getattr(info, "likes", None) or 0,
        "downloads": getattr(info, "downloads", None) or 0,
        "card": _card_of(info),
        "sdk": (getattr(info, "sdk", None) or "") if repo_type == RepoType.SPACE else "",
        "runtime_stage": (getattr(runtime, "stage", None) or "") if runtime else "",
        # Listed again: no longer missing.
        "missing_since": None,
    }


# (repo type, repo id) -> (commit, its files) as a listing gave them.
ListedFiles = dict[tuple[str, str], tuple[str, list[str]]]
