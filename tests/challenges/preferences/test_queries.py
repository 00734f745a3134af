"""Every list page and queue runs the same number of queries with 1 item as with 3."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from challenges.preferences.models import ArenaUpload, ArenaVote
from hub.models import PublishedDataset
from tests.challenges.preferences.factories import ArenaVoteFactory, PromptFactory, pass_quiz
from tests.factories import UserFactory, make_team

pytestmark = pytest.mark.django_db


def fetch(client, url):
    response = client.get(url)
    if response.streaming:
        response.body = b"".join(response.streaming_content)  # the rows are read here
    return response


def assert_constant(client, url, add_one, django_assert_num_queries):
    """Measure the page with 1 item, then assert the same count with 3."""
    add_one()
    fetch(client, url)  # warm up the session and caches
    with CaptureQueriesContext(connection) as one:
        response = fetch(client, url)
    assert response.status_code == 200
    add_one()
    add_one()
    with django_assert_num_queries(len(one)):
        response = fetch(client, url)
    assert response.status_code == 200
    return response


def test_my_prompts(client, challenge, participant, django_assert_num_queries):
    pass_quiz(challenge=challenge, user=participant)
    client.force_login(participant)
    response = assert_constant(
        client,
        f"/preferences/{challenge.slug}/",
        lambda: PromptFactory(
            challenge=challenge, author=participant, status="rejected", decision_reason="Motivo"
        ),
        django_assert_num_queries,
    )
    assert len(response.context["page"].object_list) == 3


def test_validation_queue(client, edition, challenge, django_assert_num_queries):
    validator = make_team(edition=edition, members=1).memberships.get().user
    author = make_team(edition=edition, members=1).memberships.get().user

    def add_one():
        ArenaVoteFactory(prompt=PromptFactory(challenge=challenge, author=author))
        # prompts this person may not validate, to make the anti-joins work
        PromptFactory(challenge=challenge, author=validator)

    client.force_login(validator)
    response = assert_constant(
        client, f"/preferences/{challenge.slug}/validate/", add_one, django_assert_num_queries
    )
    assert response.context["prompt"].author == author and response.context["vote"] is not None


def test_unmatched_votes(client, challenge, organizer, django_assert_num_queries):
    def add_one():
        vote = ArenaVoteFactory(prompt=PromptFactory(challenge=challenge), user=UserFactory())
        ArenaVote.objects.filter(pk=vote.pk).update(prompt=None)

    client.force_login(organizer)
    response = assert_constant(
        client,
        f"/preferences/{challenge.slug}/organize/arena/unmatched/",
        add_one,
        django_assert_num_queries,
    )
    assert len(response.context["page"].object_list) == 3


def test_arena_uploads(client, challenge, organizer, django_assert_num_queries):
    client.force_login(organizer)
    response = assert_constant(
        client,
        f"/preferences/{challenge.slug}/organize/arena/",
        lambda: ArenaUpload.objects.create(
            challenge=challenge, uploaded_by=UserFactory(), filename="v.jsonl"
        ),
        django_assert_num_queries,
    )
    assert len(response.context["page"].object_list) == 3


def test_dataset_publications(client, challenge, organizer, django_assert_num_queries):
    client.force_login(organizer)
    response = assert_constant(
        client,
        f"/preferences/{challenge.slug}/organize/dataset/",
        lambda: PublishedDataset.objects.create(
            edition=challenge.edition,
            kind=challenge.kind,
            target="/nowhere",
            rows=3,
            published_by=UserFactory(),
        ),
        django_assert_num_queries,
    )
    assert len(response.context["page"].object_list) == 3


def test_shared_review_queue(client, challenge, organizer, django_assert_num_queries):
    client.force_login(organizer)
    response = assert_constant(
        client,
        f"/organize/{challenge.slug}/review/",
        lambda: PromptFactory(challenge=challenge),
        django_assert_num_queries,
    )
    assert len(response.context["rows"]) == 3


def test_shared_export(client, challenge, organizer, django_assert_num_queries):
    client.force_login(organizer)
    response = assert_constant(
        client,
        f"/organize/{challenge.slug}/export.jsonl",
        lambda: PromptFactory(challenge=challenge),
        django_assert_num_queries,
    )
    assert len(response.body.splitlines()) == 3


def test_next_prompt_query_is_constant(challenge, edition, django_assert_num_queries):
    from challenges.preferences import domain

    validator = make_team(edition=edition, members=1).memberships.get().user
    PromptFactory(challenge=challenge)
    with CaptureQueriesContext(connection) as one:
        domain.next_prompt_to_validate(challenge=challenge, validator=validator)
    for _ in range(5):
        PromptFactory(challenge=challenge, author=validator)
    with django_assert_num_queries(len(one)):
        assert domain.next_prompt_to_validate(challenge=challenge, validator=validator) is not None
    # One query: the team anti-join is inside it (challenges.domain.peer_validation); it was two.
    assert len(one) == 1


def test_quiz_page(client, challenge, participant, django_assert_num_queries):
    from tests.challenges.preferences.factories import (
        QuizChoiceFactory,
        QuizFactory,
        QuizQuestionFactory,
    )

    quiz = QuizFactory(challenge=challenge)

    def add_one():
        question = QuizQuestionFactory(quiz=quiz)
        QuizChoiceFactory(question=question, is_correct=True)
        QuizChoiceFactory(question=question)

    client.force_login(participant)
    response = assert_constant(
        client, f"/preferences/{challenge.slug}/quiz/", add_one, django_assert_num_queries
    )
    assert len(response.context["form"].fields) == 3
