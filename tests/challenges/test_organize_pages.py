"""The organizers' pages every collecting challenge shares: review queue, bulk decisions,
decision history and exports, on the INCLUDE challenge."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from challenges.models import ContributionStatus, ReviewDecision
from tests.challenges.include.factories import (
    ExamFactory,
    ExamQuestionFactory,
    IncludeChallengeFactory,
)
from tests.factories import make_team

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "participant", "other_team_member", "judge", "organizer"]


@pytest.fixture
def include(edition):
    return IncludeChallengeFactory(edition=edition)


def pending(include, count, **kwargs):
    exam = ExamFactory(challenge=include, **kwargs)
    return ExamQuestionFactory.create_batch(count, exam=exam)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "path",
    [
        "review/",
        "decisions/",
        "export.csv",
        "export.jsonl",
        "extend/",
        "review/decide/",
        "review/decide-matching/",
        "review/decide-matching/confirm/",
    ],
)
def test_only_organizers_reach_the_shared_pages(client, request, include, role, path):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    method = client.post if "review/decide" in path else client.get
    response = method(f"/organize/{include.slug}/{path}")
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif role == "organizer":
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 403


def test_bulk_reject_needs_a_reason_and_is_recorded(client, include, organizer):
    items = pending(include, 3)
    client.force_login(organizer)
    url = f"/organize/{include.slug}/review/decide/"
    client.post(
        url, {"ids": [q.pk for q in items], "status": ContributionStatus.REJECTED, "reason": ""}
    )
    assert not ReviewDecision.objects.exists()
    client.post(
        url,
        {
            "ids": [q.pk for q in items[:2]],
            "status": ContributionStatus.REJECTED,
            "reason": "Fuera de tema",
        },
    )
    decisions = ReviewDecision.objects.all()
    assert decisions.count() == 2 and {d.reason for d in decisions} == {"Fuera de tema"}
    assert {d.decided_by for d in decisions} == {organizer}
    items[0].refresh_from_db()
    assert (
        items[0].status == ContributionStatus.REJECTED
        and items[0].decision_reason == "Fuera de tema"
    )
    # Deciding the same again changes nothing more.
    client.post(
        url, {"ids": [items[0].pk], "status": ContributionStatus.REJECTED, "reason": "Otra vez"}
    )
    assert ReviewDecision.objects.count() == 2


def test_tampered_decisions_change_nothing(client, include, organizer, edition):
    from tests.challenges.include.factories import ExamQuestionFactory as Q

    other = IncludeChallengeFactory(edition=edition, slug="include-other")
    foreign = Q(exam=ExamFactory(challenge=other))
    client.force_login(organizer)
    url = f"/organize/{include.slug}/review/decide/"
    client.post(url, {"ids": ["abc"], "status": ContributionStatus.VALIDATED})
    client.post(url, {"ids": [foreign.pk], "status": ContributionStatus.VALIDATED})
    client.post(url, {"ids": [foreign.pk], "status": "published"})
    foreign.refresh_from_db()
    assert foreign.status == ContributionStatus.PENDING and not ReviewDecision.objects.exists()


def test_review_filters(client, include, organizer, edition):
    team = make_team(edition=edition, name="Filtro")
    member = team.memberships.get().user
    pending(include, 2, author=member)
    pending(include, 1, country="MX")
    client.force_login(organizer)
    rows = client.get(f"/organize/{include.slug}/review/?team={team.pk}").context["rows"]
    assert len(rows) == 2
    rows = client.get(
        f"/organize/{include.slug}/review/?person={member.profile.display_name}"
    ).context["rows"]
    assert len(rows) == 2
    rows = client.get(f"/organize/{include.slug}/review/?status=validated").context["rows"]
    assert rows == []


@pytest.mark.parametrize("path", ["review/", "decisions/"])
def test_shared_pages_query_count_is_constant(
    client, include, organizer, path, django_assert_num_queries
):
    client.force_login(organizer)
    first = pending(include, 1)
    ReviewDecision.objects.create(
        challenge=include,
        item_type="include.examquestion",
        item_id=first[0].pk,
        status="rejected",
        decided_by=organizer,
    )
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"/organize/{include.slug}/{path}").status_code == 200
    more = pending(include, 2)
    for item in more:
        ReviewDecision.objects.create(
            challenge=include,
            item_type="include.examquestion",
            item_id=item.pk,
            status="rejected",
            decided_by=organizer,
        )
    with django_assert_num_queries(len(one)):
        client.get(f"/organize/{include.slug}/{path}")


def test_exports_carry_no_personal_data(client, include, organizer):
    items = pending(include, 2)
    client.force_login(organizer)
    for path in ("export.csv", "export.jsonl"):
        body = b"".join(client.get(f"/organize/{include.slug}/{path}").streaming_content).decode(
            "utf-8-sig"
        )
        assert items[0].question in body
        assert (
            items[0].author.email not in body and items[0].author.profile.display_name not in body
        )
    lines = (
        b"".join(client.get(f"/organize/{include.slug}/export.jsonl").streaming_content)
        .decode()
        .splitlines()
    )
    assert json.loads(lines[0])["author_id"] == items[0].author_id


def test_unknown_export_format_is_not_found(client, include, organizer):
    client.force_login(organizer)
    assert client.get(f"/organize/{include.slug}/export.xlsx").status_code == 404


def test_organize_overview_lists_queues(client, include, organizer):
    pending(include, 2)
    client.force_login(organizer)
    response = client.get("/organize/")
    queue = response.context["queues"][0]
    assert (
        queue["counts"]["pending"] == 2 and queue["intake"].organize_url == "include:organize_exams"
    )


def test_progress_reads_one_in_the_singular_and_points_with_the_spanish_comma(
    client, include, edition
):
    """ "Faltan 1 preguntas" and "0.5" beside "0,50": the goal goes through ngettext and every
    number of points is formatted for the page's language."""
    team = make_team(edition=edition, members=1)
    author = team.memberships.get().user
    exam = ExamFactory(challenge=include, author=author)
    ExamQuestionFactory.create_batch(2, exam=exam, status=ContributionStatus.VALIDATED)
    include.scoring = {"rule": "thresholds", "thresholds": [{"at": 3, "points": "0.5"}]}
    include.save()
    client.force_login(author)

    page = client.get(f"/challenges/{include.slug}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "Falta 1 para llegar a 3" in page and "Faltan 1 " not in page
    assert "(0,50 puntos)" in page and "0.5" not in page


def test_progress_on_the_challenge_page(client, include, edition):
    team = make_team(edition=edition, members=2)
    first, second = [m.user for m in team.memberships.all()]
    exam = ExamFactory(challenge=include, author=first)
    ExamQuestionFactory.create_batch(3, exam=exam, status=ContributionStatus.VALIDATED)
    ExamQuestionFactory.create_batch(2, exam=ExamFactory(challenge=include, author=second))
    include.scoring = {"rule": "thresholds", "thresholds": [{"at": 100, "points": "0.5"}]}
    include.save()
    client.force_login(second)
    context = client.get(f"/challenges/{include.slug}/").context
    assert context["mine"].counts["pending"] == 2 and context["mine"].counted == 0
    assert context["ours"].counted == 3 and context["ours"].goal.remaining == 97
