"""The "next item" queries written out as SQL (challenges.domain.queues.Queue) give what the
QuerySet that says the same gives: the same rows, in the same order, with the same values
(times with their zone, JSON as Python data, choices), related rows included."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from challenges.blend.models import BlendAnswer
from challenges.domain.queues import Queue, absent
from challenges.preferences.models import ArenaVote
from challenges.stereotypes.models import StereotypePair, StereotypeRating
from tests.challenges.blend.factories import BlendAnswerFactory, BlendQuestionFactory
from tests.challenges.preferences.factories import ArenaVoteFactory, PromptFactory
from tests.challenges.stereotypes.factories import (
    PairFactory,
    RatingFactory,
    StereotypesChallengeFactory,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def values(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}


@pytest.fixture
def pool(edition):
    """Pairs of three languages and two challenges, some rated more often, one rated by
    ``person``, one by someone else."""
    challenge = StereotypesChallengeFactory(edition=edition, slug="stereotypes")
    other = StereotypesChallengeFactory(edition=edition, slug="stereotypes-2")
    person = UserFactory()
    pairs = [
        PairFactory(challenge=challenge, language=language, times_rated=times)
        for language, times in [("es", 2), ("pt", 0), ("es", 0), ("es", 1), ("en", 0), ("pt", 1)]
    ]
    PairFactory(challenge=other, language="es")
    RatingFactory(pair=pairs[2], author=person)
    RatingFactory(pair=pairs[1], author=UserFactory())
    return challenge, person, pairs


def pair_queue(challenge, person, languages):
    return Queue(
        StereotypePair,
        equals={"challenge": challenge, "language": languages},
        conditions=[
            absent(StereotypeRating, outer=StereotypePair, link=("pair", "pk"), author=person.pk)
        ],
        order_by=("times_rated", "pk"),
    )


def pair_queryset(challenge, person, languages):
    rated = StereotypeRating.objects.filter(author=person).values("pair_id")
    return (
        StereotypePair.objects.filter(challenge=challenge, language__in=languages)
        .exclude(pk__in=rated)
        .order_by("times_rated", "pk")
    )


@pytest.mark.parametrize("languages", [["es"], ["es", "pt"], ["pt", "en"], ["fr"], []])
def test_a_queue_gives_the_querysets_rows_in_its_order(pool, languages):
    challenge, person, _pairs = pool
    queue, queryset = (
        pair_queue(challenge, person, languages),
        pair_queryset(challenge, person, languages),
    )
    expected = list(queryset.values_list("pk", flat=True))
    assert queue.ids(50) == expected
    assert queue.ids(2) == expected[:2]
    first = queue.first()
    if expected:
        assert values(first) == values(queryset.first())
    else:
        assert first is None


def test_a_queue_goes_on_after_an_item_and_finds_one_of_its_own(pool):
    challenge, person, pairs = pool
    queue = pair_queue(challenge, person, ["es", "pt"])
    everything = queue.ids(50)
    assert queue.after(everything[0]).ids(50) == [pk for pk in everything if pk > everything[0]]
    assert queue.get(everything[-1]) == StereotypePair.objects.get(pk=everything[-1])
    assert queue.get(pairs[2].pk) is None  # rated by the person: not in their queue
    assert queue.get(pairs[4].pk) is None  # of another language


def test_a_queue_costs_one_query(pool):
    challenge, person, _pairs = pool
    with CaptureQueriesContext(connection) as queries:
        pair_queue(challenge, person, ["es"]).first()
    assert len(queries) == 1


def test_values_come_as_the_orm_gives_them_and_descending_orders_hold():
    prompt = PromptFactory()
    start = dt.datetime(2025, 4, 20, 12, tzinfo=dt.UTC)
    votes = [
        ArenaVoteFactory(prompt=prompt, tstamp=start, raw={"turn": 1, "tags": ["a"]}),
        ArenaVoteFactory(prompt=prompt, tstamp=start + dt.timedelta(hours=1), raw={"turn": 2}),
        ArenaVoteFactory(prompt=prompt, tstamp=start + dt.timedelta(hours=2), flag="identity"),
        ArenaVoteFactory(
            prompt=prompt,
            tstamp=start + dt.timedelta(hours=3),
            vote_type=ArenaVote.VoteType.TIE,
        ),
    ]
    queue = Queue(
        ArenaVote,
        equals={"prompt": prompt, "flag": "", "vote_type": list(ArenaVote.DECISIVE)},
        order_by=("-tstamp", "-pk"),
    )
    latest = queue.first()
    assert latest == votes[1]
    assert values(latest) == values(ArenaVote.objects.get(pk=votes[1].pk))
    assert latest.tstamp == start + dt.timedelta(hours=1) and latest.tstamp.tzinfo is not None
    assert latest.raw == {"turn": 2}
    assert latest.vote_type == ArenaVote.VoteType.LEFT
    assert queue.ids(10) == [votes[1].pk, votes[0].pk]


def test_a_related_row_comes_with_the_item_without_another_query(edition):
    question = BlendQuestionFactory(
        challenge__edition=edition, question="¿Qué postre se come en Lima?"
    )
    answer = BlendAnswerFactory(question=question)
    BlendAnswerFactory(question__challenge__edition=edition, question__challenge__slug="blend-2")
    queue = Queue(BlendAnswer, equals={"challenge": question.challenge}, related="question")
    found = queue.first()
    with CaptureQueriesContext(connection) as queries:
        assert found.question.question == "¿Qué postre se come en Lima?"
    assert len(queries) == 0
    assert values(found) == values(answer)
    assert values(found.question) == values(question)
    assert values(queue.get(answer.pk).question) == values(question)
