"""Gates: what a team needs to unlock API credits and a GPU, and per-person incentives.

What each requirement counts comes from the challenge kinds (``Intake.gates``); the thresholds
are edition data (``edition.gates["credits"]``): in 2025 validated prompts, validated BLEND
answers, the prompt-guide quiz passed by every member who submitted prompts, and the team's
registration. Incentives are the challenges' data (``scoring.incentives``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Profile
from challenges.intake import REGISTRY, CountGate, Intake
from challenges.models import Challenge, ContributionStatus, Edition
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

    @property
    def open(self) -> bool:
        return all(check.done for check in self.checks)

    @property
    def missing(self) -> list[GateCheck]:
        return [check for check in self.checks if not check.done]


def _gate_challenges(*, edition: Edition) -> list[tuple[Intake, Challenge | None]]:
    """Every registered kind with gate requirements and the edition's challenge of that kind
    (None when it has none), in the edition's order of challenges."""
    challenges = {}
    for challenge in edition.challenges.order_by("position", "pk"):
        challenges.setdefault(challenge.kind, challenge)
    kinds = [kind for kind in challenges if kind in REGISTRY]
    kinds += [kind for kind in REGISTRY if kind not in challenges]
    return [(REGISTRY[kind], challenges.get(kind)) for kind in kinds if REGISTRY[kind].gates]


def _requirement_checks(
    *, edition: Edition, team_ids: list[int], counted: dict[int, dict[str, int]]
) -> dict[int, list[GateCheck]]:
    """Per team, the checks of the requirements the challenge kinds declare (``Intake.gates``):
    counted contributions against the edition's thresholds, and what every member must meet."""
    config = edition.gates.get("credits", {})
    checks: dict[int, list[GateCheck]] = defaultdict(list)
    for intake, challenge in _gate_challenges(edition=edition):
        for requirement in intake.gates:
            if isinstance(requirement, CountGate):
                needed = int(config.get(requirement.setting, requirement.default))
                for team_id in team_ids:
                    count = counted[team_id].get(intake.kind, 0)
                    checks[team_id].append(
                        GateCheck(
                            requirement.key,
                            requirement.label,
                            count >= needed,
                            f"{count} / {needed}",
                        )
                    )
                continue
            short = requirement.shortfall(challenge, team_ids) if challenge else {}
            for team_id in team_ids:
                missing = short.get(team_id, 0)
                checks[team_id].append(
                    GateCheck(
                        requirement.key,
                        requirement.label,
                        missing == 0,
                        requirement.describe(missing) if missing else "",
                    )
                )
    return checks


def credits_gates(*, edition: Edition, teams: list[Team]) -> list[GateState]:
    """The credits gate of each team, in a constant number of queries: what each challenge
    kind requires (validated prompts, validated BLEND answers, the prompt-guide quiz...) and
    the team's registration."""
    team_ids = [team.pk for team in teams]
    counted = defaultdict(dict)
    for team_id, kind, count in TeamScore.objects.filter(team_id__in=team_ids).values_list(
        "team_id", "challenge__kind", "counted"
    ):
        counted[team_id][kind] = count
    requirements = _requirement_checks(edition=edition, team_ids=team_ids, counted=counted)
    grants = defaultdict(set)
    for team_id, kind in Grant.objects.filter(team_id__in=team_ids).values_list("team_id", "kind"):
        grants[team_id].add(kind)
    return [
        GateState(
            team=team,
            checks=[
                *requirements[team.pk],
                GateCheck(
                    "registered", _("The team is registered"), team.registered_at is not None
                ),
            ],
            granted=grants[team.pk],
        )
        for team in teams
    ]


def grant(*, team: Team, kind: str, by, reason: str = "") -> Grant:
    """Organizers mark credits or the GPU as granted to a team (once each), with the
    ``reason`` they give kept beside it."""
    grant_row, _created = Grant.objects.get_or_create(
        team=team, kind=kind, defaults={"granted_by": by, "reason": reason.strip()[:500]}
    )
    return grant_row


@dataclass(frozen=True)
class Incentive:
    """One person's personal incentives: per challenge with incentives, the counted
    contributions, the vouchers earned and whether they reached co-authorship."""

    author_id: int
    display_name: str
    hub_username: str
    # "<challenge slug>_<counted column>", "<slug>_vouchers", "<slug>_coauthor" → value.
    values: dict[str, int | bool]


def incentive_fields(*, edition: Edition) -> list[str]:
    """The columns of the incentives export: the person, then each challenge's incentives."""
    fields = ["author_id", "display_name", "hub_username"]
    for challenge, intake in _incentive_challenges(edition=edition):
        incentives = challenge.scoring["incentives"]
        fields.append(f"{challenge.slug}_{intake.counted_column}")
        if "voucher_every" in incentives:
            fields.append(f"{challenge.slug}_vouchers")
        if "coauthorship_at" in incentives:
            fields.append(f"{challenge.slug}_coauthor")
    return fields


def _incentive_challenges(*, edition: Edition) -> list[tuple[Challenge, Intake]]:
    return [
        (challenge, REGISTRY[challenge.kind])
        for challenge in edition.challenges.order_by("position", "pk")
        if challenge.kind in REGISTRY and "incentives" in (challenge.scoring or {})
    ]


def personal_incentives(*, edition: Edition) -> list[Incentive]:
    """Per person, for each challenge whose scoring parameters hold incentives: a voucher for
    each full ``voucher_every`` validated contributions, co-authorship at ``coauthorship_at``
    (in 2025: INCLUDE vouchers every 100 accepted questions and co-authorship at 300, BLEND
    co-authorship at 100 validated answers)."""
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    challenges = _incentive_challenges(edition=edition)
    for challenge, intake in challenges:
        for author_id, total in (
            intake.model.objects.filter(challenge=challenge, status=ContributionStatus.VALIDATED)
            .values_list("author_id")
            .annotate(total=Count("pk"))
            .order_by()
        ):
            counts[author_id][challenge.pk] = total
    profiles = {p.user_id: p for p in Profile.objects.filter(user_id__in=list(counts))}
    rows = []
    for author_id, by_challenge in sorted(counts.items()):
        profile = profiles.get(author_id)
        values: dict[str, int | bool] = {}
        for challenge, intake in challenges:
            incentives = challenge.scoring["incentives"]
            count = by_challenge.get(challenge.pk, 0)
            values[f"{challenge.slug}_{intake.counted_column}"] = count
            if "voucher_every" in incentives:
                every = int(incentives["voucher_every"])
                values[f"{challenge.slug}_vouchers"] = count // every if every else 0
            if "coauthorship_at" in incentives:
                values[f"{challenge.slug}_coauthor"] = count >= int(incentives["coauthorship_at"])
        rows.append(
            Incentive(
                author_id=author_id,
                display_name=profile.display_name if profile else "",
                hub_username=profile.hub_username if profile else "",
                values=values,
            )
        )
    return rows
