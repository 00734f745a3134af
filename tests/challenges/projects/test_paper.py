"""A team's paper PDF reaches its members, the judges and the organizers, through a view that
checks who asks, never through a public media URL."""

import pytest
from django.core.files.base import ContentFile

from challenges.projects.models import ProjectSubmission
from tests.factories import make_team

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n% a paper about Andean languages\n%%EOF\n"


@pytest.fixture
def team(edition):
    team = make_team(edition=edition, members=2, name="Las Vicuñas")
    submission = ProjectSubmission.objects.create(team=team)
    submission.paper_file.save("paper.pdf", ContentFile(PDF))
    return team


def url(team) -> str:
    return f"/team/project/{team.pk}/paper.pdf"


@pytest.fixture
def people(team, judge, organizer, other_team_member):
    return {
        "participant": team.memberships.first().user,
        "other_team": other_team_member,
        "judge": judge,
        "organizer": organizer,
    }


def test_anonymous_visitors_log_in_first(client, team):
    response = client.get(url(team))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("role", "status"),
    [("participant", 200), ("other_team", 403), ("judge", 200), ("organizer", 200)],
)
def test_who_reads_the_paper(client, team, people, role, status):
    client.force_login(people[role])
    assert client.get(url(team)).status_code == status


def test_the_paper_is_shown_as_a_pdf_and_never_sniffed(client, team, judge):
    client.force_login(judge)
    response = client.get(url(team))
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="las-vicunas-paper.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_team_without_a_paper_is_not_found(client, edition, judge):
    bare = make_team(edition=edition, members=1, name="Sin paper")
    ProjectSubmission.objects.create(team=bare)
    client.force_login(judge)
    assert client.get(url(bare)).status_code == 404


def test_the_stored_file_has_no_public_url(client, team):
    stored = ProjectSubmission.objects.get(team=team).paper_file
    assert client.get(f"/media/{stored.name}").status_code == 404
    assert client.get(stored.url).status_code == 404


def test_the_judge_and_the_team_find_the_link(client, team, people):
    from tests.factories import ChallengeFactory, assign_judge

    judged = ChallengeFactory(edition=team.edition, slug="paper", kind="paper")
    assign_judge(challenge=judged, team=team, judge=people["judge"])
    client.force_login(people["judge"])
    judge_page = client.get(f"/judging/{judged.slug}/{team.pk}/").content.decode()
    assert f'href="{url(team)}"' in judge_page
    client.force_login(people["participant"])
    assert f'href="{url(team)}"' in client.get("/team/project/").content.decode()
