"""What a repository's page shows: its checklists and its commits against the deadline."""

from __future__ import annotations

from dataclasses import dataclass

from challenges.domain import get_window_for_team
from challenges.models import Challenge
from hub.checks import (
    CardError,
    CheckItem,
    DeadlineReport,
    check_card,
    check_dataset_name,
    check_deadline,
    column_names,
    split_card,
)
from hub.domain.deadlines import commits_for_deadline, served_kind_of
from hub.domain.links import declared_repos
from hub.models import HubRepo, RepoType


@dataclass(frozen=True)
class RepoReport:
    repo: HubRepo
    card: list[CheckItem]
    naming: list[CheckItem]
    deadline: DeadlineReport
    deadline_challenge: Challenge | None


def _team_repo_ids(repo: HubRepo) -> list[str]:
    """The team's models and datasets, which its demo Space should link to."""
    if repo.team_id is None:
        return []
    return list(
        HubRepo.objects.filter(
            team_id=repo.team_id, repo_type__in=[RepoType.MODEL, RepoType.DATASET]
        ).values_list("repo_id", flat=True)
    )


def describe_repo(*, repo: HubRepo) -> RepoReport:
    """The card checklist, the naming rules (datasets) and the deadline report of a
    repository, as of its last synced details; the deadline is the team's (extensions
    included) for the challenge the repository serves (hub.checks.served_challenge)."""
    team_repos = _team_repo_ids(repo) if repo.repo_type == RepoType.SPACE else []
    card = check_card(
        repo_type=repo.repo_type,
        readme=repo.readme,
        files=repo.files,
        runtime_stage=repo.runtime_stage,
        team_repos=team_repos,
    )
    naming = []
    if repo.repo_type == RepoType.DATASET:
        try:
            metadata, _text = split_card(repo.readme)
        except CardError:
            metadata = {}
        track = repo.team.track if repo.team_id else ""
        naming = check_dataset_name(name=repo.name, columns=column_names(metadata), track=track)
    kind = served_kind_of(
        repo=repo, readme=repo.readme, declared=set(declared_repos(edition=repo.edition))
    )
    challenge = Challenge.objects.filter(edition_id=repo.edition_id, kind=kind).first()
    deadline = None
    if challenge is not None:
        deadline = get_window_for_team(challenge=challenge, team_id=repo.team_id).closes_at
    report = check_deadline(commits=commits_for_deadline(repo=repo), deadline=deadline)
    return RepoReport(
        repo=repo, card=card, naming=naming, deadline=report, deadline_challenge=challenge
    )
