"""Every list page and queue runs the same number of queries with 1 item as with 3."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from challenges.models import ContributionStatus
from tests.challenges.stereotypes.factories import PairFactory, RatingFactory, make_ready
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def measure(client, method, path, data=None, **extra) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(path, data or {}, **extra)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        assert response.status_code in (200, 302)
    return len(captured)


def check_constant(client, django_assert_num_queries, method, path, add_two, data=None, **extra):
    queries = measure(client, method, path, data, **extra)
    add_two()
    with django_assert_num_queries(queries):
        response = getattr(client, method)(path, data or {}, **extra)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)


def add_rated_pairs(challenge, author, count=2):
    for pair in PairFactory.create_batch(count, challenge=challenge):
        RatingFactory(pair=pair, author=author)


def test_validator_whatever_the_history(client, rater, challenge, django_assert_num_queries):
    add_rated_pairs(challenge, rater, 1)
    PairFactory(challenge=challenge)
    client.force_login(rater)
    check_constant(
        client,
        django_assert_num_queries,
        "get",
        f"/stereotypes/{challenge.slug}/",
        lambda: add_rated_pairs(challenge, rater),
    )


def test_validator_empty_state_whatever_the_history(
    client, rater, challenge, django_assert_num_queries
):
    add_rated_pairs(challenge, rater, 1)
    client.force_login(rater)
    check_constant(
        client,
        django_assert_num_queries,
        "get",
        f"/stereotypes/{challenge.slug}/",
        lambda: add_rated_pairs(challenge, rater),
    )


def test_htmx_rating_whatever_the_history(client, rater, challenge, django_assert_num_queries):
    add_rated_pairs(challenge, rater, 1)
    first, second = PairFactory.create_batch(2, challenge=challenge)
    PairFactory.create_batch(2, challenge=challenge)
    client.force_login(rater)
    path = f"/stereotypes/{challenge.slug}/rate/"
    queries = measure(client, "post", path, {"pair": first.pk, "rating": "3"}, **HTMX)
    add_rated_pairs(challenge, rater)
    with django_assert_num_queries(queries):
        client.post(path, {"pair": second.pk, "rating": "3"}, **HTMX)


def test_pool_page(client, organizer, challenge, django_assert_num_queries):
    def add_two():
        for pair in PairFactory.create_batch(2, challenge=challenge):
            RatingFactory(pair=pair)
            RatingFactory(pair=pair, skip=True)

    add_two_first = PairFactory(challenge=challenge)
    RatingFactory(pair=add_two_first)
    client.force_login(organizer)
    check_constant(
        client, django_assert_num_queries, "get", f"/stereotypes/{challenge.slug}/pool/", add_two
    )


def test_invalidate_page_raters(client, organizer, challenge, django_assert_num_queries):
    def add_two():
        for _ in range(2):
            RatingFactory(pair__challenge=challenge, author=UserFactory())

    RatingFactory(pair__challenge=challenge)
    client.force_login(organizer)
    check_constant(
        client,
        django_assert_num_queries,
        "get",
        f"/stereotypes/{challenge.slug}/invalidate/",
        add_two,
    )


def test_profile_page_suggestions(client, rater, challenge, django_assert_num_queries):
    PairFactory(challenge=challenge)
    client.force_login(rater)
    check_constant(
        client,
        django_assert_num_queries,
        "get",
        f"/stereotypes/{challenge.slug}/profile/",
        lambda: PairFactory.create_batch(2, challenge=challenge),
    )


@pytest.mark.parametrize("status", ["", ContributionStatus.VALIDATED])
def test_shared_review_queue(client, organizer, challenge, django_assert_num_queries, status):
    def add_two():
        RatingFactory.create_batch(2, pair__challenge=challenge)

    RatingFactory(pair__challenge=challenge)
    client.force_login(organizer)
    check_constant(
        client,
        django_assert_num_queries,
        "get",
        f"/organize/{challenge.slug}/review/?status={status}",
        add_two,
    )


def test_shared_export(client, organizer, challenge, django_assert_num_queries):
    RatingFactory(pair__challenge=challenge)
    client.force_login(organizer)
    check_constant(
        client,
        django_assert_num_queries,
        "get",
        f"/organize/{challenge.slug}/export.csv",
        lambda: RatingFactory.create_batch(2, pair__challenge=challenge),
    )


def test_challenge_progress_counts(client, participant, challenge, django_assert_num_queries):
    make_ready(participant, challenge)
    add_rated_pairs(challenge, participant, 1)
    client.force_login(participant)
    check_constant(
        client,
        django_assert_num_queries,
        "get",
        f"/challenges/{challenge.slug}/",
        lambda: add_rated_pairs(challenge, participant),
    )
