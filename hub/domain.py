"""The Hub sync: mirror the edition's Hugging Face organization (repositories and members)."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.domain import mark_hub_membership_verified
from accounts.models import Profile
from challenges.models import Edition
from hub.models import HubRepo, RepoType, SyncRun

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
)
# Keep SyncRun.errors small: the first errors say enough.
MAX_ERRORS = 100
# Hub tokens look like hf_xxxxxxxx; redact any that shows up, not only ours.
TOKEN_PATTERN = re.compile(r"\bhf_[A-Za-z0-9]{8,}\b")


def organization_for(*, edition: Edition) -> str:
    """The Hub organization to sync: settings.HF_ORG when set, else the edition's own."""
    return settings.HF_ORG or edition.hub_organization


def make_api(*, endpoint: str | None = None):
    """The real Hub client, pointed at settings.HF_ENDPOINT with settings.HF_TOKEN (if any)."""
    from huggingface_hub import HfApi

    return HfApi(endpoint=endpoint or settings.HF_ENDPOINT, token=settings.HF_TOKEN or None)


# --- counting HTTP requests -------------------------------------------------------------------
# huggingface_hub sends every request through one shared httpx client (get_session()); a
# request hook counts those sent by the current thread while a sync is counting.

_counting = threading.local()


def _count_request(request) -> None:
    counters = getattr(_counting, "stack", None)
    if counters:
        counters[-1][0] += 1


def _install_request_counter() -> None:
    from huggingface_hub.utils import get_session

    hooks = get_session().event_hooks
    request_hooks = list(hooks.get("request", []))
    if _count_request not in request_hooks:
        request_hooks.append(_count_request)
        hooks["request"] = request_hooks
        get_session().event_hooks = hooks


@contextmanager
def count_requests() -> Iterator[list[int]]:
    """Count the Hub HTTP requests sent by this thread inside the block (in counter[0])."""
    _install_request_counter()
    counter = [0]
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
    }


def _list_repos(api, *, repo_type: str, author: str):
    """The organization's repositories of one type, newest first, as a lazy iterator.

    The client requests the next page only when the previous one is used up, so stopping the
    iteration early spares the remaining pages.
    """
    if repo_type == RepoType.MODEL:
        return api.list_models(author=author, sort="last_modified", cardData=True)
    if repo_type == RepoType.DATASET:
        return api.list_datasets(author=author, sort="last_modified", full=True)
    return api.list_spaces(author=author, sort="last_modified", full=True)


def _upsert(*, edition: Edition, repo_type: str, repo_id: str, fields: dict) -> tuple[str, bool]:
    """Store one repository; return (outcome, reached_known) with outcome created/updated/
    unchanged, and reached_known when its commit and date equal the stored ones."""
    with transaction.atomic():
        repo = (
            HubRepo.objects.select_for_update()
            .filter(edition=edition, repo_type=repo_type, repo_id=repo_id)
            .first()
        )
        if repo is None:
            HubRepo.objects.create(edition=edition, repo_type=repo_type, repo_id=repo_id, **fields)
            return "created", False
        reached_known = bool(fields["sha"]) and (
            repo.sha == fields["sha"] and repo.last_modified == fields["last_modified"]
        )
        changed = [name for name in TRACKED_FIELDS if getattr(repo, name) != fields[name]]
        if not changed:
            return "unchanged", reached_known
        for name in changed:
            setattr(repo, name, fields[name])
        repo.save(update_fields=[*changed, "updated_at"])
        return "updated", reached_known


def _add_error(run: SyncRun, *, api, where: str, error: Exception) -> None:
    if len(run.errors) < MAX_ERRORS:
        message = redact(f"{type(error).__name__}: {error}", api=api)
        run.errors.append({"where": where, "error": message[:1000]})
    logger.warning("Hub sync %s: %s", where, redact(str(error), api=api))


def _can_stop_early(*, edition: Edition, repo_type: str, before: SyncRun) -> bool:
    """Whether the listing of a type may stop at the first known repository.

    Only when the previous run finished and listed that type without any error: otherwise some
    older repositories may never have been stored, and the whole listing is read again.
    """
    previous = (
        SyncRun.objects.filter(edition=edition, started_at__lte=before.started_at)
        .exclude(pk=before.pk)
        .order_by("-started_at", "-pk")
        .first()
    )
    if previous is None or previous.status != SyncRun.Status.DONE:
        return False
    prefixes = (f"list {repo_type}s", f"{repo_type}:")
    return not any(str(e.get("where", "")).startswith(prefixes) for e in previous.errors)


def sync_hub(*, edition: Edition, api=None) -> SyncRun:
    """List the organization's models, datasets and Spaces, newest first, and store them.

    Creates the repositories not seen before and updates those that changed; one that did not
    change is not written. The listing of a type stops at the first repository whose commit and
    last modification date equal the stored ones: everything older was seen by a previous run
    (unless that run met an error on this type: then the whole listing is read again).
    An error on one repository or one listing is recorded in the run, which goes on. The Hub
    token never appears in the errors.
    """
    api = api or make_api()
    author = organization_for(edition=edition)
    run = SyncRun.objects.create(edition=edition)
    listing_failures = 0
    with count_requests() as requests:
        try:
            for repo_type in RepoType.values:
                stop_early = _can_stop_early(edition=edition, repo_type=repo_type, before=run)
                try:
                    for info in _list_repos(api, repo_type=repo_type, author=author):
                        run.seen += 1
                        repo_id = getattr(info, "id", "?")
                        try:
                            outcome, reached_known = _upsert(
                                edition=edition,
                                repo_type=repo_type,
                                repo_id=repo_id,
                                fields=fields_of(info, repo_type=repo_type),
                            )
                        except Exception as error:  # one bad repository must not stop the run
                            run.failed += 1
                            _add_error(run, api=api, where=f"{repo_type}:{repo_id}", error=error)
                            continue
                        setattr(run, outcome, getattr(run, outcome) + 1)
                        if reached_known and stop_early:
                            break
                except Exception as error:  # the listing failed: record it, go on with the next
                    listing_failures += 1
                    _add_error(run, api=api, where=f"list {repo_type}s", error=error)
        finally:
            run.http_requests = requests[0]
            all_failed = listing_failures == len(RepoType.values)
            run.status = SyncRun.Status.FAILED if all_failed else SyncRun.Status.DONE
            run.finished_at = timezone.now()
            run.save()
    return run


def verify_memberships(*, edition: Edition, api=None) -> int:
    """Mark the profiles whose Hub username (any case) is a member of the organization.

    Returns how many profiles were newly marked; those already verified stay as they are.
    """
    api = api or make_api()
    organization = organization_for(edition=edition)
    usernames = {
        member.username.lower()
        for member in api.list_organization_members(organization)
        if getattr(member, "username", "")
    }
    if not usernames:
        return 0
    marked = 0
    profiles = Profile.objects.annotate(hub_lower=Lower("hub_username")).filter(
        hub_lower__in=usernames, hub_membership_verified_at__isnull=True
    )
    for profile in profiles:
        mark_hub_membership_verified(profile=profile)
        marked += 1
    return marked


def sync_edition(*, edition: Edition, api=None) -> SyncRun:
    """One full sync: the repositories, then the organization's members, in one recorded run."""
    api = api or make_api()
    run = sync_hub(edition=edition, api=api)
    with count_requests() as requests:
        try:
            run.members_verified = verify_memberships(edition=edition, api=api)
        except Exception as error:
            _add_error(run, api=api, where="list members", error=error)
    run.http_requests += requests[0]
    run.save(update_fields=["members_verified", "http_requests", "errors"])
    return run
