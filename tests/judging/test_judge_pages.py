"""The judge's project page: who may open it, drafts autosaved, submitting leads to the next
team, blind judging never shows names; query counts of the organizers' and public pages."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from challenges.projects.models import ProjectSubmission
from judging.domain.assigning import update_judging_settings
from judging.models import EditionJudge
from scoring.models import Criterion, JudgeReview, TeamScore
from tests.factories import ChallengeFactory, UserFactory, assign_judge, make_team

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def demo(edition):
    challenge = ChallengeFactory(
        edition=edition, slug="demo", kind="demo", category="deliverable", max_points=D("0.5"),
        scoring={"rule": "judged"},
    )  # fmt: skip
    Criterion.objects.create(
        challenge=challenge, label_es="Claridad", label_en="Clarity", position=1
    )
    Criterion.objects.create(
        challenge=challenge, label_es="Extra", label_en="Extra", position=2, scale=5, required=False
    )
    return challenge


@pytest.fixture
def team(edition):
    team = make_team(edition=edition, members=2, name="Cóndor Andino")
    ProjectSubmission.objects.create(team=team, demo_space="org/Demo_App.v2")
    return team


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("participant", 403),  # the team's own member
        ("other_team_member", 403),
        ("unassigned_judge", 403),
        ("judge", 200),
        ("organizer", 200),
    ],
)
def test_who_may_open_a_teams_judge_page(client, request, demo, team, judge, roles, who, status):
    assign_judge(challenge=demo, team=team, judge=judge)
    people = {
        "participant": lambda: team.memberships.first().user,
        "unassigned_judge": lambda: _judge(roles),
    }
    if who != "anonymous":
        person = people[who]() if who in people else request.getfixturevalue(who)
        if who == "participant":
            person.groups.add(roles["judges"])  # a judge in the team still never sees it
        client.force_login(person)
    response = client.get(f"/judging/demo/{team.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == status
    if who == "organizer":
        assert b"Submit the marks" not in response.content  # oversees, never marks
    if who == "judge":
        page = response.content.decode()
        assert 'src="https://org-demo-app-v2.hf.space"' in page and "Submit the marks" in page


def _judge(roles):
    person = UserFactory()
    person.groups.add(roles["judges"])
    return person


def test_the_judge_page_allows_the_space_in_its_frame(client, demo, team, judge):
    assign_judge(challenge=demo, team=team, judge=judge)
    client.force_login(judge)
    policy = client.get(f"/judging/demo/{team.pk}/")["Content-Security-Policy"]
    assert "frame-src https://*.hf.space" in policy


def test_drafts_autosave_and_submitting_goes_to_the_next_team(
    client, edition, demo, team, judge, django_capture_on_commit_callbacks
):
    other = make_team(edition=edition, name="Tucán")
    assign_judge(challenge=demo, team=team, judge=judge)
    assign_judge(challenge=demo, team=other, judge=judge)
    clarity, extra = Criterion.objects.filter(challenge=demo).order_by("position")
    client.force_login(judge)
    url = f"/judging/demo/{team.pk}/"
    saved = client.post(
        url, {f"criterion_{clarity.pk}": "7,5", "comment": "Va bien", "autosave": "1"},
        HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert saved.status_code == 200 and b"Draft saved." in saved.content
    review = JudgeReview.objects.get()
    assert (
        review.draft == {str(clarity.pk): "7,5", str(extra.pk): ""} and review.submitted_at is None
    )
    assert not TeamScore.objects.exists()  # a draft counts for nothing
    assert 'value="7,5"' in client.get(url).content.decode()
    # Out of the optional criterion's scale (5): refused, nothing counted.
    refused = client.post(url, {f"criterion_{clarity.pk}": "8", f"criterion_{extra.pk}": "6"})
    assert refused.status_code == 400 and not TeamScore.objects.exists()
    home = client.get("/judging/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Next team to judge: Cóndor Andino" in home  # the draft first
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {f"criterion_{clarity.pk}": "8", "comment": "Bien"})
    assert response.status_code == 302 and response["Location"] == f"/judging/demo/{other.pk}/"
    assert TeamScore.objects.get(team=team).judged_points == D("0.400")
    assert JudgeReview.objects.get(team=team).draft == {}


def test_blind_judging_never_shows_the_team_or_its_members(client, edition, demo, team, judge):
    update_judging_settings(challenge=demo, per_team=3, blind=True, same_country_conflict=False)
    assign_judge(challenge=demo, team=team, judge=judge)
    names = [team.name] + [
        m.user.display_name for m in team.memberships.select_related("user__profile")
    ]
    client.force_login(judge)
    pages = [
        client.get("/judging/").content.decode(),
        client.get(f"/judging/demo/{team.pk}/").content.decode(),
    ]
    for page in pages:
        for name in names:
            assert name not in page
    assert "P-" in pages[0] and pages[0].count("P-") >= 1


def test_a_judge_may_declare_a_conflict_and_loses_the_team(client, demo, team, judge):
    assign_judge(challenge=demo, team=team, judge=judge)
    client.force_login(judge)
    assert client.post(f"/judging/demo/{team.pk}/conflict/", {"reason": "prima"}).status_code == 302
    assert client.get(f"/judging/demo/{team.pk}/").status_code == 403


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize(
    "url", ["/organize/judging/demo/assignment/", "/organize/judging/", "/projects/"]
)
def test_query_counts_do_not_grow_with_teams(client, edition, demo, organizer, roles, url):
    judges = [_judge(roles) for _ in range(2)]

    def add(number):
        team = make_team(edition=edition, name=f"Equipo {number}")
        ProjectSubmission.objects.create(team=team, video_url="https://example.org/v")
        for person in judges:
            assign_judge(challenge=demo, team=team, judge=person)
        return team

    add(0)
    client.force_login(organizer)
    one, _page = _count(client, url)
    add(1), add(2)
    three, page = _count(client, url)
    assert three == one
    if url != "/organize/judging/":
        assert all(f"Equipo {n}" in page for n in range(3))
    assert EditionJudge.objects.count() == 2


def test_the_gallery_filters_and_shows_points_once_published(
    client, edition, demo, judge, organizer, django_capture_on_commit_callbacks
):
    from judging.domain.marking import submit_marks
    from scoring.judged import publish_judged_points

    first = make_team(edition=edition, name="Alpaca")
    first.track, first.countries = "A", ["AR"]
    first.save()
    second = make_team(edition=edition, name="Bisonte")
    second.track, second.countries = "B", ["MX"]
    second.save()
    for team in (first, second):
        ProjectSubmission.objects.create(team=team, demo_space="org/demo")
    ProjectSubmission.objects.filter(team=second).update(paper_file="papers/x.pdf")
    clarity = Criterion.objects.get(challenge=demo, position=1)
    with django_capture_on_commit_callbacks(execute=True):
        for team, mark in ((first, 6), (second, 9)):
            assign_judge(challenge=demo, team=team, judge=judge)
            submit_marks(
                challenge=demo, team=team, judge=judge, marks={clarity.pk: D(mark)}, comment=""
            )
    page = client.get("/projects/?track=A", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Alpaca" in page and "Bisonte" not in page and "rank" not in page
    page = client.get("/projects/?country=MX").content.decode()
    assert "Bisonte" in page and "Alpaca" not in page and "paper.pdf" not in page
    with django_capture_on_commit_callbacks(execute=True):
        publish_judged_points(edition=edition, published=True, by=organizer)
    page = client.get("/projects/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<strong>0.450</strong> · rank 1" in page and "<strong>0.300</strong> · rank 2" in page
    client.force_login(judge)
    assert "paper.pdf" in client.get("/projects/").content.decode()


def test_blind_judging_links_a_paper_whose_file_name_is_not_the_teams(client, demo, team, judge):
    from django.core.files.base import ContentFile

    update_judging_settings(challenge=demo, per_team=3, blind=True, same_country_conflict=False)
    ProjectSubmission.objects.get(team=team).paper_file.save(
        "x.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n")
    )
    assign_judge(challenge=demo, team=team, judge=judge)
    client.force_login(judge)
    page = client.get(f"/judging/demo/{team.pk}/").content.decode()
    link = f"/team/project/{team.pk}/paper.pdf?anonymous=1"
    assert link in page
    disposition = client.get(link)["Content-Disposition"]
    assert "paper.pdf" in disposition and "ndor" not in disposition
