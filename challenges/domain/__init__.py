"""Business rules of editions and challenges, as plain functions (see each module)."""

from challenges.domain.contributions import (
    announce_change,
    announce_decisions,
    contributions_changed,
    contributions_decided,
    count_by_status,
    decide_contributions,
    item_type_of,
    reject_possible_duplicates,
)
from challenges.domain.editions import (
    EditionFileError,
    LoadReport,
    load_edition,
    read_edition_file,
    record_changes,
    take_snapshot,
)
from challenges.domain.repo_ids import check_repo_id
from challenges.domain.windows import (
    ContributionRefused,
    WindowState,
    describe_window,
    ensure_window_open,
    extend_window,
    format_moment,
    get_team_closes,
    get_window,
    get_window_for_team,
    is_team_deadline_past,
    list_team_windows,
)

__all__ = [
    "ContributionRefused",
    "EditionFileError",
    "LoadReport",
    "WindowState",
    "announce_change",
    "announce_decisions",
    "check_repo_id",
    "contributions_changed",
    "contributions_decided",
    "count_by_status",
    "decide_contributions",
    "describe_window",
    "ensure_window_open",
    "extend_window",
    "format_moment",
    "get_team_closes",
    "get_window",
    "get_window_for_team",
    "is_team_deadline_past",
    "item_type_of",
    "list_team_windows",
    "load_edition",
    "read_edition_file",
    "record_changes",
    "reject_possible_duplicates",
    "take_snapshot",
]
