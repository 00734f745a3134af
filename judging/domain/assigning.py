"""Judges assigned to teams per challenge: the automatic assignment, hand edits, CSV."""

from __future__ import annotations

import csv
import io

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from challenges.models import Challenge
from hackathon.errors import RuleRefused
from judging.assignment import NO_CAPACITY, Problem, assign_judges
from judging.domain.conflicts import find_conflicts
from judging.models import Assignment, EditionJudge, JudgingSettings
from scoring.models import JudgeReview
from teams.models import Team

CSV_COLUMNS = ["challenge", "team_id", "team", "judge_email", "source"]


class AssignmentRefused(RuleRefused):
    """An assignment rule refused the action."""


def get_judging_settings(*, challenge: Challenge) -> JudgingSettings:
    """A judged challenge's settings, with the defaults until organizers change them."""
    found = JudgingSettings.objects.filter(challenge=challenge).first()
    return found or JudgingSettings(challenge=challenge)


def update_judging_settings(
    *, challenge: Challenge, per_team: int, blind: bool, same_country_conflict: bool
) -> JudgingSettings:
    with transaction.atomic():
        found, _created = JudgingSettings.objects.select_for_update().get_or_create(
            challenge=challenge
        )
        found.per_team, found.blind = per_team, blind
        found.same_country_conflict = same_country_conflict
        found.save()
    return found


def _why(reason: str) -> str:
    if reason == NO_CAPACITY:
        return _("the judges without a conflict have no capacity left")
    return _("not enough judges without a conflict of interest")


def run_assignment(
    *,
    challenge: Challenge,
    per_team: int | None = None,
    seed: int = 0,
    same_country: bool | None = None,
) -> dict:
    """Assign judges to every team of the challenge's edition (``judging.assignment``): each
    team gets ``per_team`` judges (the challenge's setting unless given), balanced within the
    judges' capacities, never with a conflict of interest (``find_conflicts``; the same
    country too when asked or set). Assignments made by hand, or whose judge already started
    marking, are kept; the other automatic ones are made again. The same data and seed give
    the same assignment. Returns the summary the command prints (teams, judges, loads,
    conflicts avoided, teams not served and why)."""
    settings = get_judging_settings(challenge=challenge)
    per_team = per_team or settings.per_team
    same_country = settings.same_country_conflict if same_country is None else same_country
    if per_team < 1:
        raise AssignmentRefused(_("Each team needs at least one judge."))
    with transaction.atomic():
        # One assignment of a challenge at a time.
        Challenge.objects.select_for_update().filter(pk=challenge.pk).first()
        capacities = dict(
            EditionJudge.objects.filter(edition_id=challenge.edition_id).values_list(
                "user_id", "capacity"
            )
        )
        teams = list(
            Team.objects.filter(edition_id=challenge.edition_id).values_list("pk", flat=True)
        )
        conflicts = find_conflicts(
            edition=challenge.edition, judge_ids=list(capacities), same_country=same_country
        )
        started = set(
            JudgeReview.objects.filter(challenge=challenge).values_list("judge_id", "team_id")
        )
        existing = list(
            Assignment.objects.filter(challenge=challenge).values_list(
                "pk", "judge_id", "team_id", "source"
            )
        )
        kept = {
            (judge, team)
            for _pk, judge, team, source in existing
            if (source == Assignment.Source.MANUAL or (judge, team) in started)
            and (judge, team) not in conflicts
            and judge in capacities
        }
        Assignment.objects.filter(
            pk__in=[pk for pk, judge, team, _s in existing if (judge, team) not in kept]
        ).delete()
        result = assign_judges(
            problem=Problem(
                teams=teams,
                capacities=capacities,
                conflicts=frozenset(conflicts),
                per_team=per_team,
                fixed=frozenset(kept),
            ),
            seed=seed,
        )
        Assignment.objects.bulk_create(
            [
                Assignment(challenge=challenge, team_id=team, judge_id=judge)
                for judge, team in sorted(result.pairs - kept)
            ],
            batch_size=1000,
        )
    summary = result.summary(teams=len(teams))
    for item in summary["teams_not_served"]:
        item["why"] = _why(item["why"])
    return {"challenge": challenge.slug, "per_team": per_team, "seed": seed, **summary}


