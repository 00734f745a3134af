"""Fixtures of the BLEND tests: the challenge, questions, and people of a given country."""

import pytest

from accounts.models import Profile
from tests.challenges.blend.factories import BlendChallengeFactory, BlendQuestionFactory
from tests.factories import UserFactory


@pytest.fixture
def challenge(edition):
    return BlendChallengeFactory(edition=edition, slug="blend")


@pytest.fixture
def question(challenge):
    return BlendQuestionFactory(challenge=challenge, country="PE")


@pytest.fixture
def make_person(db):
    """A person whose profile's country is ``country`` (empty: no country)."""

    def make(country: str = "PE"):
        user = UserFactory()
        Profile.objects.filter(user=user).update(country=country)
        user.refresh_from_db()
        return user

    return make
