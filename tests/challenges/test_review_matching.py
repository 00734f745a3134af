"""The review queue's rough edges, on the INCLUDE challenge: selecting every row, one decision
on every item matching the filters (confirmed with its count, the filters applied again), the
filter by exam, countries and languages by name, and the decision history's links."""

import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from challenges.domain import contributions_decided
from challenges.models import ContributionStatus, ReviewDecision
from tests.challenges.include.factories import (
    ExamFactory,
    ExamQuestionFactory,
    IncludeChallengeFactory,
)
from tests.factories import UserFactory, make_team

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def include(edition):
    return IncludeChallengeFactory(edition=edition)


def queue(include):
    return f"/organize/{include.slug}/review/"


def ask(client, include, query="", status="validated", reason=""):
    """The organizer asks for a decision on every item matching ``query``."""
    return client.post(
        f"{queue(include)}decide-matching/?{query}",
        {"status": status, "reason": reason, "ids": ["999999"]},
        **EN,
    )


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def confirm(client, include, token):
    return client.post(f"{queue(include)}decide-matching/confirm/", {"token": token}, **EN)


def said(response) -> str:
    """The last message the response queued (earlier ones wait, unread, in the session)."""
    return [str(message) for message in get_messages(response.wsgi_request)][-1]


@pytest.fixture
def decided_signals():
    sent = []

    def receiver(sender, **kwargs):
        sent.append(kwargs)

    contributions_decided.connect(receiver)
    yield sent
    contributions_decided.disconnect(receiver)


def test_the_queue_has_a_select_all_box_and_its_script_without_inline_code(
    client, include, organizer
):
    ExamQuestionFactory.create_batch(2, exam=ExamFactory(challenge=include))
    client.force_login(organizer)
    page = client.get(queue(include), **EN).content.decode()
    assert 'data-select-all="ids" hidden' in page
    assert '<script src="/static/js/select-all.js" defer></script>' in page
    assert "<script>" not in page
    assert "Apply to all 2 items matching the filters" in page


def test_every_matching_item_is_decided_after_a_confirmation_naming_their_count(
    client, include, organizer, decided_signals, django_capture_on_commit_callbacks
):
    peru = ExamFactory(challenge=include, country="PE")
    chile = ExamFactory(challenge=include, country="CL")
    matching = ExamQuestionFactory.create_batch(3, exam=peru, country="PE")
    other = ExamQuestionFactory(exam=chile, country="CL")
    client.force_login(organizer)
    asked = ask(client, include, f"status=pending&exam={peru.pk}")
    assert asked.status_code == 200
    assert "will be applied to 3 items" in asked.content.decode()
    assert "Decide 3 items" in asked.content.decode()
    # Asking decides nothing.
    assert not ReviewDecision.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = confirm(client, include, token_of(asked))
    assert done.status_code == 302 and f"exam={peru.pk}" in done["Location"]
    assert said(done) == "3 items decided."
    assert set(ReviewDecision.objects.values_list("item_id", flat=True)) == {
        item.pk for item in matching
    }
    other.refresh_from_db()
    assert other.status == ContributionStatus.PENDING
    # The authors are told once, for the whole batch.
    assert len(decided_signals) == 1
    assert decided_signals[0]["author_counts"] == {peru.author_id: 3}


def test_items_decided_or_changed_meanwhile_are_skipped_and_reported_and_new_ones_left_alone(
    client, include, organizer
):
    exam = ExamFactory(challenge=include)
    first, second, third = ExamQuestionFactory.create_batch(3, exam=exam, country="PE")
    client.force_login(organizer)
    asked = ask(client, include, "status=pending&country=PE")
    assert "will be applied to 3 items" in asked.content.decode()
    # Meanwhile: another organizer rejects one, another leaves the filters, a new one arrives.
    first.status = ContributionStatus.REJECTED
    first.save()
    second.country = "MX"
    second.save()
    newcomer = ExamQuestionFactory(exam=exam, country="PE")
    done = confirm(client, include, token_of(asked))
    assert said(done) == "1 item decided. 2 were skipped: they were decided or changed meanwhile."
    assert list(ReviewDecision.objects.values_list("item_id", flat=True)) == [third.pk]
    for item in (second, newcomer):
        item.refresh_from_db()
        assert item.status == ContributionStatus.PENDING


def test_a_confirmation_is_used_once_by_its_organizer_on_its_challenge(
    client, include, organizer, roles, edition
):
    ExamQuestionFactory.create_batch(2, exam=ExamFactory(challenge=include))
    other_include = IncludeChallengeFactory(edition=edition, slug="include-2")
    foreign = ExamQuestionFactory(exam=ExamFactory(challenge=other_include))
    client.force_login(organizer)
    token = token_of(ask(client, include))
    # Another organizer, or the same token on another challenge, finds nothing to confirm.
    colleague = UserFactory()
    colleague.groups.add(organizer.groups.first())
    client.force_login(colleague)
    assert "expired or was already used" in said(confirm(client, include, token))
    client.force_login(organizer)
    assert "expired or was already used" in said(confirm(client, other_include, token))
    assert "expired or was already used" in said(confirm(client, include, "forged"))
    assert not ReviewDecision.objects.exists()
    assert said(confirm(client, include, token)) == "2 items decided."
    # A second confirmation (a double click) decides nothing more.
    assert "expired or was already used" in said(confirm(client, include, token))
    assert ReviewDecision.objects.count() == 2
    foreign.refresh_from_db()
    assert foreign.status == ContributionStatus.PENDING


