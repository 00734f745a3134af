"""Rules about a team's project submission."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from huggingface_hub import SpaceStage
from huggingface_hub.utils import HFValidationError, validate_repo_id

from accounts.roles import is_judge, is_organizer
from challenges.domain import ContributionRefused, format_moment, get_window_for_team
from challenges.models import Challenge
from challenges.projects.models import PAPER_MAX_BYTES, VIDEO_MAX_SECONDS, ProjectSubmission
from teams.models import Membership, Team

# Which challenge's window governs each part of the submission.
PART_CHALLENGE = {
    "track": Challenge.Kind.ALIGNMENT,
    "model_repos": Challenge.Kind.ALIGNMENT,
    "dataset_repos": Challenge.Kind.ALIGNMENT,
    "demo_space": Challenge.Kind.DEMO,
    "video_url": Challenge.Kind.VIDEO,
    "video_seconds": Challenge.Kind.VIDEO,
    "paper_url": Challenge.Kind.PAPER,
    "paper_file": Challenge.Kind.PAPER,
}


def parse_duration(text: str) -> int:
    """Seconds from "m:ss" (or plain seconds); the rules allow 5:00 at most, strictly."""
    text = (text or "").strip()
    try:
        if ":" in text:
            minutes, seconds = text.split(":", 1)
            total = int(minutes) * 60 + int(seconds)
            if not 0 <= int(seconds) < 60:
                raise ValueError
        else:
            total = int(text)
    except ValueError as error:
        raise ContributionRefused(
            _("Give the video's length as minutes:seconds, e.g. 4:45.")
        ) from error
    if total <= 0:
        raise ContributionRefused(_("Give the video's length as minutes:seconds, e.g. 4:45."))
    if total > VIDEO_MAX_SECONDS:
        raise ContributionRefused(_("The video lasts 5:00 at most; this one is longer."))
    return total


def check_repo_id(*, repo_id: str, organization: str) -> str:
    """A repository of the edition's Hugging Face organization, written "organization/name"."""
    repo_id = (
        repo_id.strip()
        .removeprefix("https://huggingface.co/")
        .removeprefix("spaces/")
        .removeprefix("datasets/")
    )
    try:
        validate_repo_id(repo_id)
    except HFValidationError as error:
        raise ContributionRefused(
            _("“%(repo)s” is not a Hugging Face repository id.") % {"repo": repo_id}
        ) from error
    owner, _slash, _name = repo_id.partition("/")
    if owner.lower() != organization.lower():
        raise ContributionRefused(
            _("“%(repo)s” must be in the organization %(org)s.")
            % {"repo": repo_id, "org": organization}
        )
    return repo_id


def check_paper(upload) -> None:
    if upload.size > PAPER_MAX_BYTES:
        raise ContributionRefused(_("The paper is larger than 20 MB."))
    start = upload.read(5)
    upload.seek(0)
    if start != b"%PDF-":
        raise ContributionRefused(_("The paper must be a PDF file."))


def can_read_paper(*, user, team: Team) -> bool:
    """A team's paper is read by its members, the judges and the organizers, nobody else (it
    may be unpublished work): never a public media URL."""
    if not user.is_authenticated:
        return False
    if is_organizer(user) or is_judge(user):
        return True
    return Membership.objects.filter(team=team, user=user).exists()


def save_project(
    *, team: Team, by, values: dict[str, Any], now: dt.datetime | None = None
) -> ProjectSubmission:
    """A member declares the team's project. Each part can change only while its challenge's
    window is open for the team (alignment: track and repos; demo; video; paper); repos must be
    in the edition's organization; the video lasts 5:00 at most; the paper is a link or a PDF
    of 20 MB at most."""
    edition = team.edition
    if not Membership.objects.filter(team=team, user=by).exists():
        raise ContributionRefused(_("Only the team's members can edit its project."))
    cleaned = dict(values)
    organization = edition.hub_organization
    cleaned["model_repos"] = [
        check_repo_id(repo_id=r, organization=organization) for r in values.get("model_repos", [])
    ]
    cleaned["dataset_repos"] = [
        check_repo_id(repo_id=r, organization=organization) for r in values.get("dataset_repos", [])
    ]
    if values.get("demo_space"):
        cleaned["demo_space"] = check_repo_id(
            repo_id=values["demo_space"], organization=organization
        )
    if values.get("video_url") and not values.get("video_seconds"):
        raise ContributionRefused(_("Give the video's length."))
    if values.get("paper_file"):
        check_paper(values["paper_file"])
    windows = {challenge.kind: challenge for challenge in edition.challenges.all()}
    with transaction.atomic():
        team = Team.objects.select_for_update().get(pk=team.pk)
        submission, _created = ProjectSubmission.objects.select_for_update().get_or_create(
            team=team
        )
        for part, value in cleaned.items():
            current = team.track if part == "track" else getattr(submission, part)
            if part == "paper_file" and not value:
                continue
            if value == current:
                continue
            challenge = windows.get(PART_CHALLENGE[part])
            if challenge is not None:
                window = get_window_for_team(challenge=challenge, team_id=team.pk, now=now)
                if not window.is_open:
                    moment = window.opens_at if window.state == "upcoming" else window.closes_at
                    raise ContributionRefused(
                        _("“%(challenge)s” is not open (%(when)s): this part can no longer change.")
                        % {
                            "challenge": challenge.title,
                            "when": format_moment(moment, edition=edition),
                        }
                    )
            if part == "track":
                team.track = value
            else:
                setattr(submission, part, value)
        team.save(update_fields=["track"])
        submission.updated_by = by
        submission.save()
    return submission


