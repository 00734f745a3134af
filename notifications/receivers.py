"""Where events become notifications: the domain's signals and records, each turned into one
``notify`` (queued once the event's transaction commits) for exactly the people concerned."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse

from challenges.domain import format_moment
from challenges.domain.contributions import contributions_decided
from challenges.domain.editions import changes_recorded
from challenges.models import Challenge, ChangeRecord, Edition, WindowExtension
from notifications.domain.reminders import in_languages
from notifications.domain.segments import segment_recipients
from notifications.models import Campaign, Kind
from notifications.tasks import notify_task
from notifications.texts import titles_of
from scoring.models import Grant, JudgedOverride, JudgeReview
from teams.models import Membership, TeamEvent


def notify_on_commit(*, user_ids, kind: str, params, url: str = "") -> None:
    """Once the event's transaction commits, find the people (``user_ids`` may be a function,
    so that the event's own transaction runs no query of ours) and queue their notification."""

    def send() -> None:
        people = sorted(set(user_ids() if callable(user_ids) else user_ids))
        if people:
            notify_task.delay(people, kind, params() if callable(params) else params, url)

    transaction.on_commit(send)


def members_of(team_id: int, *, besides=()) -> list[int]:
    return list(
        Membership.objects.filter(team_id=team_id)
        .exclude(user_id__in=[pk for pk in besides if pk])
        .values_list("user_id", flat=True)
    )


@receiver(contributions_decided)
def tell_authors_of_decisions(sender, challenge: Challenge, status, reason, author_counts, **kw):
    """Each author, with how many of theirs were decided and the reason (sent after commit)."""
    for author_id, count in author_counts.items():
        notify_task.delay(
            [author_id],
            Kind.DECISION,
            {
                "challenge": titles_of(challenge),
                "status": status,
                "reason": reason,
                "count": count,
            },
            reverse("challenges:detail", args=[challenge.slug]),
        )


def _person(event: TeamEvent) -> str:
    return event.person.display_name if event.person else ""


@receiver(post_save, sender=TeamEvent)
def tell_team_of_membership(sender, instance: TeamEvent, created: bool, **kwargs):
    """A join or a departure: the team's other members (and the removed person); a new
    captain: every member but the one who handed captaincy over. Nobody hears of their own act."""
    if not created or instance.team_id is None:
        return
    Event = TeamEvent.Kind
    url = reverse("teams:mine")
    params = {"team": instance.team_name, "person": str(_person(instance))}
    if instance.kind in (Event.JOINED, Event.LEFT, Event.REMOVED):
        notify_on_commit(
            user_ids=lambda: members_of(
                instance.team_id, besides=[instance.person_id, instance.actor_id]
            ),
            kind=Kind.MEMBERSHIP,
            params={**params, "event": instance.kind},
            url=url,
        )
        if instance.kind == Event.REMOVED and instance.person_id:
            notify_on_commit(
                user_ids=[instance.person_id],
                kind=Kind.MEMBERSHIP,
                params={**params, "event": instance.kind, "you": True},
                url=reverse("teams:list"),
            )
    elif instance.kind == Event.CAPTAIN_CHANGED:
        notify_on_commit(
            user_ids=lambda: members_of(
                instance.team_id, besides=[instance.person_id, instance.actor_id]
            ),
            kind=Kind.CAPTAINCY,
            params=params,
            url=url,
        )
        if instance.person_id and instance.person_id != instance.actor_id:
            notify_on_commit(
                user_ids=[instance.person_id],
                kind=Kind.CAPTAINCY,
                params={**params, "you": True},
                url=url,
            )


@receiver(post_save, sender=WindowExtension)
def tell_of_extension(sender, instance: WindowExtension, created: bool, **kwargs):
    """A team's extension: its members; an extension for everyone: everyone in the edition."""
    if not created:
        return
    challenge = instance.challenge

    def concerned():
        if instance.team_id:
            return members_of(instance.team_id)
        return segment_recipients(
            edition=challenge.edition, segment=Campaign.Segment.EVERYONE
        ).values_list("pk", flat=True)

    notify_on_commit(
        user_ids=concerned,
        kind=Kind.EXTENSION,
        params=lambda: {
            "challenge": titles_of(challenge),
            "closes": in_languages(
                lambda: format_moment(instance.closes_at, edition=challenge.edition)
            ),
            "reason": instance.reason,
            "team": bool(instance.team_id),
        },
        url=reverse("challenges:detail", args=[challenge.slug]),
    )


@receiver(post_save, sender=Grant)
def tell_team_of_grant(sender, instance: Grant, created: bool, **kwargs):
    """Credits or a GPU granted: the team's members."""
    if created:
        notify_on_commit(
            user_ids=lambda: members_of(instance.team_id),
            kind=Kind.GRANT,
            params=lambda: {"team": instance.team.name, "grant": instance.kind},
            url=reverse("teams:mine"),
        )


@receiver(changes_recorded)
def tell_judged_teams(sender, edition: Edition, records: list[ChangeRecord], **kwargs):
    """Judged points published: the members of every team the judges marked (or whose judged
    points organizers set), each with their team's name."""
    published = any(
        record.object_type == "challenges.edition"
        and record.field == "judged_points_published"
        and record.new_value == "True"
        for record in records
    )
    if not published:
        return
    team_ids = set(
        JudgeReview.objects.filter(challenge__edition=edition).values_list("team_id", flat=True)
    ) | set(
        JudgedOverride.objects.filter(challenge__edition=edition).values_list("team_id", flat=True)
    )
    names = dict(
        Membership.objects.filter(team_id__in=team_ids).values_list("user_id", "team__name")
    )
    by_team: dict[str, list[int]] = {}
    for user_id, name in names.items():
        by_team.setdefault(name, []).append(user_id)
    for name, user_ids in by_team.items():
        notify_on_commit(
            user_ids=user_ids,
            kind=Kind.JUDGED_POINTS,
            params={"team": name},
            url=reverse("scoring:leaderboard"),
        )
