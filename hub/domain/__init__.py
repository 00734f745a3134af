"""The Hub app's business rules: the sync (hub.domain.sync) and team links (hub.domain.links)."""

from hub.domain.links import LinkRefused, confirm_repo_link, link_repositories
from hub.domain.sync import (
    SyncRefused,
    count_requests,
    describe_error,
    fetch_details,
    list_repositories,
    make_api,
    organization_for,
    read_details,
    redact,
    run_sync,
    start_sync,
    sync_edition,
    verify_memberships,
)

__all__ = [
    "LinkRefused",
    "SyncRefused",
    "confirm_repo_link",
    "count_requests",
    "describe_error",
    "fetch_details",
    "link_repositories",
    "list_repositories",
    "make_api",
    "organization_for",
    "read_details",
    "redact",
    "run_sync",
    "start_sync",
    "sync_edition",
    "verify_memberships",
]
