"""Rules about a team's project submission."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from huggingface_hub import SpaceStage

from challenges.domain import (
    ContributionRefused,
    check_repo_id,
    format_moment,
    get_window_for_team,
)
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


def check_paper(upload) -> None:
    if upload.size > PAPER_MAX_BYTES:
        raise ContributionRefused(_("The paper is larger than 20 MB."))
    start = upload.read(5)
    upload.seek(0)
    if start != b"%PDF-":
        raise ContributionRefused(_("The paper must be a PDF file."))


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
    problems: list[str] = []

    def checked(check, **arguments):
        try:
            return check(**arguments)
        except ContributionRefused as error:
            problems.append(str(error.message))
            return None

    for part in ("model_repos", "dataset_repos"):
        cleaned[part] = [
            checked(check_repo_id, repo_id=r, organization=organization)
            for r in values.get(part, [])
        ]
    if values.get("demo_space"):
        cleaned["demo_space"] = checked(
            check_repo_id, repo_id=values["demo_space"], organization=organization
        )
    if values.get("video_url") and not values.get("video_seconds"):
        problems.append(_("Give the video's length."))
    if values.get("paper_file"):
        checked(check_paper, upload=values["paper_file"])
    if problems:
        raise ContributionRefused(" ".join(problems))
    windows = {challenge.kind: challenge for challenge in edition.challenges.all()}
    with transaction.atomic():
        team = Team.objects.select_for_update().get(pk=team.pk)
        submission, _created = ProjectSubmission.objects.select_for_update().get_or_create(
            team=team
        )
        refused_challenges = set()
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
                    if challenge.pk not in refused_challenges:
                        refused_challenges.add(challenge.pk)
                        problems.append(describe_closed_part(challenge=challenge, window=window))
                    continue
            if part == "track":
                team.track = value
            else:
                setattr(submission, part, value)
        if problems:
            # Every part that cannot change, at once; nothing is saved.
            raise ContributionRefused(" ".join(problems))
        team.save(update_fields=["track"])
        submission.updated_by = by
        submission.save()
    return submission


def describe_closed_part(*, challenge: Challenge, window) -> str:
    """Why a part of the project cannot change now: its window opens later, or has closed."""
    edition = challenge.edition
    if window.state == "upcoming":
        return _("“%(challenge)s” opens on %(when)s.") % {
            "challenge": challenge.title,
            "when": format_moment(window.opens_at, edition=edition),
        }
    return _("“%(challenge)s” closed on %(when)s: this part can no longer change.") % {
        "challenge": challenge.title,
        "when": format_moment(window.closes_at, edition=edition),
    }


def list_closed_parts(*, team: Team, now: dt.datetime | None = None) -> dict[str, str]:
    """The parts of the project form that cannot change now for the team (their challenge's
    window has not opened, or has closed), each with why, for the form to disable them."""
    closed: dict[str, str] = {}
    challenges = {c.kind: c for c in team.edition.challenges.select_related("edition")}
    reasons: dict[str, str | None] = {}
    for part, kind in PART_CHALLENGE.items():
        challenge = challenges.get(kind)
        if challenge is None:
            continue
        if kind not in reasons:
            window = get_window_for_team(challenge=challenge, team_id=team.pk, now=now)
            reasons[kind] = (
                None if window.is_open else describe_closed_part(challenge=challenge, window=window)
            )
        if reasons[kind]:
            closed[part] = reasons[kind]
    return closed


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


@dataclass(frozen=True)
class Completeness:
    items: list[tuple[str, bool]]
    prize: PrizeEligibility


def describe_completeness(
    *, team: Team, submission: ProjectSubmission | None, prize: PrizeEligibility
) -> Completeness:
    """What the project has and lacks, and what still stands between the team and prizes
    (``prize``: ``hub.domain.spaces.describe_prize_eligibility``, which reads the Hub sync)."""
    has = submission or ProjectSubmission(team=team)
    items = [
        (gettext_lazy("Track A or B chosen"), bool(team.track)),
        (gettext_lazy("Model repository"), bool(has.model_repos)),
        (gettext_lazy("Dataset repository"), bool(has.dataset_repos)),
        (gettext_lazy("Demo Space"), bool(has.demo_space)),
        (gettext_lazy("Video (5:00 at most)"), bool(has.video_url)),
        (gettext_lazy("Paper (optional)"), bool(has.paper_url or has.paper_file)),
    ]
    return Completeness(items=items, prize=prize)
