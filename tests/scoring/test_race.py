"""Two recomputes of one team at the same moment, on two real connections: whichever commits
last, the stored score is the one the data gives."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

from challenges.include.models import ExamQuestion
from challenges.models import ContributionStatus
from scoring import domain
from scoring.models import ScoreChange, TeamScore
from tests.challenges.include.factories import (
    ExamFactory,
    ExamQuestionFactory,
    IncludeChallengeFactory,
)
from tests.factories import EditionFactory, make_team

D = Decimal
THRESHOLDS = {
    "rule": "thresholds",
    "thresholds": [{"at": 100, "points": "0.5"}, {"at": 200, "points": "1"}],
}


def _waiting_on_a_lock() -> bool:
    """Whether another connection of this database waits for a lock (from the test's own
    connection, outside any transaction: each call sees the current activity)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def _wait_until(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the recomputes never got there"
        time.sleep(0.01)


class Recompute(threading.Thread):
    """One recompute of the team in a thread of its own (its own connection). Once it has
    read the data, it waits for ``proceed`` before it writes."""

    def __init__(self, *, edition, team):
        super().__init__()
        self.edition, self.team = edition, team
        self.read = threading.Event()
        self.proceed = threading.Event()
        self.done = threading.Event()
        self.error: BaseException | None = None

    def run(self):
        try:
            domain.recompute_scores(
                edition=self.edition, team_ids=[self.team.pk], cause=ScoreChange.Cause.RECOMPUTE
            )
        except BaseException as error:  # reported by the test, not lost in the thread
            self.error = error
        finally:
            self.done.set()
            connection.close()


def _validate(questions) -> None:
    # Committed at once (autocommit), and without the signal that would recompute.
    ExamQuestion.objects.filter(pk__in=[q.pk for q in questions]).update(
        status=ContributionStatus.VALIDATED
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("last", ["older read", "newer read"])
def test_the_score_follows_the_data_whichever_recompute_commits_last(
    need_postgres, monkeypatch, last
):
    edition = EditionFactory()
    include = IncludeChallengeFactory(edition=edition, max_points=D(1), scoring=THRESHOLDS)
    team = make_team(edition=edition)
    exam = ExamFactory(challenge=include, author=team.memberships.get().user)
    ExamQuestionFactory.create_batch(50, exam=exam, status=ContributionStatus.VALIDATED)
    pending = ExamQuestionFactory.create_batch(150, exam=exam, status=ContributionStatus.PENDING)
    domain.recompute_scores(edition=edition, cause=ScoreChange.Cause.RECOMPUTE)
    compute_scores = domain.compute_scores

    def compute_then_wait(**kwargs):
        scores = compute_scores(**kwargs)
        recompute = threading.current_thread()
        recompute.read.set()
        assert recompute.proceed.wait(timeout=10)
        return scores

    monkeypatch.setattr(domain, "compute_scores", compute_then_wait)
    older, newer = Recompute(edition=edition, team=team), Recompute(edition=edition, team=team)
    _validate(pending[:50])
    older.start()
    _wait_until(older.read.is_set)  # it read 100 validated questions
    _validate(pending[50:])
    if last == "older read":
        # Without a lock the newer recompute (200) commits, then the older one overwrites it;
        # with one, the newer waits for the older to commit before it reads.
        newer.proceed.set()
        newer.start()
        _wait_until(lambda: newer.done.is_set() or _waiting_on_a_lock())
        older.proceed.set()
    else:
        newer.start()
        _wait_until(lambda: newer.read.is_set() or _waiting_on_a_lock())
        older.proceed.set()
        _wait_until(older.done.is_set)
        newer.proceed.set()
    for recompute in (older, newer):
        recompute.join(timeout=30)
        assert recompute.error is None, recompute.error

    monkeypatch.undo()
    stored = TeamScore.objects.get(team=team, challenge=include)
    fresh = domain.compute_scores(edition=edition, team_ids=[team.pk])[(team.pk, include.pk)]
    assert (stored.counted, stored.points) == (fresh.counted, fresh.points) == (200, D(1))
