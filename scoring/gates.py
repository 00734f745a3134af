"""Gates: what a team needs to unlock API credits and a GPU, and per-person incentives.

The thresholds are edition data (``edition.gates["credits"]``): validated prompts, validated
BLEND answers, the prompt-guide quiz passed by every member who submitted prompts, and the
team's registration.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from challenges.intake import get_intake
from challenges.models import ContributionStatus, Edition
from challenges.projects.domain import PrizeEligibility, describe_prize_eligibility
from scoring.models import Grant, TeamScore
from teams.models import Team


@dataclass(frozen=True)
class GateCheck:
    key: str
    label: Promise | str
    done: bool
    detail: str = ""


@dataclass(frozen=True)
class GateState:
    team: Team
    checks: list[GateCheck]
    granted: set[str]
    prize: PrizeEligibility | None = None

    @property
    def open(self) -> bool:
        return all(check.done for check in self.checks)

    @property
    def missing(self) -> list[GateCheck]:
        return [check for check in self.checks if not check.done]


def _quiz_missing_by_team(*, edition: Edition, team_ids: list[int]) -> dict[int, int]:
    """Per team, how many members submitted prompts without having passed the quiz (two queries)."""
    prompts = get_intake("preferences")
    challenge = edition.challenges.filter(kind="preferences").first()
    if prompts is None or challenge is None:
        return {}
    from challenges.preferences.models import QuizAttempt

    passed = QuizAttempt.objects.filter(quiz__challenge=challenge, passed=True).values("user_id")
    rows = (
        prompts.model.objects.filter(challenge=challenge, author__memberships__team_id__in=team_ids)
        .exclude(author_id__in=passed)
        .values_list("author__memberships__team_id", "author_id")
        .distinct()
    )
    missing: dict[int, int] = defaultdict(int)
    for team_id, _author in rows:
        missing[team_id] += 1
    return missing


def credits_gates(*, edition: Edition, teams: list[Team]) -> list[GateState]:
    """The credits gate of each team, in a constant number of queries."""
    config = edition.gates.get("credits", {})
    need_prompts = int(config.get("validated_prompts", 100))
    need_blend = int(config.get("validated_blend_answers", 200))
    team_ids = [team.pk for team in teams]
    counted = defaultdict(dict)
    for team_id, kind, count in TeamScore.objects.filter(team_id__in=team_ids).values_list(
        "team_id", "challenge__kind", "counted"
    ):
        counted[team_id][kind] = count
    quiz_missing = _quiz_missing_by_team(edition=edition, team_ids=team_ids)
    grants = defaultdict(set)
    for team_id, kind in Grant.objects.filter(team_id__in=team_ids).values_list("team_id", "kind"):
        grants[team_id].add(kind)
    prizes = describe_prize_eligibility(edition_id=edition.pk, team_ids=team_ids)
    states = []
    for team in teams:
        prompts = counted[team.pk].get("preferences", 0)
        blend = counted[team.pk].get("blend", 0)
        missing = quiz_missing.get(team.pk, 0)
        checks = [
            GateCheck(
                "prompts",
                _("Validated prompts"),
                prompts >= need_prompts,
                f"{prompts} / {need_prompts}",
            ),
            GateCheck(
                "blend",
                _("Validated BLEND answers"),
                blend >= need_blend,
                f"{blend} / {need_blend}",
            ),
            GateCheck(
                "quiz",
                _("Every member who submitted prompts passed the quiz"),
                missing == 0,
                str(_("%(count)s members have not passed it") % {"count": missing})
                if missing
                else "",
            ),
            GateCheck("registered", _("The team is registered"), team.registered_at is not None),
        ]
        states.append(
            GateState(
                team=team,
                checks=checks,
                granted=grants[team.pk],
                prize=prizes[team.pk],
            )
        )
    return states


def grant(*, team: Team, kind: str, by) -> Grant:
    """Organizers mark credits or the GPU as granted to a team (once each)."""
    grant_row, _created = Grant.objects.get_or_create(
        team=team, kind=kind, defaults={"granted_by": by}
    )
    return grant_row


@dataclass(frozen=True)
class Incentive:
    author_id: int
    display_name: str
    hub_username: str
    include_accepted: int
    include_vouchers: int
    include_coauthor: bool
    blend_validated: int
    blend_coauthor: bool


def personal_incentives(*, edition: Edition) -> list[Incentive]:
    """Per person: an INCLUDE voucher for each full 100 accepted questions, INCLUDE co-authorship
    at 300, BLEND co-authorship at 100 validated answers (thresholds from the challenges' data)."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    settings = {}
    for challenge in edition.challenges.filter(kind__in=["include", "blend"]):
        intake = get_intake(challenge.kind)
        settings[challenge.kind] = challenge.scoring.get("incentives", {})
        for author_id, total in (
            intake.model.objects.filter(challenge=challenge, status=ContributionStatus.VALIDATED)
            .values_list("author_id")
            .annotate(total=Count("pk"))
            .order_by()
        ):
            counts[author_id][challenge.kind] = total
    from accounts.models import Profile

    profiles = {p.user_id: p for p in Profile.objects.filter(user_id__in=list(counts))}
    every = int(settings.get("include", {}).get("voucher_every", 100))
    include_at = int(settings.get("include", {}).get("coauthorship_at", 300))
    blend_at = int(settings.get("blend", {}).get("coauthorship_at", 100))
    rows = []
    for author_id, by_kind in sorted(counts.items()):
        profile = profiles.get(author_id)
        include, blend = by_kind.get("include", 0), by_kind.get("blend", 0)
        rows.append(
            Incentive(
                author_id=author_id,
                display_name=profile.display_name if profile else "",
                hub_username=profile.hub_username if profile else "",
                include_accepted=include,
                include_vouchers=include // every if every else 0,
                include_coauthor=include >= include_at,
                blend_validated=blend,
                blend_coauthor=blend >= blend_at,
            )
        )
    return rows
