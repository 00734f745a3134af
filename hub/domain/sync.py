"""The Hub sync: mirror the edition's Hugging Face organization (repositories, their details,
members) into the database, one recorded SyncRun at a time.

A run lists each repository type newest first and stops at what the previous run already saw;
then it fetches the details (files, commits, card) of the repositories whose commit changed;
then it verifies members and links repositories to teams. Every step writes only what changed,
so a run with nothing new writes nothing but its own SyncRun row, and a run killed halfway
leaves the rest for the next one (details are keyed by the commit they describe).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

from accounts.domain import mark_hub_membership_verified
from accounts.models import Profile
from challenges.models import Edition
from hackathon.errors import RuleRefused
from hub.checks import CardError, split_card
from hub.domain.deadlines import needs_commit_history, served_challenges
from hub.domain.links import declared_repos, link_repositories
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


# What the listings ask the Hub for (`expand`): every field stored, the files (`siblings`) so
# that no tree has to be read, and for Spaces the runtime. With `expand` the Hub answers only
# these fields, and `full`/`cardData` cannot be combined with it.
LISTING_FIELDS = ("sha", "lastModified", "createdAt", "private", "likes", "cardData", "siblings")
EXPAND = {
    RepoType.MODEL: [*LISTING_FIELDS, "gated", "downloads"],
    RepoType.DATASET: [*LISTING_FIELDS, "gated", "downloads"],
    RepoType.SPACE: [*LISTING_FIELDS, "sdk", "runtime"],
}
# (repo type, repo id) -> (commit, its files) as a listing gave them.
ListedFiles = dict[tuple[str, str], tuple[str, list[str]]]


def _list_repos(api, *, repo_type: str, author: str):
    """The organization's repositories of one type, newest first, as a lazy iterator.

    The client requests the next page only when the previous one is used up, so stopping the
    iteration early spares the remaining pages.
    """
    kwargs = {"author": author, "sort": "last_modified", "expand": EXPAND[repo_type]}
    if repo_type == RepoType.MODEL:
        return api.list_models(**kwargs)
    if repo_type == RepoType.DATASET:
        return api.list_datasets(**kwargs)
    return api.list_spaces(**kwargs)


def _listed_files(info) -> list[str] | None:
    siblings = getattr(info, "siblings", None)
    if siblings is None:
        return None
    return sorted(sibling.rfilename for sibling in siblings)


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
        run.errors.append({"where": where, "error": describe_error(error, api=api)[:1000]})
    logger.warning("Hub sync %s: %s", where, redact(str(error), api=api))


def _can_stop_early(*, edition: Edition, repo_type: str, before: SyncRun) -> bool:
    """Whether the listing of a type may stop at the first known repository.

    Not in a full listing, never for Spaces (a Space's runtime stage changes without a
    commit: it crashes, it is paused, and prize eligibility reads it, so every sync reads it
    for all of them), and only when the previous run finished and listed that type without
    any error: otherwise some older repositories may never have been stored, and the whole
    listing is read again.
    """
    if before.full_listing or repo_type == RepoType.SPACE:
        return False
    previous = (
        SyncRun.objects.filter(edition=edition, started_at__lte=before.started_at)
        .exclude(pk=before.pk)
        .exclude(status=SyncRun.Status.QUEUED)
        .order_by("-started_at", "-pk")
        .first()
    )
    if previous is None or previous.status != SyncRun.Status.DONE:
        return False
    prefixes = (f"list {repo_type}s", f"{repo_type}:")
    return not any(str(e.get("where", "")).startswith(prefixes) for e in previous.errors)


def _mark_missing(*, edition: Edition, repo_type: str, seen: set[str], now: dt.datetime) -> int:
    """After a complete listing of a type: the stored repositories it did not show are gone
    (deleted, renamed or hidden). They are kept, with the time they went missing."""
    return (
        HubRepo.objects.filter(edition=edition, repo_type=repo_type, missing_since__isnull=True)
        .exclude(repo_id__in=seen)
        .update(missing_since=now)
    )


def list_repositories(*, run: SyncRun, api) -> ListedFiles:
    """List the organization's models, datasets and Spaces, newest first, and store them;
    return the files each listed repository has at its commit (for fetch_details).

    Creates the repositories not seen before and updates those that changed; one that did not
    change is not written. The listing of a type stops at the first repository whose commit and
    last modification date equal the stored ones: everything older was seen by a previous run
    (unless that run met an error on this type, or the run is a full listing: then the whole
    listing is read, and the stored repositories it no longer shows are marked missing).
    Spaces are always listed whole, for their runtime stage.
    An error on one repository or one listing is recorded in the run, which goes on.
    """
    edition = run.edition
    author = organization_for(edition=edition)
    listed: ListedFiles = {}
    listing_failures = 0
    for repo_type in RepoType.values:
        stop_early = _can_stop_early(edition=edition, repo_type=repo_type, before=run)
        # What is stored, read once: an unchanged repository costs no lock and no write.
        stored = {
            row["repo_id"]: row
            for row in HubRepo.objects.filter(edition=edition, repo_type=repo_type).values(
                "repo_id", *TRACKED_FIELDS
            )
        }
        seen: set[str] = set()
        complete = True
        try:
            for info in _list_repos(api, repo_type=repo_type, author=author):
                run.seen += 1
                repo_id = getattr(info, "id", "?")
                seen.add(repo_id)
                try:
                    fields = fields_of(info, repo_type=repo_type)
                    files = _listed_files(info)
                    if files is not None:
                        listed[(repo_type, repo_id)] = (fields["sha"], files)
                    known = stored.get(repo_id)
                    if known is not None and all(
                        known[name] == fields[name] for name in TRACKED_FIELDS
                    ):
                        outcome, reached_known = "unchanged", bool(fields["sha"])
                    else:
                        outcome, reached_known = _upsert(
                            edition=edition, repo_type=repo_type, repo_id=repo_id, fields=fields
                        )
                except Exception as error:  # one bad repository must not stop the run
                    run.failed += 1
                    _add_error(run, api=api, where=f"{repo_type}:{repo_id}", error=error)
                    continue
                setattr(run, outcome, getattr(run, outcome) + 1)
                if run.seen % PROGRESS_EVERY == 0:
                    _save_progress(run)
                if reached_known and stop_early:
                    complete = False
                    break
        except LeaseLost:
            raise
        except Exception as error:  # the listing failed: record it, go on with the next type
            listing_failures += 1
            complete = False
            _add_error(run, api=api, where=f"list {repo_type}s", error=error)
        if complete:
            run.missing += _mark_missing(
                edition=edition, repo_type=repo_type, seen=seen, now=timezone.now()
            )
        _save_progress(run)
    if listing_failures:
        # The others were still read, but a run that missed a listing did not see the whole
        # organization: it ends failed, and the next run reads every listing again.
        run.status = SyncRun.Status.FAILED
    return listed


# --- details: files, commits, card ----------------------------------------------------------


def _is_transient(error: Exception) -> bool:
    """Errors worth trying again at the next run (the client already retried with backoff)."""
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    if isinstance(error, HfHubHTTPError) and status is not None:
        return status == 429 or status >= 500
    return isinstance(error, OSError) or type(error).__module__.startswith("httpx")


def _download_text(api, *, repo: HubRepo, path: str, revision: str) -> str:
    """One text file of the repository at a commit (one request, retried on 429/5xx)."""
    from huggingface_hub import hf_hub_url  # noqa: PLC0415 -- slow import: huggingface_hub's client, needed only when talking to the Hub
    from huggingface_hub.utils import (  # noqa: PLC0415 -- slow import: huggingface_hub's client, needed only when talking to the Hub
        build_hf_headers,
        hf_raise_for_status,
        http_backoff,
    )

    url = hf_hub_url(
        repo.repo_id, path, repo_type=repo.repo_type, revision=revision, endpoint=api.endpoint
    )
    response = http_backoff("GET", url, headers=build_hf_headers(token=api.token))
    hf_raise_for_status(response)
    return response.content[:MAX_README_BYTES].decode("utf-8", errors="replace")


def _read_files(*, repo: HubRepo, api) -> list[str]:
    """The files at the stored commit from the tree (one API call per page)."""
    from huggingface_hub.hf_api import RepoFile  # noqa: PLC0415 -- slow import: huggingface_hub's client, needed only when talking to the Hub

    tree = api.list_repo_tree(
        repo.repo_id, recursive=True, repo_type=repo.repo_type, revision=repo.sha
    )
    return sorted(entry.path for entry in tree if isinstance(entry, RepoFile))


def read_commits(*, repo: HubRepo, api) -> list[dict]:
    """The commits up to the stored commit, newest first (one API call per page)."""
    commits = []
    listed = api.list_repo_commits(repo.repo_id, repo_type=repo.repo_type, revision=repo.sha)
    for commit in listed:
        commits.append(
            {
                "id": commit.commit_id,
                "title": (commit.title or "")[:200],
                "authors": list(commit.authors),
                "date": commit.created_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            }
        )
        if len(commits) >= MAX_COMMITS:
            break
    return commits


def read_details(
    *,
    repo: HubRepo,
    api,
    files: list[str] | None = None,
    wants_history: Callable[[str], bool] | None = None,
) -> dict:
    """The files, card and commits (newest first) of a repository at its stored commit.

    The files come from the listing when given (its `siblings`), else from the tree; the
    card from the file resolver (rate-limited apart from the API); the commits only when
    `wants_history(card)` says they matter (by default always), else none are kept.
    """
    files = sorted(files) if files is not None else _read_files(repo=repo, api=api)
    readme = ""
    if "README.md" in files:
        readme = _download_text(api, repo=repo, path="README.md", revision=repo.sha)
    wanted = wants_history is None or wants_history(readme)
    commits = read_commits(repo=repo, api=api) if wanted else []
    return {"files": files, "commits": commits, "readme": readme}


def _store_details(*, repo_id: int, sha: str, values: dict) -> bool:
    """Store details fetched for commit `sha`, unless the repository moved on meanwhile."""
    with transaction.atomic():
        repo = HubRepo.objects.select_for_update().filter(pk=repo_id, sha=sha).first()
        if repo is None:
            return False
        for name, value in values.items():
            setattr(repo, name, value)
        repo.details_sha = sha
        repo.save(update_fields=[*values, "details_sha", "updated_at"])
        return True


PROGRESS_FIELDS = ("seen", "created", "updated", "unchanged", "failed", "missing")


class LeaseLost(Exception):
    """Another run took over this one (its lease had expired): it must stop writing."""


def _save_progress(run: SyncRun) -> None:
    """The run's counts so far, for the progress page (and kept if the worker dies), and its
    lease renewed. Raises LeaseLost when the run is no longer running: another run found its
    lease expired (this one was stuck longer than HUB_SYNC_LEASE_SECONDS) and took over."""
    fields = ["details_total", "details_done", *PROGRESS_FIELDS]
    now = timezone.now()
    renewed = SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.RUNNING).update(
        heartbeat_at=now, **{name: getattr(run, name) for name in fields}
    )
    if not renewed:
        raise LeaseLost(run.pk)
    run.heartbeat_at = now


def _history_rule(*, edition: Edition) -> Callable[[HubRepo, str], bool]:
    """Whether a repository's commit history is worth reading (hub.domain.deadlines), with
    the declarations and challenge closes read once."""
    declared = set(declared_repos(edition=edition))
    closes = {kind: c.closes_at for kind, c in served_challenges(edition=edition).items()}

    def wants_history(repo: HubRepo, readme: str) -> bool:
        return needs_commit_history(repo=repo, readme=readme, declared=declared, closes=closes)

    return wants_history


def _missing_histories(*, edition: Edition, wants_history) -> list[HubRepo]:
    """Repositories read without their commits whose history now matters (a declaration
    withdrawn, an organizer's decision cleared, a deadline moved earlier)."""
    unread = (
        HubRepo.objects.filter(edition=edition, missing_since__isnull=True, details_error="")
        .exclude(sha="")
        .filter(details_sha=F("sha"), commits=[])
        .order_by("pk")
        .only("pk", "edition_id", "repo_id", "repo_type", "sha", "last_modified", "link_status")
    )
    # The card (for a dataset's columns) is loaded only for the few that need it.
    return [repo for repo in unread if wants_history(repo, repo.readme)]


def fetch_details(*, run: SyncRun, api, listed: ListedFiles | None = None) -> None:
    """Fetch the details of every repository whose commit changed since its details were read,
    saving the progress (done of total) as it goes.

    Each costs at most one API call: its files come from the listing (`listed`, else the
    tree), its card from the file resolver, and its commits are read only where they matter
    (hub.domain.deadlines.needs_commit_history). Repositories read without commits whose
    history came to matter get their commits alone.

    A repository that vanished (404) is marked missing; a card whose YAML cannot be read, a
    file that cannot be downloaded or any other error is recorded as that repository's error
    and the run goes on. Errors the next run may not meet again (429, 5xx, network) leave the
    repository to be tried again; the others are kept until its next commit.
    """
    listed = listed or {}
    wants_history = _history_rule(edition=run.edition)
    pending = list(
        HubRepo.objects.filter(edition=run.edition)
        .needing_details()
        .order_by("pk")
        .only("pk", "edition_id", "repo_id", "repo_type", "sha", "last_modified", "link_status")
    )
    histories = _missing_histories(edition=run.edition, wants_history=wants_history)
    run.details_total = len(pending) + len(histories)
    _save_progress(run)
    for repo in pending:
        where = f"{repo.repo_type}:{repo.repo_id}"
        sha, files = listed.get((repo.repo_type, repo.repo_id), ("", None))
        try:
            values = read_details(
                repo=repo,
                api=api,
                files=files if sha == repo.sha else None,
                wants_history=lambda readme, repo=repo: wants_history(repo, readme),
            )
            values["details_error"] = ""
            try:
                split_card(values["readme"])
            except CardError as error:
                values["details_error"] = redact(_("Unreadable card metadata: %s") % error)[:1000]
                run.failed += 1
                _add_error(run, api=api, where=where, error=error)
            _store_details(repo_id=repo.pk, sha=repo.sha, values=values)
        except RepositoryNotFoundError as error:
            run.failed += 1
            _add_error(run, api=api, where=where, error=error)
            HubRepo.objects.filter(pk=repo.pk, missing_since__isnull=True).update(
                missing_since=timezone.now()
            )
        except Exception as error:  # one broken repository must not stop the run
            run.failed += 1
            _add_error(run, api=api, where=where, error=error)
            message = describe_error(error, api=api)[:1000]
            if _is_transient(error):
                HubRepo.objects.filter(pk=repo.pk).update(details_error=message)
            else:
                _store_details(repo_id=repo.pk, sha=repo.sha, values={"details_error": message})
        run.details_done += 1
        _save_progress(run)
    for repo in histories:
        try:
            commits = read_commits(repo=repo, api=api)
        except Exception as error:  # tried again at the next run
            run.failed += 1
            _add_error(run, api=api, where=f"{repo.repo_type}:{repo.repo_id}", error=error)
        else:
            _store_details(repo_id=repo.pk, sha=repo.sha, values={"commits": commits})
        run.details_done += 1
        _save_progress(run)


# --- members --------------------------------------------------------------------------------


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


# --- runs -----------------------------------------------------------------------------------


class SyncRefused(RuleRefused):
    pass


ACTIVE = (SyncRun.Status.QUEUED, SyncRun.Status.RUNNING)


def _lease_expired(*, now: dt.datetime) -> Q:
    """Running runs whose lease (renewed at every progress save; a run that never saved has
    only its start) is older than HUB_SYNC_LEASE_SECONDS."""
    cutoff = now - dt.timedelta(seconds=settings.HUB_SYNC_LEASE_SECONDS)
    return Q(status=SyncRun.Status.RUNNING) & (
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )


def _interrupt_stale_runs(*, edition: Edition, now: dt.datetime) -> None:
    """Runs cut off (a worker killed, a machine restarted) are marked failed so the next run
    takes over: a running one whose lease expired, a queued one no worker took within
    HUB_SYNC_STALE_SECONDS. The next run then reads the whole listing and completes the
    details the cut-off run left (they are keyed by commit)."""
    queued_cutoff = now - dt.timedelta(seconds=settings.HUB_SYNC_STALE_SECONDS)
    stale = Q(status=SyncRun.Status.QUEUED, started_at__lt=queued_cutoff) | _lease_expired(now=now)
    for run in SyncRun.objects.select_for_update().filter(stale, edition=edition):
        run.errors.append({"where": "run", "error": "interrupted before it finished"})
        run.status = SyncRun.Status.FAILED
        run.finished_at = now
        run.save(update_fields=["errors", "status", "finished_at"])


def _refusal(active: SyncRun) -> SyncRefused:
    """Why another run cannot start now, and for a running one, when it may."""
    if active.status == SyncRun.Status.QUEUED:
        return SyncRefused(
            _("A sync is already %(status)s (started %(started)s).")
            % {"status": active.get_status_display(), "started": active.started_at}
        )
    renewed = active.heartbeat_at or active.started_at
    expires = renewed + dt.timedelta(seconds=settings.HUB_SYNC_LEASE_SECONDS)
    return SyncRefused(
        _(
            "A sync is already running (started %(started)s, last active %(active)s UTC). "
            "If it was cut off, a new one can start from %(expires)s UTC."
        )
        % {
            "started": f"{active.started_at:%Y-%m-%d %H:%M:%S}",
            "active": f"{renewed:%H:%M:%S}",
            "expires": f"{expires:%H:%M:%S}",
        }
    )


def _needs_full_listing(*, edition: Edition, now: dt.datetime) -> bool:
    """A full listing (which notices deleted repositories) at least every
    HUB_FULL_LISTING_HOURS; incremental listings in between."""
    since = now - dt.timedelta(hours=settings.HUB_FULL_LISTING_HOURS)
    return not SyncRun.objects.filter(
        edition=edition, status=SyncRun.Status.DONE, full_listing=True, started_at__gte=since
    ).exists()


def start_sync(
    *,
    edition: Edition,
    by=None,
    full: bool = False,
    enqueue: Callable[[int], object] | None = None,
) -> SyncRun:
    """Queue one sync of the edition's organization; at most one is queued or running at a
    time (runs cut off are marked failed first: a running one whose lease expired, a queued
    one left too long). With `enqueue` (the task's ``sync_hub_task.delay``), it is called
    with the run's id once the run is committed; without, the caller runs it (run_sync)."""
    if not organization_for(edition=edition):
        raise SyncRefused(_("The edition has no Hugging Face organization."))
    now = timezone.now()
    with transaction.atomic():
        Edition.objects.select_for_update().filter(pk=edition.pk).first()
        _interrupt_stale_runs(edition=edition, now=now)
        active = SyncRun.objects.filter(edition=edition, status__in=ACTIVE).first()
        if active is not None:
            raise _refusal(active)
        run = SyncRun.objects.create(
            edition=edition,
            status=SyncRun.Status.QUEUED,
            requested_by=by,
            full_listing=full or _needs_full_listing(edition=edition, now=now),
        )
        if enqueue is not None:
            # The caller hands over its task: hub.tasks imports this module, so importing the
            # task here would make the two files import each other.
            transaction.on_commit(lambda: enqueue(run.pk))
    return run


def _claim(run: SyncRun) -> bool:
    """Take the run: a queued one, or a running one whose lease expired (its worker died and
    the task came back). A running one whose lease is alive belongs to another process."""
    now = timezone.now()
    claimed = (
        SyncRun.objects.filter(pk=run.pk)
        .filter(Q(status=SyncRun.Status.QUEUED) | _lease_expired(now=now))
        .update(status=SyncRun.Status.RUNNING, heartbeat_at=now)
    )
    if claimed:
        run.status, run.heartbeat_at = SyncRun.Status.RUNNING, now
    return bool(claimed)


FINAL_FIELDS = (
    "status",
    "finished_at",
    "heartbeat_at",
    "errors",
    "members_verified",
    "http_requests",
    "api_requests",
    "resolver_requests",
    "details_total",
    "details_done",
    *PROGRESS_FIELDS,
)


def run_sync(*, run: SyncRun, api=None) -> SyncRun:
    """Run a queued sync: repositories, details, members, links to teams, in that order.

    A run already finished is left as it is (a task delivered twice does nothing more); one
    found running is taken up again once its lease expired (its worker died and the task came
    back: every step is idempotent), and left to its process while the lease is alive. A run
    that loses its lease meanwhile (another run took over) stops without writing its end.
    """
    if run.status not in ACTIVE or not _claim(run):
        run.refresh_from_db()
        return run
    api = api or make_api()
    lost = False
    with count_requests() as requests:
        try:
            listed = list_repositories(run=run, api=api)
            fetch_details(run=run, api=api, listed=listed)
            try:
                run.members_verified = verify_memberships(edition=run.edition, api=api)
            except Exception as error:  # the members are one step; the run goes on
                _add_error(run, api=api, where="list members", error=error)
            _save_progress(run)
            link_repositories(edition=run.edition)
        except LeaseLost:
            lost = True
        except Exception as error:
            run.status = SyncRun.Status.FAILED
            _add_error(run, api=api, where="run", error=error)
        finally:
            run.http_requests = requests.total
            run.api_requests, run.resolver_requests = requests.api, requests.resolver
            if run.status == SyncRun.Status.RUNNING:
                run.status = SyncRun.Status.DONE
            run.finished_at = run.heartbeat_at = timezone.now()
            ended = not lost and SyncRun.objects.filter(
                pk=run.pk, status=SyncRun.Status.RUNNING
            ).update(**{name: getattr(run, name) for name in FINAL_FIELDS})
    if not ended:
        logger.warning("Hub sync run %s was taken over by another run; it stopped.", run.pk)
        run.refresh_from_db()
    return run


def sync_edition(*, edition: Edition, api=None, full: bool = False, by=None) -> SyncRun:
    """One whole sync in the foreground (the command, tests, benchmarks)."""
    run = start_sync(edition=edition, by=by, full=full)
    return run_sync(run=run, api=api)
