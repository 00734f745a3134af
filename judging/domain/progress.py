"""Judges' progress: each judge's teams and the next one to judge, the organizers' view per
challenge and per judge, and reminding the judges who are late."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from challenges.models import Challenge, Edition
from judging.domain.marking import blind_code
from judging.models import Assignment, EditionJudge, JudgingSettings
from notifications.domain import notify
from notifications.models import Kind
from scoring.models import JudgeReview


@dataclass
class QueueItem:
    challenge: Challenge
    team_id: int
    shown_name: str
    track: str
    state: str  # "todo", "draft" or "done"


@dataclass
class JudgeQueue:
    items: list[QueueItem]

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.state == "done")

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def next_item(self) -> QueueItem | None:
        """The next team to judge: a draft first, else the first not started, in the order of
        the challenges and then of the teams' codes or names."""
        drafts = [item for item in self.items if item.state == "draft"]
        todo = [item for item in self.items if item.state == "todo"]
        return (drafts or todo or [None])[0]


def build_queue(*, judge, edition: Edition) -> JudgeQueue:
    """A judge's assigned teams in every challenge of the edition, with what they did of each
    (three queries whatever the number of teams)."""
    assignments = list(
        Assignment.objects.filter(judge=judge, challenge__edition=edition)
        .select_related("challenge", "team")
        .only(
            "challenge__slug", "challenge__title_es", "challenge__title_pt", "challenge__title_en",
            "challenge__position", "challenge__opens_at", "challenge__edition_id",
            "team__name", "team__track",
        )
    )  # fmt: skip
    blind = set(
        JudgingSettings.objects.filter(challenge__edition=edition, blind=True).values_list(
            "challenge_id", flat=True
        )
    )
    reviews = {
        (challenge_id, team_id): submitted is not None
        for challenge_id, team_id, submitted in JudgeReview.objects.filter(
            judge=judge, challenge__edition=edition
        ).values_list("challenge_id", "team_id", "submitted_at")
    }
    items = []
    for assignment in assignments:
        challenge = assignment.challenge
        challenge.edition = edition
        key = (challenge.pk, assignment.team_id)
        state = "todo" if key not in reviews else ("done" if reviews[key] else "draft")
        is_blind = challenge.pk in blind
        items.append(
            QueueItem(
                challenge=challenge,
                team_id=assignment.team_id,
                shown_name=blind_code(challenge=challenge, team_id=assignment.team_id)
                if is_blind
                else assignment.team.name,
                track="" if is_blind else assignment.team.track,
                state=state,
            )
        )
    items.sort(
        key=lambda i: (i.challenge.position, i.challenge.opens_at, i.challenge.pk, i.shown_name)
    )
    return JudgeQueue(items=items)


@dataclass
class JudgeProgress:
    user_id: int
    name: str
    email: str
    capacity: int
    assigned: int = 0
    done: int = 0
    by_challenge: dict[int, tuple[int, int]] = field(default_factory=dict)

    @property
    def late(self) -> bool:
        return self.done < self.assigned


@dataclass
class ChallengeProgress:
    challenge: Challenge
    assigned: int
    done: int
    teams_without_judges: int


def describe_progress(*, edition: Edition) -> tuple[list[ChallengeProgress], list[JudgeProgress]]:
    """Per judged challenge and per judge: assigned and submitted (a constant number of
    queries, whatever the number of judges and teams)."""
    challenges = list(edition.challenges.judged())
    judges = {
        seat.user_id: JudgeProgress(
            user_id=seat.user_id,
            name=seat.user.display_name,
            email=seat.user.email,
            capacity=seat.capacity,
        )
        for seat in EditionJudge.objects.filter(edition=edition)
        .select_related("user__profile")
        .order_by("user__email")
    }
    submitted = set(
        JudgeReview.objects.filter(
            challenge__edition=edition, submitted_at__isnull=False
        ).values_list("challenge_id", "team_id", "judge_id")
    )
    per_challenge: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    teams_served: dict[int, set[int]] = defaultdict(set)
    for challenge_id, team_id, judge_id in Assignment.objects.filter(
        challenge__edition=edition
    ).values_list("challenge_id", "team_id", "judge_id"):
        done = (challenge_id, team_id, judge_id) in submitted
        per_challenge[challenge_id][0] += 1
        per_challenge[challenge_id][1] += done
        teams_served[challenge_id].add(team_id)
        progress = judges.get(judge_id)
        if progress is not None:
            progress.assigned += 1
            progress.done += done
            assigned, finished = progress.by_challenge.get(challenge_id, (0, 0))
            progress.by_challenge[challenge_id] = (assigned + 1, finished + done)
    team_count = edition.teams.count()
    rows = [
        ChallengeProgress(
            challenge=challenge,
            assigned=per_challenge[challenge.pk][0],
            done=per_challenge[challenge.pk][1],
            teams_without_judges=max(0, team_count - len(teams_served[challenge.pk])),
        )
        for challenge in challenges
    ]
    return rows, list(judges.values())


def send_judge_reminder(*, edition: Edition, judge, remaining: int, link: str) -> None:
    """Remind a judge of the teams they have not marked yet, through the notifications: one in
    the site and an email of its kind, which organizers may hold in the outbox for review."""
    notify(
        user_ids=[judge.pk],
        kind=Kind.JUDGING_REMINDER,
        params={"count": remaining, "edition": edition.name},
        url=link,
    )


def remind_late_judges(
    *, edition: Edition, link: str, only: list[int] | None = None,
    send: Callable[..., None] = send_judge_reminder,
) -> int:  # fmt: skip
    """Remind every judge with teams still to mark (or only the ones given). Returns how many
    were reminded."""
    _rows, judges = describe_progress(edition=edition)
    late = [judge for judge in judges if judge.late and (only is None or judge.user_id in only)]
    users = get_user_model().objects.in_bulk([judge.user_id for judge in late])
    for progress in late:
        send(
            edition=edition,
            judge=users[progress.user_id],
            remaining=progress.assigned - progress.done,
            link=link,
        )
    return len(late)
