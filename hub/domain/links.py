"""Which team each repository of the organization belongs to."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from challenges.domain import record_changes
from challenges.models import ChangeRecord, Edition
from challenges.projects.models import ProjectSubmission
from hackathon.errors import RuleRefused
from hub.checks import decide_link, people_among
from hub.models import HubRepo, LinkStatus
from teams.models import Membership, Team


class LinkRefused(RuleRefused):
    pass


def declared_repos(*, edition: Edition) -> dict[str, set[int]]:
    """Repository id (lower case) -> the teams whose project declares it."""
    declared: dict[str, set[int]] = defaultdict(set)
    projects = ProjectSubmission.objects.filter(team__edition=edition).values_list(
        "team_id", "model_repos", "dataset_repos", "demo_space"
    )
    for team_id, models, datasets, space in projects:
        for repo_id in [*(models or []), *(datasets or []), space]:
            if repo_id:
                declared[repo_id.lower()].add(team_id)
    return declared


def _team_of_hub_user(*, edition: Edition, usernames: set[str]) -> dict[str, int]:
    """Hub username (lower case) -> the team its owner is in, this edition."""
    if not usernames:
        return {}
    rows = (
        Membership.objects.filter(edition=edition)
        .annotate(hub=Lower("user__profile__hub_username"))
        .filter(hub__in=usernames)
        .values_list("hub", "team_id")
    )
    return dict(rows)


def link_repositories(*, edition: Edition) -> int:
    """Link every repository of the edition to at most one team (hub.checks.decide_link):
    declared by a team's project, proposed from its commit authors, or a conflict for
    organizers; a link an organizer confirmed stays. Writes only the repositories whose link
    changed and returns how many."""
    repos = list(
        HubRepo.objects.filter(edition=edition).only(
            "pk", "repo_id", "commits", "team_id", "link_status", "link_note", "link_reason"
        )
    )
    declared = declared_repos(edition=edition)
    authors_of = {
        repo.pk: people_among(a for c in repo.commits for a in c["authors"]) for repo in repos
    }
    everyone = set().union(*authors_of.values()) if authors_of else set()
    team_of_user = _team_of_hub_user(edition=edition, usernames=everyone)
    team_names = dict(Team.objects.filter(edition=edition).values_list("pk", "name"))
    changed = []
    for repo in repos:
        decision = decide_link(
            declared_by=declared.get(repo.repo_id.lower(), set()),
            author_teams={user: team_of_user.get(user) for user in authors_of[repo.pk]},
            team_names=team_names,
            confirmed_team_id=repo.team_id,
            confirmed=repo.link_status == LinkStatus.CONFIRMED,
        )
        # An organizer's decision keeps their reason; the sync's own reasons are stored in no
        # language (the sync runs in the background, in no reader's language).
        note = repo.link_note if decision.status == LinkStatus.CONFIRMED else ""
        new = (decision.status, decision.team_id, note, decision.reason)
        if new != (repo.link_status, repo.team_id, repo.link_note, repo.link_reason):
            repo.link_status, repo.team_id, repo.link_note, repo.link_reason = new
            changed.append(repo)
    HubRepo.objects.bulk_update(
        changed, ["link_status", "team", "link_note", "link_reason"], batch_size=500
    )
    return len(changed)


def confirm_repo_link(*, repo: HubRepo, team: Team | None, by, reason: str) -> HubRepo:
    """An organizer decides which team a repository belongs to (or none), with a reason; the
    decision is recorded and stands against later declarations and commits. Clearing the
    decision (no team) lets the sync decide again."""
    if not reason.strip():
        raise LinkRefused(_("Say why: the reason is kept with the decision."))
    if team is not None and team.edition_id != repo.edition_id:
        raise LinkRefused(_("That team is not in this edition."))
    with transaction.atomic():
        repo = HubRepo.objects.select_for_update().select_related("edition").get(pk=repo.pk)
        before = {"team_id": repo.team_id, "link_status": repo.link_status}
        repo.team = team
        repo.link_status = LinkStatus.CONFIRMED if team is not None else LinkStatus.NONE
        repo.link_note = reason.strip()[:300]
        repo.link_reason = {"kind": "confirmed"} if team is not None else {}
        repo.save(update_fields=["team", "link_status", "link_note", "link_reason", "updated_at"])
        record_changes(
            edition=repo.edition,
            instance=repo,
            before=before,
            source=ChangeRecord.Source.ORGANIZER,
            changed_by=by,
            reason=reason.strip()[:500],
        )
    if team is None:
        link_repositories(edition=repo.edition)
        repo.refresh_from_db()
    return repo
