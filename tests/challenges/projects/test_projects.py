import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from challenges.domain import ContributionRefused
from challenges.projects.domain import (
    decide_prize_eligibility,
    describe_completeness,
    parse_duration,
    save_project,
)
from challenges.projects.models import ProjectSubmission
from hub.domain import describe_prize_eligibility
from hub.models import HubRepo, RepoType, SyncRun
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


def completeness_of(team, submission):
    prize = describe_prize_eligibility(edition_id=team.edition_id, team_ids=[team.pk])[team.pk]
    return describe_completeness(team=team, submission=submission, prize=prize)


def test_a_complete_project_is_eligible_for_prizes(team):
    submission = save_project(team=team, by=member(team), values=full())
    team.refresh_from_db()
    assert team.track == "A" and submission.model_repos == [f"{ORG}/llama-andino"]
    completeness = completeness_of(team, submission)
    assert completeness.prize.eligible and completeness.prize.missing == []
    assert [done for _label, done in completeness.items] == [True, True, True, True, True, False]


def test_without_a_video_no_prizes(team):
    submission = save_project(
        team=team, by=member(team), values=full(video_url="", video_seconds=None)
    )
    prize = completeness_of(team, submission).prize
    assert not prize.eligible and prize.missing == ["No video is declared."]


# --- prize eligibility: declarations, then what the Hub sync saw --------------------------


@pytest.mark.parametrize(
    ("demo_space", "video_url", "synced", "stage", "missing"),
    [
        (f"{ORG}/demo", "https://youtu.be/a", False, None, []),  # no sync yet: declared is enough
        ("", "https://youtu.be/a", False, None, ["No demo Space is declared."]),
        (f"{ORG}/demo", "", False, None, ["No video is declared."]),
        ("", "", True, None, ["No demo Space is declared.", "No video is declared."]),
        (f"{ORG}/demo", "https://youtu.be/a", True, "RUNNING", []),
        (f"{ORG}/demo", "https://youtu.be/a", True, "SLEEPING", []),
        (f"{ORG}/demo", "https://youtu.be/a", True, "BUILDING", []),
        (f"{ORG}/demo", "https://youtu.be/a", True, "", []),  # the stage was not reported
        (f"{ORG}/demo", "https://youtu.be/a", True, None,
         [f"The demo Space “{ORG}/demo” was not found in the organization at the last Hub sync."]),
        (f"{ORG}/demo", "https://youtu.be/a", True, "RUNTIME_ERROR",
         [f"The demo Space “{ORG}/demo” is not running (RUNTIME_ERROR)."]),
        (f"{ORG}/demo", "", True, "PAUSED",
         [f"The demo Space “{ORG}/demo” is not running (PAUSED).", "No video is declared."]),
    ],
)  # fmt: skip
def test_prizes_need_a_demo_and_a_video_and_then_a_space_that_runs(
    demo_space, video_url, synced, stage, missing
):
    prize = decide_prize_eligibility(
        demo_space=demo_space, video_url=video_url, organization_synced=synced, space_stage=stage
    )
    assert prize.missing == missing
    assert prize.eligible is (missing == [])


@pytest.mark.parametrize(
    "stage", ["NO_APP_FILE", "CONFIG_ERROR", "BUILD_ERROR", "RUNTIME_ERROR", "STOPPED", "PAUSED"]
)
def test_a_space_that_does_not_serve_its_app_is_no_demo(stage):
    prize = decide_prize_eligibility(
        demo_space=f"{ORG}/demo", video_url="https://youtu.be/a", organization_synced=True,
        space_stage=stage,
    )  # fmt: skip
    assert not prize.eligible


def synced_space(edition, *, name="demo", stage="RUNNING", missing=False):
    SyncRun.objects.get_or_create(edition=edition, status=SyncRun.Status.DONE)
    return HubRepo.objects.create(
        edition=edition, repo_type=RepoType.SPACE, repo_id=f"{ORG}/{name}", runtime_stage=stage,
        missing_since=timezone.now() if missing else None,
    )  # fmt: skip


def test_eligibility_follows_the_space_the_sync_saw(team, edition):
    save_project(team=team, by=member(team), values=full(demo_space=f"{ORG}/Demo"))

    def prize():
        return describe_prize_eligibility(edition_id=edition.pk, team_ids=[team.pk])[team.pk]

    assert prize().eligible  # no sync yet

    space = synced_space(edition, name="demo")  # ids on the Hub do not depend on case
    assert prize().eligible
    space.runtime_stage = "BUILD_ERROR"
    space.save()
    assert prize().missing == [f"The demo Space “{ORG}/Demo” is not running (BUILD_ERROR)."]
    space.runtime_stage, space.missing_since = "RUNNING", timezone.now()
    space.save()
    assert "was not found" in prize().missing[0]


