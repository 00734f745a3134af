"""Demo data: answers in every status, consistent with the rules they would have gone through."""

import random

import pytest
from django.db.models import Count, F

from accounts.models import Profile
from challenges.blend.models import (
    PEER_VALIDATION_REASON,
    BlendAnswer,
    BlendQuestion,
    BlendSkip,
    BlendValidation,
)
from challenges.blend.seeding import seed_items
from challenges.models import ContributionStatus, ReviewDecision
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def authors(db):
    people = [UserFactory() for _ in range(12)]
    for index, person in enumerate(people):
        Profile.objects.filter(user=person).update(country=["PE", "CL", "PT"][index % 3])
    return people


def test_seed_items_creates_consistent_answers_in_every_status(challenge, authors):
    created = seed_items(challenge=challenge, authors=authors, count=400, rng=random.Random(7))
    assert created == 400 == BlendAnswer.objects.filter(challenge=challenge).count()
    statuses = set(BlendAnswer.objects.values_list("status", flat=True))
    assert statuses == set(ContributionStatus.values)
    countries = dict(Profile.objects.values_list("user_id", "country"))
    for author_id, country, question_country in BlendAnswer.objects.values_list(
        "author_id", "country", "question__country"
    ):
        assert country == question_country == countries[author_id]
    assert (
        BlendQuestion.objects.filter(challenge=challenge, language="pt")
        .values("country")
        .distinct()
        .count()
        == 1
    )
    # Every peer decision has its validations, from other people of the same country.
    for answer in BlendAnswer.objects.filter(decision_reason=PEER_VALIDATION_REASON).annotate(
        n=Count("validations")
    ):
        assert answer.n == answer.approvals + answer.rejections >= 1
    assert not BlendValidation.objects.filter(answer__author=F("validator")).exists()
    assert (
        not BlendAnswer.objects.exclude(status="draft")
        .filter(answer_1="", no_answer_reason="")
        .exists()
    )
    decided = BlendAnswer.objects.filter(status__in=["validated", "rejected"]).count()
    assert ReviewDecision.objects.filter(status__in=["validated", "rejected"]).count() >= decided
    assert BlendSkip.objects.exists()
    assert not BlendSkip.objects.filter(question__answers__author=F("user")).exists()


def test_seeding_again_adds_more_without_breaking_a_rule(challenge, authors):
    seed_items(challenge=challenge, authors=authors, count=50, rng=random.Random(1))
    again = seed_items(challenge=challenge, authors=authors, count=50, rng=random.Random(2))
    assert 0 < again <= 50 and BlendAnswer.objects.count() == 50 + again


def test_nothing_to_seed(challenge, authors):
    assert seed_items(challenge=challenge, authors=authors, count=0, rng=random.Random(1)) == 0
    assert seed_items(challenge=challenge, authors=[], count=10, rng=random.Random(1)) == 0
    assert not BlendAnswer.objects.exists()
