"""What participants and the public see of scores: judged points, and any change of them, only
once organizers publish them; the organizers' reasons for an override never.

Every page a participant or a visitor can reach reads scores through here: the team's score
page and its history, the leaderboard in every format (``scoring.leaderboard``). Organizers
get the full view on their own pages, and here with ``full=True``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import F, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from challenges.models import Challenge, Edition
from scoring.models import ScoreChange, TeamScore
from scoring.rules import team_total
from teams.models import Team

# Causes whose detail may name what only organizers and judges see (an override's reason).
JUDGED_CAUSES = {ScoreChange.Cause.JUDGING, ScoreChange.Cause.OVERRIDE}
# What participants read for a judged change while the judged points are held back, should
# the same recompute also have moved the automatic part.
HELD_BACK_CAUSE = _("Points recomputed")


@dataclass(frozen=True)
class ScoreLine:
    """One challenge of a team's score as the viewer may see it."""

    challenge: Challenge
    counted: int
    automatic: Decimal
    judged: Decimal | None
    judged_shown: bool  # False: the page says "not published" instead
    points: Decimal


@dataclass(frozen=True)
class HistoryLine:
    """One recorded change of a team's points as the viewer may see it."""

    created_at: dt.datetime
    challenge: Challenge
    old_points: Decimal
    new_points: Decimal
    old_counted: int
    new_counted: int
    cause_label: Promise | str
    detail: str


@dataclass(frozen=True)
class TeamScoreView:
    lines: list[ScoreLine]
    uncapped: Decimal
    capped: Decimal
    history: Page  # of ``HistoryLine``


def visible_points(*, score: TeamScore, published: bool, full: bool = False) -> Decimal:
    """A challenge's points as the viewer may see them: with the judged part once published
    (or for organizers), else the automatic part alone. The automatic part, not the stored
    public points: it never holds a judged part, whatever a recompute read meanwhile."""
    return score.points if published or full else score.automatic_points


def visible_history(*, team: Team, published: bool, full: bool = False) -> QuerySet[ScoreChange]:
    """The team's recorded changes the viewer may see, newest first. Held back, a change that
    moved only the judged part is left out (the count and the automatic part did not move)."""
    changes = ScoreChange.objects.filter(team=team).select_related("challenge")
    if full:
        return changes
    if published:
        return changes.filter(~Q(old_points=F("new_points")) | ~Q(old_counted=F("new_counted")))
    return changes.filter(~Q(old_automatic=F("new_automatic")) | ~Q(old_counted=F("new_counted")))


def describe_change(*, change: ScoreChange, published: bool, full: bool = False) -> HistoryLine:
    """One change as the viewer may see it. Participants never read a judged change's detail
    (an override's reason): an override says "adjusted by the organizers"; while the judged
    points are held back they read the automatic part only, and no judged cause."""
    shows_judged = published or full
    cause = change.get_cause_display()
    if not full and change.cause in JUDGED_CAUSES and not published:
        cause = HELD_BACK_CAUSE
    return HistoryLine(
        created_at=change.created_at,
        challenge=change.challenge,
        old_points=change.old_points if shows_judged else change.old_automatic,
        new_points=change.new_points if shows_judged else change.new_automatic,
        old_counted=change.old_counted,
        new_counted=change.new_counted,
        cause_label=cause,
        detail=change.detail if full or change.cause not in JUDGED_CAUSES else "",
    )


def describe_team_score(
    *, team: Team, edition: Edition, full: bool, page_number: str | None
) -> TeamScoreView:
    """A team's score, explained, as the viewer may see it: per challenge the count, the
    automatic and judged parts and the points; the total; a page of the history.

    ``full`` is the organizers' view: every judged value and reason, published or not.
    Anyone else sees judged values and their changes only once the edition publishes them,
    and never an override's reason."""
    published = edition.judged_points_published
    stored = {score.challenge_id: score for score in TeamScore.objects.filter(team=team)}
    lines = []
    for challenge in edition.challenges.all():
        score = stored.get(challenge.pk)
        lines.append(
            ScoreLine(
                challenge=challenge,
                counted=score.counted if score else 0,
                automatic=score.automatic_points if score else Decimal(0),
                judged=score.judged_points if score and (published or full) else None,
                judged_shown=published or full,
                points=visible_points(score=score, published=published, full=full)
                if score
                else Decimal(0),
            )
        )
    uncapped, capped = team_total(
        points=[line.points for line in lines], cap=edition.max_total_points
    )
    history = Paginator(
        visible_history(team=team, published=published, full=full), settings.PAGE_SIZE
    ).get_page(page_number)
    history.object_list = [
        describe_change(change=change, published=published, full=full)
        for change in history.object_list
    ]
    return TeamScoreView(lines=lines, uncapped=uncapped, capped=capped, history=history)


def public_scores(*, edition: Edition) -> QuerySet:
    """Every stored score of the edition as the public sees it, for the leaderboard: (team id,
    challenge id, count, public points, updated). The public points hold the judged part only
    while it is published (the recompute writes them so, and publishing or holding back
    rewrites them at once)."""
    return TeamScore.objects.filter(challenge__edition=edition).values_list(
        "team_id", "challenge_id", "counted", "public_points", "updated_at"
    )