@pytest.mark.parametrize(
    ("query", "status", "reason", "message"),
    [
        ("country=ZZ", "validated", "", "Select a valid choice"),
        ("exam=999999", "validated", "", "Select a valid choice"),
        ("exam=abc", "validated", "", "Select a valid choice"),
        ("status=published", "validated", "", "Select a valid choice"),
        ("", "published", "", "Select a valid choice"),
        ("", "rejected", "   ", "Give a reason"),
        ("status=validated", "rejected", "Fuera de tema", "No item matching these filters"),
    ],
)
def test_bad_requests_for_every_matching_item_change_nothing(
    client, include, organizer, query, status, reason, message
):
    ExamQuestionFactory.create_batch(2, exam=ExamFactory(challenge=include))
    client.force_login(organizer)
    response = ask(client, include, query, status=status, reason=reason)
    assert response.status_code == 302 and message in said(response)
    assert not ReviewDecision.objects.exists()
    assert not include.decisions.exists()


@pytest.mark.parametrize("query", ["country=ZZ", "language=xx", "exam=424242", "team=abc"])
def test_unknown_filter_values_list_nothing_and_say_so(client, include, organizer, query):
    ExamQuestionFactory(exam=ExamFactory(challenge=include))
    client.force_login(organizer)
    response = client.get(f"{queue(include)}?{query}", **EN)
    assert response.status_code == 400 and response.context["rows"] == []
    assert "Some filters are not valid" in response.content.decode()


def test_the_filter_by_exam(client, include, organizer):
    first, second = ExamFactory(challenge=include), ExamFactory(challenge=include)
    ExamQuestionFactory.create_batch(2, exam=first)
    wanted = ExamQuestionFactory(exam=second)
    # An exam of another challenge is no choice.
    stranger = ExamFactory(challenge=IncludeChallengeFactory(edition=include.edition, slug="x"))
    client.force_login(organizer)
    rows = client.get(f"{queue(include)}?exam={second.pk}").context["rows"]
    assert [item.pk for item, _values in rows] == [wanted.pk]
    assert client.get(f"{queue(include)}?exam={stranger.pk}").status_code == 400


def test_countries_and_languages_are_chosen_and_shown_by_name_in_the_page_language(
    client, include, organizer
):
    ExamQuestionFactory(exam=ExamFactory(challenge=include, country="PE", language="gn"),
                        country="PE", language="gn")  # fmt: skip
    ExamQuestionFactory(exam=ExamFactory(challenge=include, country="BR", language="pt"),
                        country="BR", language="pt")  # fmt: skip
    client.force_login(organizer)
    spanish = client.get(queue(include), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<option value="PE">Perú</option>' in spanish
    assert '<option value="BR">Brasil</option>' in spanish
    assert '<option value="gn">Guaraní</option>' in spanish
    assert '<option value="pt">Portugués</option>' in spanish
    # The rows show names, not codes; a typed code still filters (whatever its case).
    assert "<td>Perú</td>" in spanish and "<td>Guaraní</td>" in spanish
    english = client.get(f"{queue(include)}?country=br", **EN)
    assert [item.country for item, _values in english.context["rows"]] == ["BR"]
    assert "<td>Brazil</td>" in english.content.decode()


def test_the_decision_history_links_the_item_its_author_and_their_team(
    client, include, organizer, edition
):
    team = make_team(edition=edition, name="Los Incas")
    author = team.memberships.get().user
    item = ExamQuestionFactory(exam=ExamFactory(challenge=include, author=author))
    client.force_login(organizer)
    ask_and_confirm = confirm(
        client, include, token_of(ask(client, include, status="rejected", reason="Repetida"))
    )
    assert ask_and_confirm.status_code == 302
    page = client.get(f"/organize/{include.slug}/decisions/", **EN).content.decode()
    assert f'href="{queue(include)}?status=&amp;item={item.pk}">Item #{item.pk}</a>' in page
    assert f'href="{queue(include)}?status=&amp;author={author.pk}">' in page
    assert f'href="/teams/{team.pk}/">Los Incas</a>' in page
    assert "include.examquestion" not in page
    # The author's link lists their items.
    rows = client.get(f"{queue(include)}?status=&author={author.pk}").context["rows"]
    assert [row.pk for row, _values in rows] == [item.pk]


def test_the_decision_history_costs_the_same_queries_with_links(
    client, include, organizer, edition, django_assert_num_queries
):
    def decided(count):
        team = make_team(edition=edition, members=1)
        exam = ExamFactory(challenge=include, author=team.memberships.get().user)
        for item in ExamQuestionFactory.create_batch(count, exam=exam):
            ReviewDecision.objects.create(
                challenge=include, item_type="include.examquestion", item_id=item.pk,
                status="rejected", decided_by=organizer,
            )  # fmt: skip

    client.force_login(organizer)
    decided(1)
    url = f"/organize/{include.slug}/decisions/"
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    decided(1)
    decided(1)
    with django_assert_num_queries(len(one)):
        response = client.get(url)
    assert len(response.context["rows"]) == 3


def test_the_filtered_queue_costs_the_same_queries(
    client, include, organizer, django_assert_num_queries
):
    exam = ExamFactory(challenge=include)
    ExamQuestionFactory(exam=exam)
    client.force_login(organizer)
    url = f"{queue(include)}?exam={exam.pk}&country=PE&language=es"
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    ExamQuestionFactory.create_batch(2, exam=exam)
    ExamFactory(challenge=include)
    with django_assert_num_queries(len(one)):
        response = client.get(url)
    assert len(response.context["rows"]) == 3
