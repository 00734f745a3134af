"""Which challenge each repository of the organization serves, and its commits after that
challenge's deadline: on each repository's page, in the organizers' list of every late
commit, and for the sync, which commit histories are worth reading."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from challenges.domain import get_team_closes
from challenges.models import Challenge, Edition
from hub.checks import (
    CardError,
    column_names,
    parse_commit_date,
    served_challenge,
    split_card,
)
from hub.domain.links import declared_repos
from hub.models import HubRepo, LinkStatus, RepoType

SERVED_KINDS = (Challenge.Kind.PREFERENCES, Challenge.Kind.ALIGNMENT, Challenge.Kind.DEMO)


def columns_of(*, readme: str) -> set[str]:
    """The columns a dataset card declares (none when its metadata cannot be read)."""
    try:
        metadata, _text = split_card(readme)
    except CardError:
        return set()
    return column_names(metadata)


def served_kind_of(*, repo: HubRepo, readme: str, declared: set[str]) -> str:
    """The kind of the challenge a repository serves (hub.checks.served_challenge), from its
    type, name, card columns and whether a team declares it (`declared`: lower-case ids)."""
    columns = columns_of(readme=readme) if repo.repo_type == RepoType.DATASET else set()
    return served_challenge(
        repo_type=repo.repo_type,
        name=repo.name,
        columns=columns,
        declared=repo.repo_id.lower() in declared,
    )


def served_challenges(*, edition: Edition) -> dict[str, Challenge]:
    """Kind -> the edition's challenge of that kind, for the kinds repositories serve."""
    challenges = Challenge.objects.filter(edition=edition, kind__in=SERVED_KINDS).order_by("pk")
    found: dict[str, Challenge] = {}
    for challenge in challenges:
        found.setdefault(challenge.kind, challenge)
    return found


def needs_commit_history(
    *,
    repo: HubRepo,
    readme: str,
    declared: set[str],
    closes: dict[str, dt.datetime | None],
) -> bool:
    """A repository's commit history is read only where it matters: its team link depends on
    its authors (neither declared by a team nor confirmed by an organizer), or it changed
    after the close of the challenge it serves (`closes`: kind -> the close for everyone;
    a team's extension only moves it later). Otherwise its newest commit, from the listing,
    is the commit it was at when the deadline passed."""
    if repo.repo_id.lower() not in declared and repo.link_status != LinkStatus.CONFIRMED:
        return True
    close = closes.get(served_kind_of(repo=repo, readme=readme, declared=declared))
    return close is not None and repo.last_modified is not None and repo.last_modified > close


def commits_for_deadline(*, repo: HubRepo) -> list[dict]:
    """The commits to judge against a deadline, newest first: the history when it was read,
    else the newest commit alone (its sha and date from the listing)."""
    if repo.commits:
        return repo.commits
    if not repo.sha or repo.last_modified is None:
        return []
    date = repo.last_modified.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return [{"id": repo.sha, "title": "", "authors": [], "date": date}]


@dataclass(frozen=True)
class LateCommit:
    repo: HubRepo
    challenge: Challenge
    deadline: dt.datetime
    commit: dict  # {"id", "title", "authors", "date"}

    @property
    def committed_at(self) -> dt.datetime:
        return parse_commit_date(self.commit["date"])


def list_late_commits(
    *,
    edition: Edition,
    challenge_kind: str = "",
    team_id: int | None = None,
    repo_type: str = "",
) -> list[LateCommit]:
    """Every commit of the organization after the deadline of the challenge its repository
    serves, for the repository's team (extensions included), newest first; optionally only
    one challenge kind, team or repository type. A constant number of queries."""
    challenges = served_challenges(edition=edition)
    if challenge_kind:
        challenges = {k: c for k, c in challenges.items() if k == challenge_kind}
    if not challenges:
        return []
    repos = HubRepo.objects.filter(edition=edition).exclude(commits=[]).select_related("team")
    if team_id is not None:
        repos = repos.filter(team_id=team_id)
    if repo_type:
        repos = repos.filter(repo_type=repo_type)
    repos = list(repos.defer("files", "card").order_by("repo_type", "repo_id"))
    declared = set(declared_repos(edition=edition))
    closes = get_team_closes(
        challenges=challenges.values(), team_ids={repo.team_id for repo in repos}
    )
    late: list[LateCommit] = []
    for repo in repos:
        challenge = challenges.get(served_kind_of(repo=repo, readme=repo.readme, declared=declared))
        deadline = closes.get((challenge.pk, repo.team_id)) if challenge else None
        if deadline is None:
            continue
        for commit in repo.commits:
            if parse_commit_date(commit["date"]) > deadline:
                late.append(LateCommit(repo, challenge, deadline, commit))
    late.sort(key=lambda item: (item.committed_at, item.repo.repo_id), reverse=True)
    return late
