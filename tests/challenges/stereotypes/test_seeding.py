import random

import pytest
from django.db.models import Count

from challenges.models import ContributionStatus
from challenges.stereotypes.models import (
    StereotypeConsent,
    StereotypePair,
    StereotypeProfile,
    StereotypeRating,
)
from challenges.stereotypes.seeding import seed_items
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_seed_items_spreads_answers_over_people_and_statuses(challenge):
    authors = UserFactory.create_batch(4)
    counted = seed_items(challenge=challenge, authors=authors, count=40, rng=random.Random(7))
    ratings = StereotypeRating.objects.filter(challenge=challenge)
    assert ratings.count() == 40
    assert counted == ratings.filter(status=ContributionStatus.VALIDATED).count() > 0
    assert set(ratings.values_list("status", flat=True)) == set(ContributionStatus.values)
    assert set(ratings.values_list("author_id", flat=True)) == {a.pk for a in authors}
    # Skips are drafts without a rating; ratings have one.
    assert not ratings.filter(skipped=True).exclude(status=ContributionStatus.DRAFT).exists()
    assert not ratings.filter(skipped=False, rating__isnull=True).exists()
    # Every answer is in a language its author reads, and times_rated matches the ratings.
    profiles = {p.user_id: p for p in StereotypeProfile.objects.filter(challenge=challenge)}
    assert set(profiles) == {a.pk for a in authors}
    for rating in ratings.select_related("pair"):
        assert rating.pair.language in profiles[rating.author_id].languages
    rated = dict(
        ratings.filter(skipped=False)
        .values("pair")
        .annotate(n=Count("pk"))
        .values_list("pair", "n")
    )
    for pair in StereotypePair.objects.filter(challenge=challenge):
        assert pair.times_rated == rated.get(pair.pk, 0)
    assert StereotypeConsent.objects.filter(challenge=challenge).count() == 4


def test_seed_items_again_adds_no_duplicate_answer(challenge):
    authors = UserFactory.create_batch(2)
    seed_items(challenge=challenge, authors=authors, count=10, rng=random.Random(1))
    pairs = StereotypePair.objects.count()
    seed_items(challenge=challenge, authors=authors, count=10, rng=random.Random(2))
    assert StereotypePair.objects.count() == pairs
    duplicated = (
        StereotypeRating.objects.values("author", "pair").annotate(n=Count("pk")).filter(n__gt=1)
    )
    assert not duplicated.exists()


def test_seed_items_with_nothing_to_do(challenge):
    assert seed_items(challenge=challenge, authors=[], count=10, rng=random.Random(1)) == 0
    assert (
        seed_items(
            challenge=challenge, authors=UserFactory.create_batch(1), count=0, rng=random.Random(1)
        )
        == 0
    )
    assert not StereotypeRating.objects.exists()