# Stages of a Space that is not serving its app: failing, stopped or paused by its owner. Any
# other stage counts (building, starting, running; a sleeping Space wakes on the first visit).
SPACE_STAGES_DOWN = frozenset(
    stage.value
    for stage in (
        SpaceStage.NO_APP_FILE,
        SpaceStage.CONFIG_ERROR,
        SpaceStage.BUILD_ERROR,
        SpaceStage.RUNTIME_ERROR,
        SpaceStage.STOPPED,
        SpaceStage.PAUSED,
        SpaceStage.DELETING,
    )
)


@dataclass(frozen=True)
class PrizeEligibility:
    missing: list[str]

    @property
    def eligible(self) -> bool:
        return not self.missing


def decide_prize_eligibility(
    *, demo_space: str, video_url: str, organization_synced: bool, space_stage: str | None
) -> PrizeEligibility:
    """Prizes need both a demo and a video. Once the Hub sync has read the organization, the
    declared demo must also be one of its Spaces (``space_stage`` is None when the sync did not
    find it) and not failing, stopped or paused. Before any sync, the declaration is enough."""
    missing = []
    if not demo_space:
        missing.append(_("No demo Space is declared."))
    elif organization_synced and space_stage is None:
        missing.append(
            _("The demo Space “%(repo)s” was not found in the organization at the last Hub sync.")
            % {"repo": demo_space}
        )
    elif organization_synced and space_stage in SPACE_STAGES_DOWN:
        missing.append(
            _("The demo Space “%(repo)s” is not running (%(stage)s).")
            % {"repo": demo_space, "stage": space_stage}
        )
    if not video_url:
        missing.append(_("No video is declared."))
    return PrizeEligibility(missing=missing)


def describe_prize_eligibility(
    *, edition_id: int, team_ids: list[int]
) -> dict[int, PrizeEligibility]:
    """Each team's prize eligibility, from its declarations and the last Hub sync, in three
    queries whatever the number of teams."""
    from hub.models import HubRepo, RepoType, SyncRun

    submissions = {
        submission.team_id: submission
        for submission in ProjectSubmission.objects.filter(team_id__in=team_ids).only(
            "team_id", "demo_space", "video_url"
        )
    }
    synced = SyncRun.objects.filter(edition_id=edition_id, status=SyncRun.Status.DONE).exists()
    stages: dict[str, str] = {}
    declared = {s.demo_space.lower() for s in submissions.values() if s.demo_space}
    if synced and declared:
        # Repository ids on the Hub do not depend on case.
        stages = {
            repo_id.lower(): stage
            for repo_id, stage in HubRepo.objects.filter(
                edition_id=edition_id, repo_type=RepoType.SPACE, missing_since__isnull=True
            )
            .annotate(lower_id=Lower("repo_id"))
            .filter(lower_id__in=declared)
            .values_list("repo_id", "runtime_stage")
        }
    eligibility = {}
    for team_id in team_ids:
        submission = submissions.get(team_id) or ProjectSubmission()
        eligibility[team_id] = decide_prize_eligibility(
            demo_space=submission.demo_space,
            video_url=submission.video_url,
            organization_synced=synced,
            space_stage=stages.get(submission.demo_space.lower()),
        )
    return eligibility


@dataclass(frozen=True)
class Completeness:
    items: list[tuple[str, bool]]
    prize: PrizeEligibility


def describe_completeness(
    *, team: Team, submission: ProjectSubmission | None, prize: PrizeEligibility | None = None
) -> Completeness:
    """What the project has and lacks, and what still stands between the team and prizes
    (``prize`` when the caller already has it: the team page reads it with the gates)."""
    has = submission or ProjectSubmission(team=team)
    items = [
        (gettext_lazy("Track A or B chosen"), bool(team.track)),
        (gettext_lazy("Model repository"), bool(has.model_repos)),
        (gettext_lazy("Dataset repository"), bool(has.dataset_repos)),
        (gettext_lazy("Demo Space"), bool(has.demo_space)),
        (gettext_lazy("Video (5:00 at most)"), bool(has.video_url)),
        (gettext_lazy("Paper (optional)"), bool(has.paper_url or has.paper_file)),
    ]
    if prize is None:
        prize = describe_prize_eligibility(edition_id=team.edition_id, team_ids=[team.pk])[team.pk]
    return Completeness(items=items, prize=prize)
