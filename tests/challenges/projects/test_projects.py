import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from challenges.domain import ContributionRefused
from challenges.projects.domain import describe_completeness, parse_duration, save_project
from challenges.projects.models import ProjectSubmission
from tests.factories import ChallengeFactory, UserFactory, make_team

pytestmark = pytest.mark.django_db
ORG = "somosnlp-hackathon-test"


@pytest.fixture
def team(edition):
    for kind in ("alignment", "demo", "video", "paper"):
        ChallengeFactory(edition=edition, slug=kind, kind=kind)
    return make_team(edition=edition, members=2)


def member(team):
    return team.memberships.first().user


def full(**overrides):
    values = {
        "track": "A",
        "model_repos": [f"{ORG}/llama-andino"],
        "dataset_repos": [f"{ORG}/preferencias-dpo"],
        "demo_space": f"{ORG}/demo",
        "video_url": "https://youtu.be/abc",
        "video_seconds": 299,
        "paper_url": "",
    }
    values.update(overrides)
    return values


def test_a_complete_project_is_eligible_for_prizes(team):
    submission = save_project(team=team, by=member(team), values=full())
    team.refresh_from_db()
    assert team.track == "A" and submission.model_repos == [f"{ORG}/llama-andino"]
    completeness = describe_completeness(team=team, submission=submission)
    assert completeness.prize_eligible
    assert [done for _label, done in completeness.items] == [True, True, True, True, True, False]


def test_without_a_video_no_prizes(team):
    submission = save_project(
        team=team, by=member(team), values=full(video_url="", video_seconds=None)
    )
    assert not describe_completeness(team=team, submission=submission).prize_eligible


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"model_repos": ["otra-org/modelo"]}, "must be in the organization"),
        ({"dataset_repos": ["not a repo id!"]}, "not a Hugging Face repository id"),
        ({"demo_space": "x/--bad"}, "not a Hugging Face repository id"),
        ({"video_seconds": None}, "length"),
    ],
)
def test_bad_projects_are_refused_and_nothing_changes(team, overrides, message):
    with pytest.raises(ContributionRefused, match=message):
        save_project(team=team, by=member(team), values=full(**overrides))
    assert not ProjectSubmission.objects.exists()
    team.refresh_from_db()
    assert team.track == ""


@pytest.mark.parametrize(("text", "seconds"), [("4:59", 299), ("5:00", 300), ("90", 90)])
def test_video_lengths(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["5:01", "6:00", "0:00", "4:75", "cinco"])
def test_video_lengths_refused(text):
    with pytest.raises(ContributionRefused):
        parse_duration(text)


def test_only_members_edit(team):
    with pytest.raises(ContributionRefused, match="members"):
        save_project(team=team, by=UserFactory(), values=full())


def test_a_closed_window_freezes_its_part_only(team, edition):
    video = edition.challenges.get(kind="video")
    save_project(team=team, by=member(team), values=full())
    video.opens_at = timezone.now() - dt.timedelta(days=10)
    video.closes_at = timezone.now() - dt.timedelta(days=1)
    video.save()
    with pytest.raises(ContributionRefused, match="no longer change"):
        save_project(team=team, by=member(team), values=full(video_url="https://youtu.be/other"))
    # Other parts still change; the unchanged video is fine.
    save_project(team=team, by=member(team), values=full(demo_space=f"{ORG}/demo-2"))
    assert ProjectSubmission.objects.get().demo_space == f"{ORG}/demo-2"
    assert ProjectSubmission.objects.get().video_url == "https://youtu.be/abc"


def test_papers_are_pdfs_of_at_most_20_mb(team):
    pdf = SimpleUploadedFile("paper.pdf", b"%PDF-1.7\n%...", content_type="application/pdf")
    submission = save_project(team=team, by=member(team), values=full(paper_file=pdf))
    assert submission.paper_file.name.endswith(".pdf")
    with pytest.raises(ContributionRefused, match="must be a PDF"):
        save_project(
            team=team,
            by=member(team),
            values=full(paper_file=SimpleUploadedFile("x.pdf", b"<html>")),
        )
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (20 * 1024 * 1024))
    with pytest.raises(ContributionRefused, match="20 MB"):
        save_project(team=team, by=member(team), values=full(paper_file=big))


def test_the_page_saves_and_shows_errors(client, team, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(member(team))
    assert client.get("/team/project/").status_code == 200
    data = {
        "track": "B", "model_repos": f"{ORG}/m1\n{ORG}/m2", "dataset_repos": f"{ORG}/d", "demo_space": f"{ORG}/s",
        "video_url": "https://youtu.be/x", "video_length": "5:30", "paper_url": "",
    }  # fmt: skip
    response = client.post("/team/project/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "5:00 at most" in response.content.decode()
    assert not ProjectSubmission.objects.exists()
    data["video_length"] = "4:30"
    assert client.post("/team/project/", data).status_code == 302
    assert ProjectSubmission.objects.get().model_repos == [f"{ORG}/m1", f"{ORG}/m2"]
    page = client.get("/team/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Eligible for prizes" in page


@pytest.mark.parametrize(
    ("role", "status"),
    [("participant", 404), ("judge", 404), ("organizer", 404), ("other_team_member", 200)],
)
def test_project_page_permissions(client, request, team, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/team/project/").status_code == status


def test_anonymous_visitors_log_in_first(client, team):
    response = client.get("/team/project/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
