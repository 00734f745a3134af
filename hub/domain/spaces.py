"""The edition's Spaces as the last Hub sync saw them, and the prize eligibility that reads them.

Prizes need a declared demo Space that the sync found in the organization, serving its app:
the rule is the project's (``challenges.projects.domain.decide_prize_eligibility``), what the
sync saw is the Hub's. The Hub app builds on the challenge kinds, so it is the lowest layer
that can read both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models.functions import Lower

from challenges.projects.domain import PrizeEligibility, decide_prize_eligibility
from challenges.projects.models import ProjectSubmission
from hub.models import HubRepo, RepoType, SyncRun


@dataclass(frozen=True)
class SyncedSpaces:
    synced: bool  # a sync of the edition finished: it has read the organization
    stages: dict[str, str]  # the runtime stage of each Space found, by lower-case repository id

    def stage_of(self, repo_id: str) -> str | None:
        """The runtime stage of the Space ``repo_id``; None when the sync did not find it."""
        return self.stages.get(repo_id.lower())


def read_synced_spaces(*, edition_id: int, repo_ids: Iterable[str]) -> SyncedSpaces:
    """Whether a Hub sync of the edition has finished, and the runtime stage of those of
    ``repo_ids`` it found as Spaces still in the organization (repository ids on the Hub do
    not depend on case). One query, and a second when a sync finished and ids are asked."""
    synced = SyncRun.objects.filter(edition_id=edition_id, status=SyncRun.Status.DONE).exists()
    wanted = {repo_id.lower() for repo_id in repo_ids}
    stages: dict[str, str] = {}
    if synced and wanted:
        stages = {
            repo_id.lower(): stage
            for repo_id, stage in HubRepo.objects.filter(
                edition_id=edition_id, repo_type=RepoType.SPACE, missing_since__isnull=True
            )
            .annotate(lower_id=Lower("repo_id"))
            .filter(lower_id__in=wanted)
            .values_list("repo_id", "runtime_stage")
        }
    return SyncedSpaces(synced=synced, stages=stages)


def describe_prize_eligibility(
    *, edition_id: int, team_ids: list[int]
) -> dict[int, PrizeEligibility]:
    """Each team's prize eligibility, from its declarations and the last Hub sync, in three
    queries whatever the number of teams."""
    submissions = {
        submission.team_id: submission
        for submission in ProjectSubmission.objects.filter(team_id__in=team_ids).only(
            "team_id", "demo_space", "video_url"
        )
    }
    spaces = read_synced_spaces(
        edition_id=edition_id,
        repo_ids=[s.demo_space for s in submissions.values() if s.demo_space],
    )
    eligibility = {}
    for team_id in team_ids:
        submission = submissions.get(team_id) or ProjectSubmission()
        eligibility[team_id] = decide_prize_eligibility(
            demo_space=submission.demo_space,
            video_url=submission.video_url,
            organization_synced=spaces.synced,
            space_stage=spaces.stage_of(submission.demo_space),
        )
    return eligibility
