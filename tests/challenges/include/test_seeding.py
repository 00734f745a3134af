import random

import pytest

from challenges.include.models import Exam, ExamQuestion
from challenges.include.seeding import seed_items
from challenges.text import fingerprint
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_seed_items_spreads_questions_over_authors_and_statuses(challenge):
    authors = UserFactory.create_batch(5)
    created = seed_items(challenge=challenge, authors=authors, count=1500, rng=random.Random(7))
    assert created == 1500 == ExamQuestion.objects.filter(challenge=challenge).count()
    statuses = set(ExamQuestion.objects.values_list("status", flat=True))
    assert statuses == {"pending", "validated", "rejected", "invalidated"}
    assert set(Exam.objects.values_list("status", flat=True)) == {
        "pending",
        "validated",
        "rejected",
    }
    assert ExamQuestion.objects.values("author").distinct().count() > 1
    question = ExamQuestion.objects.select_related("exam").first()
    assert len(question.options) == 4 and 0 <= question.answer <= 3
    # Folded by parts when seeded: the same digest as a question folded whole, in every language.
    assert all(
        stored == fingerprint(text, *options)
        for text, options, stored in ExamQuestion.objects.values_list(
            "question", "options", "fingerprint"
        )
    )
    assert ExamQuestion.objects.values("language").distinct().count() > 5
    assert (
        question.author_id == question.exam.author_id
        and question.country == question.exam.country.code
    )
    assert not ExamQuestion.objects.filter(status="rejected", decision_reason="").exists()


def test_seeding_twice_adds_new_questions(challenge):
    authors = UserFactory.create_batch(2)
    seed_items(challenge=challenge, authors=authors, count=30, rng=random.Random(1))
    assert seed_items(challenge=challenge, authors=authors, count=30, rng=random.Random(1)) == 30
    assert ExamQuestion.objects.count() == 60


def test_seeding_nothing(challenge):
    assert seed_items(challenge=challenge, authors=[], count=10, rng=random.Random(1)) == 0
    assert (
        seed_items(
            challenge=challenge, authors=UserFactory.create_batch(1), count=0, rng=random.Random(1)
        )
        == 0
    )
    assert not ExamQuestion.objects.exists()
