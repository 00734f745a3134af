"""Periodic reminders (Celery beat): a team's project incomplete 3 days before the part's
deadline, and a window closing within 24 hours for someone with drafts not sent for review.
Each is said once per person and deadline (``dedupe_key``): running them again tells nobody
twice, and a later extension (a new deadline) reminds again."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from challenges.domain import format_moment, get_team_closes
from challenges.intake import get_intake
from challenges.models import Challenge, ContributionStatus
from challenges.projects.models import ProjectSubmission
from notifications.domain.notify import notify
from notifications.models import Kind
from notifications.texts import CONTENT_LANGUAGES, titles_of
from teams.models import Membership, Team

PROJECT_REMINDER = dt.timedelta(days=3)
CLOSING_REMINDER = dt.timedelta(hours=24)

# The required parts of a project, by the challenge whose window governs them (the paper is
# optional: never reminded).
REQUIRED_PARTS: dict[str, list[tuple[str, object]]] = {
    Challenge.Kind.ALIGNMENT: [
        ("track", gettext_lazy("Track A or B chosen")),
        ("model_repos", gettext_lazy("Model repository")),
        ("dataset_repos", gettext_lazy("Dataset repository")),
    ],
    Challenge.Kind.DEMO: [("demo_space", gettext_lazy("Demo Space"))],
    Challenge.Kind.VIDEO: [("video_url", gettext_lazy("Video (5:00 at most)"))],
}


def in_languages(render: Callable[[], object]) -> dict[str, str]:
    """A text in each of the site's languages, to store and show in the reader's."""
    texts = {}
    for code in CONTENT_LANGUAGES:
        with translation.override(code):
            texts[code] = str(render())
    return texts


def _closing_soon(*, kinds, now: dt.datetime, horizon: dt.datetime) -> list[Challenge]:
    return list(
        Challenge.objects.filter(kind__in=kinds)
        .filter(
            Q(closes_at__gt=now, closes_at__lte=horizon)
            | Q(extensions__closes_at__gt=now, extensions__closes_at__lte=horizon)
        )
        .select_related("edition")
        .distinct()
    )


def remind_incomplete_projects(*, now: dt.datetime | None = None) -> int:
    """Members of a team whose project lacks a required part are told 3 days (or less) before
    that part's window closes for the team. Returns how many people were told."""
    now = now or timezone.now()
    told = 0
    for challenge in _closing_soon(
        kinds=list(REQUIRED_PARTS), now=now, horizon=now + PROJECT_REMINDER
    ):
        teams = list(Team.objects.filter(edition_id=challenge.edition_id))
        closes = get_team_closes(challenges=[challenge], team_ids=[team.pk for team in teams])
        submissions = {row.team_id: row for row in ProjectSubmission.objects.filter(team__in=teams)}
        members = defaultdict(list)
        for team_id, user_id in Membership.objects.filter(team__in=teams).values_list(
            "team_id", "user_id"
        ):
            members[team_id].append(user_id)
        for team in teams:
            close = closes[(challenge.pk, team.pk)]
            if close is None or not now < close <= now + PROJECT_REMINDER:
                continue
            submission = submissions.get(team.pk) or ProjectSubmission(team=team)
            missing = [
                in_languages(lambda label=label: label)
                for part, label in REQUIRED_PARTS[challenge.kind]
                if not (team.track if part == "track" else getattr(submission, part))
            ]
            if not missing:
                continue
            told += len(
                notify(
                    user_ids=members[team.pk],
                    kind=Kind.PROJECT_INCOMPLETE,
                    params={
                        "challenge": titles_of(challenge),
                        "closes": in_languages(
                            lambda close=close, edition=challenge.edition: format_moment(
                                close, edition=edition
                            )
                        ),
                        "missing": missing,
                    },
                    url=reverse("projects:project"),
                    dedupe_key=f"project:{challenge.pk}:{team.pk}:{close.isoformat()}",
                    now=now,
                )
            )
    return told


def remind_closing_windows(*, now: dt.datetime | None = None) -> int:
    """People with drafts in a challenge are told when its window closes for them (their
    team's extension counted) within 24 hours. Returns how many people were told."""
    now = now or timezone.now()
    told = 0
    kinds = [kind for kind in Challenge.Kind.values if get_intake(kind) is not None]
    for challenge in _closing_soon(kinds=kinds, now=now, horizon=now + CLOSING_REMINDER):
        intake = get_intake(challenge.kind)
        drafts = dict(
            intake.model.objects.filter(challenge=challenge, status=ContributionStatus.DRAFT)
            .values("author_id")
            .annotate(total=Count("pk"))
            .values_list("author_id", "total")
            .order_by()
        )
        if not drafts:
            continue
        team_of = dict(
            Membership.objects.filter(
                edition_id=challenge.edition_id, user_id__in=list(drafts)
            ).values_list("user_id", "team_id")
        )
        closes = get_team_closes(challenges=[challenge], team_ids={*team_of.values(), None})
        for author_id, count in drafts.items():
            close = closes[(challenge.pk, team_of.get(author_id))]
            if close is None or not now < close <= now + CLOSING_REMINDER:
                continue
            url = (
                reverse(intake.participate_url, args=[challenge.slug])
                if intake.participate_url
                else reverse("challenges:detail", args=[challenge.slug])
            )
            told += len(
                notify(
                    user_ids=[author_id],
                    kind=Kind.WINDOW_CLOSING,
                    params={
                        "challenge": titles_of(challenge),
                        "closes": in_languages(
                            lambda close=close, edition=challenge.edition: format_moment(
                                close, edition=edition
                            )
                        ),
                        "count": count,
                    },
                    url=url,
                    dedupe_key=f"closing:{challenge.pk}:{close.isoformat()}",
                    now=now,
                )
            )
    return told
