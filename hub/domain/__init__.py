"""The Hub app's business rules: the sync (hub.domain.sync), team links (hub.domain.links) and
the Spaces the sync saw, for prize eligibility (hub.domain.spaces)."""

from hub.domain.links import LinkRefused, confirm_repo_link, link_repositories
from hub.domain.spaces import SyncedSpaces, describe_prize_eligibility, read_synced_spaces
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
    "SyncedSpaces",
    "confirm_repo_link",
    "count_requests",
    "describe_error",
    "describe_prize_eligibility",
    "fetch_details",
    "link_repositories",
    "list_repositories",
    "make_api",
    "organization_for",
    "read_details",
    "read_synced_spaces",
    "redact",
    "run_sync",
    "start_sync",
    "sync_edition",
    "verify_memberships",
]
