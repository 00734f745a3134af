"""A participant's own contributions (the shared page every collecting challenge has): search,
status filter, pagination; editing and withdrawing a prompt still waiting for review, and
every refusal once it is decided, voted on, someone else's or the window closed."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from challenges.blend.models import BlendAnswer
from challenges.domain import contributions_changed
from challenges.models import ChangeRecord, ContributionStatus, NearDuplicateBand, ReviewDecision
from challenges.preferences.models import Prompt
from tests.challenges.blend.factories import (
    BlendAnswerFactory,
    BlendChallengeFactory,
    BlendValidationFactory,
)
from tests.challenges.include.factories import ExamQuestionFactory, IncludeChallengeFactory
from tests.challenges.preferences.factories import (
    PreferencesChallengeFactory,
    PromptFactory,
    PromptValidationFactory,
    pass_quiz,
)
from tests.factories import UserFactory, make_team

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ROLES = ["anonymous", "participant", "other_team_member", "judge", "organizer"]


@pytest.fixture
def challenge(edition):
    return PreferencesChallengeFactory(edition=edition)


@pytest.fixture
def author(edition, challenge):
    person = make_team(edition=edition, name="Autores").memberships.get().user
    pass_quiz(challenge=challenge, user=person)
    return person


@pytest.fixture
def prompt(challenge, author):
    return PromptFactory(challenge=challenge, author=author, text="¿Qué se come en Lima?")


def mine(challenge):
    return f"/challenges/{challenge.slug}/mine/"


def edit_url(prompt):
    return f"{mine(prompt.challenge)}{prompt.pk}/edit/"


def withdraw_url(prompt):
    return f"{mine(prompt.challenge)}{prompt.pk}/withdraw/"


def edited(**overrides):
    values = {"country": "PE", "language": "es", "text": "¿Qué se come en Arequipa?"}
    values.update(overrides)
    return values


def test_the_list_searches_the_persons_own_contributions_by_text_and_status(
    client, challenge, author, prompt
):
    PromptFactory(challenge=challenge, author=author, text="¿Cómo se baila la marinera?",
                  status=ContributionStatus.VALIDATED)  # fmt: skip
    PromptFactory(challenge=challenge, text="¿Qué se come en Lima un lunes?")  # someone else's
    client.force_login(author)
    found = client.get(f"{mine(challenge)}?q=LIMA", **EN)
    assert [row[0].pk for row in found.context["rows"]] == [prompt.pk]
    validated = client.get(f"{mine(challenge)}?status=validated", **EN).context["rows"]
    assert [row[0].text for row in validated] == ["¿Cómo se baila la marinera?"]
    page = client.get(mine(challenge), **EN).content.decode()
    assert f'href="{edit_url(prompt)}"' in page and f'href="{withdraw_url(prompt)}"' in page
    assert "Already in review" in page  # the validated one offers nothing


def test_the_list_is_paginated_and_keeps_its_search(client, challenge, author, settings):
    settings.PAGE_SIZE = 2
    for number in range(3):
        PromptFactory(challenge=challenge, author=author, text=f"¿Qué fiesta hay en mayo {number}?")
    client.force_login(author)
    first = client.get(f"{mine(challenge)}?q=fiesta", **EN)
    assert len(first.context["rows"]) == 2
    assert "?q=fiesta&amp;status=&amp;page=2" in first.content.decode() or (
        "?q=fiesta&amp;page=2" in first.content.decode()
    )
    assert len(client.get(f"{mine(challenge)}?q=fiesta&page=2").context["rows"]) == 1


def test_a_bad_status_filter_is_refused(client, challenge, author, prompt):
    client.force_login(author)
    response = client.get(f"{mine(challenge)}?status=published", **EN)
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()


def test_the_list_costs_the_same_queries_with_1_and_3_items(
    client, challenge, author, django_assert_num_queries
):
    PromptFactory(challenge=challenge, author=author)
    client.force_login(author)
    with CaptureQueriesContext(connection) as one:
        assert client.get(mine(challenge)).status_code == 200
    PromptFactory.create_batch(2, challenge=challenge, author=author)
    with django_assert_num_queries(len(one)):
        response = client.get(mine(challenge))
    assert len(response.context["rows"]) == 3


def test_an_include_list_costs_the_same_queries_with_1_and_3_questions(
    client, edition, author, django_assert_num_queries
):
    include = IncludeChallengeFactory(edition=edition)
    ExamQuestionFactory(exam__challenge=include, exam__author=author)
    client.force_login(author)
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"{mine(include)}?q=hecho").status_code == 200
    ExamQuestionFactory.create_batch(2, exam__challenge=include, exam__author=author)
    with django_assert_num_queries(len(one)):
        response = client.get(f"{mine(include)}?q=hecho")
    assert len(response.context["rows"]) == 3


def test_editing_a_pending_prompt_checks_it_as_a_new_one_and_records_the_change(
    client, challenge, author, prompt
):
    client.force_login(author)
    form = client.get(edit_url(prompt), **EN)
    assert form.status_code == 200 and "¿Qué se come en Lima?" in form.content.decode()
    # Invisible characters are not kept; a text of nothing else is refused.
    response = client.post(edit_url(prompt), edited(text="\u200b\u200d\u2060"), **EN)
    assert response.status_code == 400
    prompt.refresh_from_db()
    assert prompt.text == "¿Qué se come en Lima?"
    response = client.post(edit_url(prompt), edited(text="¿Qué se come\u200b en Arequipa?"))
    assert response.status_code == 302
    prompt.refresh_from_db()
    assert (
        prompt.text == "¿Qué se come en Arequipa?" and prompt.status == ContributionStatus.PENDING
    )
    record = ChangeRecord.objects.get(object_id=prompt.pk, field="text")
    assert (record.old_value, record.new_value) == ("¿Qué se come en Lima?", prompt.text)
    assert record.source == ChangeRecord.Source.PARTICIPANT and record.changed_by == author
    # Its near-duplicate index follows the new text (one set of bands, not two).
    bands = NearDuplicateBand.objects.filter(item_type="preferences.prompt", item_id=prompt.pk)
    assert bands.exists() and bands.count() == len(set(bands.values_list("band", flat=True)))


def test_an_edit_repeating_another_prompt_is_refused(client, challenge, author, prompt):
    PromptFactory(challenge=challenge, text="¿Qué se come en Cusco?")
    client.force_login(author)
    response = client.post(edit_url(prompt), edited(text="¿QUÉ se come en  Cusco?"), **EN)
    assert response.status_code == 400
    assert "already in the challenge" in response.content.decode()
    prompt.refresh_from_db()
    assert prompt.text == "¿Qué se come en Lima?" and not ChangeRecord.objects.exists()


def test_withdrawing_asks_for_a_confirmation_then_deletes_and_records_it(
    client, challenge, author, prompt, django_capture_on_commit_callbacks
):
    client.force_login(author)
    assert "I understand" in client.get(withdraw_url(prompt), **EN).content.decode()
    refused = client.post(withdraw_url(prompt), {}, **EN)
    assert refused.status_code == 400 and Prompt.objects.filter(pk=prompt.pk).exists()
    changed = []
    contributions_changed.connect(receiver := lambda sender, **kwargs: changed.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(withdraw_url(prompt), {"confirm": "on"})
    assert done.status_code == 302 and not Prompt.objects.filter(pk=prompt.pk).exists()
    contributions_changed.disconnect(receiver)
    # Scoring is told whose counts changed: the author's team's points are computed again.
    assert [call["author_ids"] for call in changed] == [[author.pk]]
    record = ChangeRecord.objects.get(object_id=prompt.pk)
    assert (record.field, record.old_value, record.new_value) == ("status", "pending", "withdrawn")
    assert not NearDuplicateBand.objects.filter(item_id=prompt.pk, item_type="preferences.prompt")


@pytest.mark.parametrize("how", ["validated", "decided_back_to_pending", "voted", "voided_vote"])
def test_once_decided_or_voted_on_nothing_can_be_edited_or_withdrawn(
    client, challenge, author, prompt, how
):
    if how == "validated":
        Prompt.objects.filter(pk=prompt.pk).update(
            status=ContributionStatus.VALIDATED, decided_at=timezone.now()
        )
    elif how == "decided_back_to_pending":
        ReviewDecision.objects.create(
            challenge=challenge, item_type="preferences.prompt", item_id=prompt.pk,
            status=ContributionStatus.PENDING,
        )  # fmt: skip
    else:
        PromptValidationFactory(
            prompt=prompt, voided_at=timezone.now() if how == "voided_vote" else None
        )
    client.force_login(author)
    for url in (edit_url(prompt), withdraw_url(prompt)):
        assert "can no longer be edited or withdrawn" in client.get(url, **EN).content.decode()
    edit = client.post(edit_url(prompt), edited(), **EN)
    withdraw = client.post(withdraw_url(prompt), {"confirm": "on"}, **EN)
    assert edit.status_code == withdraw.status_code == 400
    assert "can no longer be edited or withdrawn" in withdraw.content.decode()
    prompt.refresh_from_db()
    assert prompt.text == "¿Qué se come en Lima?" and not ChangeRecord.objects.exists()


def test_a_forged_post_after_the_window_closed_changes_nothing(client, challenge, author, prompt):
    client.force_login(author)
    challenge.closes_at = timezone.now() - dt.timedelta(minutes=1)
    challenge.save()
    assert client.post(edit_url(prompt), edited(), **EN).status_code == 400
    assert client.post(withdraw_url(prompt), {"confirm": "on"}, **EN).status_code == 400
    prompt.refresh_from_db()
    assert prompt.text == "¿Qué se come en Lima?"
    assert not ChangeRecord.objects.exists()


def test_a_prompt_from_arena_votes_cannot_be_edited(client, challenge, author):
    arena = PromptFactory(challenge=challenge, author=author, source=Prompt.Source.ARENA)
    client.force_login(author)
    assert client.post(withdraw_url(arena), {"confirm": "on"}, **EN).status_code == 400
    assert Prompt.objects.filter(pk=arena.pk).exists()


def test_another_persons_contribution_is_not_found(client, challenge, prompt, other_team_member):
    client.force_login(other_team_member)
    assert client.get(edit_url(prompt)).status_code == 404
    assert client.post(edit_url(prompt), edited()).status_code == 404
    assert client.post(withdraw_url(prompt), {"confirm": "on"}).status_code == 404
    prompt.refresh_from_db()
    assert Prompt.objects.filter(pk=prompt.pk, text="¿Qué se come en Lima?").exists()


def test_a_contribution_of_another_challenge_is_not_found_through_this_one(
    client, edition, author, challenge
):
    include = IncludeChallengeFactory(edition=edition)
    question = ExamQuestionFactory(exam__challenge=include, exam__author=author)
    client.force_login(author)
    other_url = f"{mine(challenge)}{question.pk}/withdraw/"
    assert client.post(other_url, {"confirm": "on"}).status_code == 404
    # Through its own challenge, the pending question can be withdrawn.
    own_url = f"{mine(include)}{question.pk}/withdraw/"
    assert client.post(own_url, {"confirm": "on"}).status_code == 302
    assert not type(question).objects.filter(pk=question.pk).exists()


def question_values(**overrides):
    values = {
        "question": "¿En qué año se fundó Lima?",
        "option_a": "1535",
        "option_b": "1492",
        "option_c": "1821",
        "option_d": "1610",
        "answer": "0",
        "category_en": "History",
        "category_original_lang": "Historia",
        "original_question_num": "3",
    }
    values.update(overrides)
    return values


def test_editing_a_pending_question_checks_it_as_an_uploaded_one(client, edition, author):
    include = IncludeChallengeFactory(edition=edition)
    question = ExamQuestionFactory(exam__challenge=include, exam__author=author)
    taken = ExamQuestionFactory(exam__challenge=include, question="¿Quién fundó Lima?",
                                options=["Pizarro", "Almagro", "Bolívar", "San Martín"])  # fmt: skip
    url = f"{mine(include)}{question.pk}/edit/"
    client.force_login(author)
    assert question.question in client.get(url, **EN).content.decode()
    bad = [
        ({"question": "\u200b\u2060"}, "invisible"),
        ({"option_d": "1535"}, "the 4 options must differ"),
        ({"question": "<b>¿Año?</b>"}, "HTML"),
        ({"answer": "7"}, "Select a valid choice"),
        ({"question": "¿Quién fundó Lima?", "option_a": "Pizarro", "option_b": "Almagro",
          "option_c": "Bolívar", "option_d": "San Martín"}, "already stored"),
    ]  # fmt: skip
    before = (question.question, question.options, question.answer)
    for overrides, message in bad:
        response = client.post(url, question_values(**overrides), **EN)
        assert response.status_code == 400, overrides
        assert message.lower() in response.content.decode().lower(), overrides
        question.refresh_from_db()
        assert (question.question, question.options, question.answer) == before
    assert not ChangeRecord.objects.exists()
    done = client.post(url, question_values(question="¿En qué año\u200b se fundó Lima?"))
    assert done.status_code == 302
    question.refresh_from_db()
    assert question.question == "¿En qué año se fundó Lima?"
    assert question.options == ["1535", "1492", "1821", "1610"] and question.answer == 0
    assert {record.field for record in ChangeRecord.objects.filter(object_id=question.pk)} >= {
        "question",
        "options",
        "answer",
    }
    assert taken.pk != question.pk


def test_a_question_of_a_rejected_exam_cannot_be_edited(client, edition, author):
    include = IncludeChallengeFactory(edition=edition)
    question = ExamQuestionFactory(
        exam__challenge=include, exam__author=author, exam__status=ContributionStatus.REJECTED
    )
    client.force_login(author)
    response = client.post(f"{mine(include)}{question.pk}/edit/", question_values(), **EN)
    assert response.status_code == 400 and "rejected" in response.content.decode()
    question.refresh_from_db()
    assert question.question != "¿En qué año se fundó Lima?"


@pytest.mark.parametrize("role", ROLES)
def test_permissions(client, request, challenge, prompt, role):
    """Only the author reaches their items: anyone else finds none (their own list is empty)."""
    people = {"participant": prompt.author}
    if role != "anonymous":
        person = people.get(role) or request.getfixturevalue(role)
        client.force_login(person)
    responses = [
        client.get(mine(challenge)),
        client.get(edit_url(prompt)),
        client.get(withdraw_url(prompt)),
        client.post(withdraw_url(prompt), {}),
    ]
    if role == "anonymous":
        assert all(r.status_code == 302 and "/accounts/login/" in r["Location"] for r in responses)
    elif role == "participant":
        assert [r.status_code for r in responses] == [200, 200, 200, 400]
    else:
        assert [r.status_code for r in responses] == [200, 404, 404, 404]
        assert responses[0].context["rows"] == []
    assert Prompt.objects.filter(pk=prompt.pk).exists()


def test_a_person_outside_any_team_sees_their_own_list(client, challenge):
    loner = UserFactory()
    PromptFactory(challenge=challenge, author=loner)
    client.force_login(loner)
    assert len(client.get(mine(challenge)).context["rows"]) == 1


def test_a_blend_answer_is_withdrawn_until_a_peer_votes_on_it(client, edition, author):
    blend = BlendChallengeFactory(edition=edition)
    voted = BlendAnswerFactory(question__challenge=blend, author=author)
    BlendValidationFactory(answer=voted)
    free = BlendAnswerFactory(question__challenge=blend, author=author)
    client.force_login(author)
    found = client.get(f"{mine(blend)}?q=limeña", **EN).context["rows"]
    assert {row[0].pk for row in found} == {voted.pk, free.pk}
    # Answers are withdrawn, not edited: no edit page.
    assert client.get(f"{mine(blend)}{free.pk}/edit/").status_code == 404
    refused = client.post(f"{mine(blend)}{voted.pk}/withdraw/", {"confirm": "on"}, **EN)
    assert refused.status_code == 400 and "Peers have started" in refused.content.decode()
    done = client.post(f"{mine(blend)}{free.pk}/withdraw/", {"confirm": "on"})
    assert done.status_code == 302
    assert list(BlendAnswer.objects.values_list("pk", flat=True)) == [voted.pk]
