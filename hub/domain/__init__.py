"""The Hub app's business rules: talking to the Hub (hub.domain.client), the sync's runs and
listings (hub.domain.sync) and the repositories' details (hub.domain.details), team links
(hub.domain.links), the deadline each repository answers to (hub.domain.deadlines) and the
Spaces the sync saw, for prize eligibility (hub.domain.spaces)."""

from hub.domain.client import count_requests, describe_error, make_api, organization_for, redact
from hub.domain.details import fetch_details, read_details
from hub.domain.links import LinkRefused, confirm_repo_link, link_repositories
from hub.domain.spaces import SyncedSpaces, describe_prize_eligibility, read_synced_spaces
from hub.domain.sync import (
    SyncRefused,
    list_repositories,
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