def test_a_space_of_another_type_or_edition_does_not_count(team, edition):
    save_project(team=team, by=member(team), values=full())
    synced_space(edition, name="otra")
    HubRepo.objects.create(edition=edition, repo_type=RepoType.MODEL, repo_id=f"{ORG}/demo")
    prize = describe_prize_eligibility(edition_id=edition.pk, team_ids=[team.pk])[team.pk]
    assert "was not found" in prize.missing[0]


def test_eligibility_of_many_teams_takes_the_same_queries(team, edition, django_assert_num_queries):
    synced_space(edition)
    save_project(team=team, by=member(team), values=full())
    with django_assert_num_queries(3):
        one = describe_prize_eligibility(edition_id=edition.pk, team_ids=[team.pk])
    others = [make_team(edition=edition) for _ in range(2)]
    for other, name in zip(others, ("s1", "s2"), strict=True):
        synced_space(edition, name=name, stage="STOPPED")
        save_project(team=other, by=member(other), values=full(demo_space=f"{ORG}/{name}"))
    with django_assert_num_queries(3):
        three = describe_prize_eligibility(
            edition_id=edition.pk, team_ids=[team.pk] + [other.pk for other in others]
        )
    assert one[team.pk].eligible and three[team.pk].eligible
    assert [three[other.pk].eligible for other in others] == [False, False]


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
    synced_space(team.edition, name="s", stage="RUNTIME_ERROR")
    page = client.get("/team/project/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Not eligible for prizes yet" in page
    assert f"The demo Space “{ORG}/s” is not running (RUNTIME_ERROR)." in page


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


def test_a_window_not_yet_open_says_when_it_opens_and_every_problem_comes_at_once(team, edition):
    video = edition.challenges.get(kind="video")
    paper = edition.challenges.get(kind="paper")
    video.opens_at = paper.opens_at = timezone.now() + dt.timedelta(days=7)
    video.closes_at = paper.closes_at = timezone.now() + dt.timedelta(days=30)
    video.save()
    paper.save()
    with pytest.raises(ContributionRefused) as error:
        save_project(
            team=team,
            by=member(team),
            values=full(paper_url="https://arxiv.org/abs/1", model_repos=["otra/m"]),
        )
    message = str(error.value.message)
    # The repository's problem is told with the windows' ones once the repository is right.
    assert "must be in the organization" in message
    with pytest.raises(ContributionRefused) as error:
        save_project(team=team, by=member(team), values=full(paper_url="https://arxiv.org/abs/1"))
    message = str(error.value.message)
    assert f"“{video.title}” opens on" in message and f"“{paper.title}” opens on" in message
    assert "no longer change" not in message
    assert not ProjectSubmission.objects.exists()


def test_every_form_problem_is_reported_at_once(team):
    with pytest.raises(ContributionRefused) as error:
        save_project(
            team=team,
            by=member(team),
            values=full(model_repos=["otra-org/m"], demo_space="x/--bad", video_seconds=None),
        )
    message = str(error.value.message)
    assert "must be in the organization" in message
    assert "not a Hugging Face repository id" in message and "length" in message


def test_the_page_disables_the_parts_not_open_with_when_they_open(client, team, edition):
    video = edition.challenges.get(kind="video")
    video.opens_at = timezone.now() + dt.timedelta(days=7)
    video.closes_at = timezone.now() + dt.timedelta(days=30)
    video.save()
    client.force_login(member(team))
    page = client.get("/team/project/", HTTP_ACCEPT_LANGUAGE="en")
    form = page.context["form"]
    assert form.fields["video_url"].disabled and form.fields["video_length"].disabled
    assert not form.fields["demo_space"].disabled
    assert f"“{video.title}” opens on" in page.content.decode()
    # A post with the disabled parts filled in saves the open parts and keeps the others.
    data = {
        "track": "A", "model_repos": "", "dataset_repos": "", "demo_space": f"{ORG}/s",
        "video_url": "https://youtu.be/x", "video_length": "4:00", "paper_url": "",
    }  # fmt: skip
    assert client.post("/team/project/", data).status_code == 302
    submission = ProjectSubmission.objects.get()
    assert submission.demo_space == f"{ORG}/s" and submission.video_url == ""
