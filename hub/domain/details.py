"""A repository's details (files, commits, card) at the commit the listing gave, read only
where they changed or matter; and what a run saves as it goes (its progress, its lease)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

from challenges.models import Edition
from hub.checks import CardError, split_card
from hub.domain.client import (
    MAX_COMMITS,
    MAX_ERRORS,
    MAX_README_BYTES,
    ListedFiles,
    describe_error,
    redact,
)
from hub.domain.deadlines import needs_commit_history, served_challenges
from hub.domain.links import declared_repos
from hub.models import HubRepo, SyncRun

logger = logging.getLogger(__name__)


def _add_error(run: SyncRun, *, api, where: str, error: Exception) -> None:
    if len(run.errors) < MAX_ERRORS:
        run.errors.append({"where": where, "error": describe_error(error, api=api)[:1000]})
    logger.warning("Hub sync %s: %s", where, redact(str(error), api=api))


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
