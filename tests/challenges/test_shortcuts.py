import pytest
from django.http import Http404, HttpResponse

from challenges.middleware import EditionMiddleware
from challenges.models import Challenge
from challenges.shortcuts import get_challenge
from tests.factories import ChallengeFactory, EditionFactory

pytestmark = pytest.mark.django_db

BLEND = Challenge.Kind.BLEND
INCLUDE = Challenge.Kind.INCLUDE


@pytest.fixture
def request_(rf):
    """A request as views get it: through the edition middleware."""
    request = rf.get("/")
    EditionMiddleware(lambda request: HttpResponse())(request)
    return request


def test_the_challenge_of_that_slug_and_kind(request_, edition, django_assert_num_queries):
    challenge = ChallengeFactory(edition=edition, slug="include", kind=INCLUDE)
    with django_assert_num_queries(2):  # the edition, then the challenge with its edition
        found = get_challenge(request_, "include", INCLUDE)
        assert found.edition.slug == edition.slug
    assert found == challenge


def test_another_kind_is_not_found(request_, edition):
    ChallengeFactory(edition=edition, slug="include", kind=INCLUDE)
    with pytest.raises(Http404):
        get_challenge(request_, "include", BLEND)


def test_one_of_several_kinds(request_, edition):
    challenge = ChallengeFactory(edition=edition, slug="blend", kind=BLEND)
    assert get_challenge(request_, "blend", [INCLUDE, BLEND]) == challenge
    with pytest.raises(Http404):
        get_challenge(request_, "blend", [INCLUDE, Challenge.Kind.PREFERENCES])


def test_without_a_kind_any_challenge_of_the_edition(request_, edition):
    challenge = ChallengeFactory(edition=edition, slug="blend", kind=BLEND)
    assert get_challenge(request_, "blend") == challenge


def test_a_challenge_of_another_edition_is_not_found(request_, edition):
    ChallengeFactory(
        edition=EditionFactory(slug="other", is_current=False), slug="include", kind=INCLUDE
    )
    with pytest.raises(Http404):
        get_challenge(request_, "include", INCLUDE)


def test_an_unknown_slug_is_not_found(request_, edition):
    ChallengeFactory(edition=edition, slug="include", kind=INCLUDE)
    with pytest.raises(Http404):
        get_challenge(request_, "nope", INCLUDE)


def test_without_any_edition_nothing_is_found(request_):
    with pytest.raises(Http404):
        get_challenge(request_, "include", INCLUDE)
