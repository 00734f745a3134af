import pytest

from tests.challenges.stereotypes.factories import StereotypesChallengeFactory, make_ready


@pytest.fixture
def challenge(edition):
    """The stereotypes challenge of the test edition, open now."""
    return StereotypesChallengeFactory(edition=edition)


@pytest.fixture
def rater(participant, challenge):
    """A participant who accepted the consent and reads Spanish."""
    make_ready(participant, challenge)
    return participant
