"""Two requests at the same moment, on two real connections (PostgreSQL)."""

import threading

import pytest
from django.db import connection
from django.utils import translation

from challenges.blend import domain
from challenges.blend.models import BlendAnswer, BlendValidation
from challenges.domain import ContributionRefused
from challenges.models import ReviewDecision
from tests.challenges.blend.factories import (
    BlendAnswerFactory,
    BlendChallengeFactory,
    BlendQuestionFactory,
)
from tests.factories import EditionFactory, UserFactory


def _race(calls) -> list[str]:
    """Run each call in its own thread (own database connection), released together."""
    barrier = threading.Barrier(len(calls))
    outcomes = [""] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):
                call()
            outcomes[index] = "done"
        except ContributionRefused as error:
            outcomes[index] = f"refused: {error}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.fixture
def blend(need_postgres):
    return BlendChallengeFactory(edition=EditionFactory())


@pytest.mark.django_db(transaction=True)
def test_two_validators_at_once_decide_an_answer_once(blend):
    answer = BlendAnswerFactory(question__challenge=blend)
    first, second = UserFactory(), UserFactory()
    outcomes = _race(
        [
            lambda: domain.validate_answer(
                challenge=blend, answer_id=answer.pk, validator=first, approve=True
            ),
            lambda: domain.validate_answer(
                challenge=blend, answer_id=answer.pk, validator=second, approve=False
            ),
        ]
    )
    assert sorted(outcome.split(":")[0] for outcome in outcomes) == ["done", "refused"]
    assert any("already decided" in outcome for outcome in outcomes)
    assert BlendValidation.objects.count() == 1 and ReviewDecision.objects.count() == 1
    answer.refresh_from_db()
    assert answer.approvals + answer.rejections == 1


@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_are_both_counted(blend):
    blend.approvals_to_validate = 2
    blend.save()
    answer = BlendAnswerFactory(question__challenge=blend)
    people = [UserFactory(), UserFactory()]
    outcomes = _race(
        [
            lambda person=person: domain.validate_answer(
                challenge=blend, answer_id=answer.pk, validator=person, approve=True
            )
            for person in people
        ]
    )
    assert outcomes == ["done", "done"]
    answer.refresh_from_db()
    assert (answer.approvals, answer.status) == (2, "validated")
    assert ReviewDecision.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_double_submit_at_once_stores_one_answer(blend):
    question = BlendQuestionFactory(challenge=blend)
    person = UserFactory()
    outcomes = _race(
        [
            lambda: domain.save_answer(
                challenge=blend,
                question_id=question.pk,
                author=person,
                answer_1="Ceviche",
                submit=True,
            )
            for _ in range(2)
        ]
    )
    assert outcomes == ["done", "done"]
    assert BlendAnswer.objects.filter(question=question, author=person).count() == 1
