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
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.domain import mark_hub_membership_verified
from accounts.models import Profile
from challenges.models import Edition
from hackathon.errors import RuleRefused
from hub.domain.client import (
    PROGRESS_EVERY,
    TRACKED_FIELDS,
    ListedFiles,
    count_requests,
    fields_of,
    make_api,
    organization_for,
)
from hub.domain.details import (
    PROGRESS_FIELDS,
    LeaseLost,
    _add_error,
    _save_progress,
    fetch_details,
)
from hub.domain.links import link_repositories
from hub.models import HubRepo, RepoType, SyncRun

logger = logging.getLogger(__name__)


# What the listings ask the Hub for (`expand`): every field stored, the files (`siblings`) so
# that no tree has to be read, and for Spaces the runtime. With `expand` the Hub answers only
# these fields, and `full`/`cardData` cannot be combined with it.
LISTING_FIELDS = ("sha", "lastModified", "createdAt", "private", "likes", "cardData", "siblings")
EXPAND = {
    RepoType.MODEL: [*LISTING_FIELDS, "gated", "downloads"],
    RepoType.DATASET: [*LISTING_FIELDS, "gated", "downloads"],
    RepoType.SPACE: [*LISTING_FIELDS, "sdk", "runtime"],
}


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
