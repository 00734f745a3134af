import pytest

from tests.challenges.preferences.factories import PreferencesChallengeFactory, make_quiz


@pytest.fixture
def challenge(edition):
    return PreferencesChallengeFactory(edition=edition)


@pytest.fixture
def quiz(challenge):
    return make_quiz(challenge=challenge, questions=2)