def assign_by_hand(*, challenge: Challenge, team: Team, judge) -> Assignment:
    """An organizer gives a team to a judge: never a conflict of interest, never over the
    judge's capacity; the assignment is kept by later automatic runs."""
    if team.edition_id != challenge.edition_id:
        raise AssignmentRefused(_("This team is not in the challenge's edition."))
    with transaction.atomic():
        seat = (
            EditionJudge.objects.select_for_update()
            .filter(edition_id=challenge.edition_id, user=judge)
            .first()
        )
        if seat is None:
            raise AssignmentRefused(_("This person does not judge the edition."))
        settings = get_judging_settings(challenge=challenge)
        conflicts = find_conflicts(
            edition=challenge.edition,
            judge_ids=[judge.pk],
            same_country=settings.same_country_conflict,
        )
        if (judge.pk, team.pk) in conflicts:
            raise AssignmentRefused(
                _("This judge has a conflict of interest with this team (%(why)s).")
                % {"why": conflicts[(judge.pk, team.pk)]}
            )
        load = Assignment.objects.filter(challenge=challenge, judge=judge).count()
        assignment, created = Assignment.objects.get_or_create(
            challenge=challenge, team=team, judge=judge, defaults={"source": "manual"}
        )
        if created and load >= seat.capacity:
            raise AssignmentRefused(
                _("This judge already has %(count)s teams, their capacity.") % {"count": load}
            )
        if not created and assignment.source != Assignment.Source.MANUAL:
            assignment.source = Assignment.Source.MANUAL
            assignment.save(update_fields=["source"])
    return assignment


def unassign(*, challenge: Challenge, team: Team, judge) -> None:
    """An organizer takes a team from a judge, unless the judge already submitted marks."""
    with transaction.atomic():
        if JudgeReview.objects.filter(
            challenge=challenge, team=team, judge=judge, submitted_at__isnull=False
        ).exists():
            raise AssignmentRefused(_("This judge already submitted marks for this team."))
        Assignment.objects.filter(challenge=challenge, team=team, judge=judge).delete()


def export_assignments(*, challenge: Challenge) -> str:
    """The challenge's assignments as CSV, one row per judge and team."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for team_id, team_name, email, source in (
        Assignment.objects.filter(challenge=challenge)
        .order_by("team__name", "team_id", "judge__email")
        .values_list("team_id", "team__name", "judge__email", "source")
    ):
        writer.writerow([challenge.slug, team_id, team_name, email, source])
    return out.getvalue()


def import_assignments(*, challenge: Challenge, text: str) -> int:
    """The challenge's assignments become the file's (``export_assignments``' columns; only
    ``team_id`` and ``judge_email`` are read): every row is checked first, and a single bad
    row (unknown team or judge, a conflict of interest, over capacity) changes nothing.
    Returns how many assignments the challenge has then."""
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"team_id", "judge_email"} <= set(reader.fieldnames):
        raise AssignmentRefused(_("The file needs the columns team_id and judge_email."))
    teams = set(Team.objects.filter(edition_id=challenge.edition_id).values_list("pk", flat=True))
    seats = dict(
        EditionJudge.objects.filter(edition_id=challenge.edition_id).values_list(
            "user_id", "capacity"
        )
    )
    users = {
        email.lower(): pk
        for pk, email in get_user_model()
        .objects.filter(pk__in=list(seats))
        .values_list("pk", "email")
    }
    settings = get_judging_settings(challenge=challenge)
    conflicts = find_conflicts(
        edition=challenge.edition,
        judge_ids=list(seats),
        same_country=settings.same_country_conflict,
    )
    pairs, problems, loads = {}, [], dict.fromkeys(seats, 0)
    for line, row in enumerate(reader, start=2):
        try:
            team_id = int((row.get("team_id") or "").strip())
        except ValueError:
            team_id = None
        judge_id = users.get((row.get("judge_email") or "").strip().lower())
        if team_id not in teams:
            problems.append(_("Line %(line)s: unknown team.") % {"line": line})
        elif judge_id is None:
            problems.append(_("Line %(line)s: not a judge of the edition.") % {"line": line})
        elif (judge_id, team_id) in conflicts:
            problems.append(_("Line %(line)s: a conflict of interest.") % {"line": line})
        elif (judge_id, team_id) not in pairs:
            source = row.get("source") or Assignment.Source.MANUAL
            pairs[(judge_id, team_id)] = (
                source if source in Assignment.Source.values else Assignment.Source.MANUAL
            )
            loads[judge_id] += 1
            if loads[judge_id] == seats[judge_id] + 1:
                problems.append(_("Line %(line)s: over the judge's capacity.") % {"line": line})
    if problems:
        raise AssignmentRefused(" ".join(problems[:10]))
    with transaction.atomic():
        Challenge.objects.select_for_update().filter(pk=challenge.pk).first()
        Assignment.objects.filter(challenge=challenge).delete()
        Assignment.objects.bulk_create(
            Assignment(challenge=challenge, team_id=team, judge_id=judge, source=source)
            for (judge, team), source in sorted(pairs.items())
        )
    return len(pairs)
