"""Conflicts of interest, read from the data: a judge's own team, the teams whose repositories
they committed to, what the judge or the organizers declared, and optionally their country."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Profile
from challenges.models import Edition
from hackathon.errors import RuleRefused
from hub.checks import people_among
from hub.models import HubRepo
from judging.models import Assignment, Conflict, EditionJudge
from teams.models import Membership, Team

OWN_TEAM = gettext_lazy("their own team")
COMMITTED = gettext_lazy("they committed to its repositories")
DECLARED = gettext_lazy("declared")
SAME_COUNTRY = gettext_lazy("the same country")


class ConflictRefused(RuleRefused):
    """A conflict of interest could not be declared."""


def find_conflicts(
    *, edition: Edition, judge_ids: list[int], same_country: bool = False
) -> dict[tuple[int, int], str]:
    """Every (judge, team) pair of the edition in conflict, with the first reason found
    (a constant number of queries, whatever the number of judges and teams)."""
    conflicts: dict[tuple[int, int], str] = {}
    judges = set(judge_ids)
    for user_id, team_id in Membership.objects.filter(
        edition=edition, user_id__in=judges
    ).values_list("user_id", "team_id"):
        conflicts[(user_id, team_id)] = OWN_TEAM
    hub_names = dict(
        Profile.objects.filter(user_id__in=judges)
        .exclude(hub_username="")
        .annotate(hub=Lower("hub_username"))
        .values_list("hub", "user_id")
    )
    if hub_names:
        for team_id, commits in (
            HubRepo.objects.filter(edition=edition, team__isnull=False)
            .exclude(commits=[])
            .values_list("team_id", "commits")
        ):
            authors = people_among(a for commit in commits for a in commit.get("authors", []))
            for author in authors & set(hub_names):
                conflicts.setdefault((hub_names[author], team_id), COMMITTED)
    for user_id, team_id in Conflict.objects.filter(
        team__edition=edition, judge_id__in=judges
    ).values_list("judge_id", "team_id"):
        conflicts.setdefault((user_id, team_id), DECLARED)
    if same_country:
        countries = dict(
            Profile.objects.filter(user_id__in=judges)
            .exclude(country="")
            .values_list("user_id", "country")
        )
        by_country: dict[str, list[int]] = defaultdict(list)
        for user_id, country in countries.items():
            by_country[str(country)].append(user_id)
        for team_id, team_countries in Team.objects.filter(edition=edition).values_list(
            "pk", "countries"
        ):
            if isinstance(team_countries, str):
                team_countries = team_countries.split(",")
            for country in team_countries or []:
                for user_id in by_country.get(str(country), []):
                    conflicts.setdefault((user_id, team_id), SAME_COUNTRY)
    return conflicts


def declare_conflict(*, edition: Edition, judge, team: Team, reason: str, by) -> Conflict:
    """A judge (for themselves) or an organizer declares a conflict of interest: the judge is
    never assigned that team again, and an assignment without submitted marks is removed."""
    if team.edition_id != edition.pk:
        raise ConflictRefused(_("This team is not in the edition."))
    if not EditionJudge.objects.filter(edition=edition, user=judge).exists():
        raise ConflictRefused(_("This person does not judge the edition."))
    with transaction.atomic():
        conflict, _created = Conflict.objects.get_or_create(
            judge=judge, team=team, defaults={"reason": reason[:300], "declared_by": by}
        )
        Assignment.objects.filter(judge=judge, team=team).delete()
    return conflict
