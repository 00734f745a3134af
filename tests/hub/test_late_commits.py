"""Late commits judged per challenge: each repository against the deadline of the challenge it
serves (a prompt dataset: preferences; a team's declared model or dataset: alignment; a
Space: demo), its team's extensions included; and the organizers' list of every late commit
of the organization, with its filters."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from challenges.models import Challenge, WindowExtension
from challenges.projects.models import ProjectSubmission
from hub.checks import served_challenge
from hub.domain.deadlines import list_late_commits
from hub.models import HubRepo, LinkStatus
from tests.factories import ChallengeFactory, make_team
from tests.hub.conftest import ORG

pytestmark = pytest.mark.django_db

PREFERENCES_CLOSE = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
ALIGNMENT_CLOSE = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
DEMO_CLOSE = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def client():
    """Pages read in English: the assertions quote the English texts."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


def commit(sha: str, date: str, title: str = "update", author: str = "ana") -> dict:
    return {"id": sha * 40, "title": title, "authors": [author], "date": date}


def make_repo(edition, name, *, repo_type, commits, team=None, readme=""):
    return HubRepo.objects.create(
        edition=edition,
        repo_type=repo_type,
        repo_id=f"{ORG}/{name}",
        sha=commits[0]["id"],
        details_sha=commits[0]["id"],
        commits=commits,
        readme=readme,
        team=team,
        link_status=LinkStatus.DECLARED if team else LinkStatus.NONE,
        last_modified=dt.datetime.fromisoformat(commits[0]["date"].replace("Z", "+00:00")),
    )


@pytest.fixture
def challenges(edition):
    dates = {"opens_at": dt.datetime(2026, 2, 1, tzinfo=dt.UTC)}
    return {
        "preferences": ChallengeFactory(
            edition=edition, kind=Challenge.Kind.PREFERENCES, closes_at=PREFERENCES_CLOSE, **dates
        ),
        "alignment": ChallengeFactory(
            edition=edition, kind=Challenge.Kind.ALIGNMENT, closes_at=ALIGNMENT_CLOSE, **dates
        ),
        "demo": ChallengeFactory(
            edition=edition, kind=Challenge.Kind.DEMO, closes_at=DEMO_CLOSE, **dates
        ),
    }


@pytest.fixture
def org(edition, challenges):
    """Alpaca's prompts pushed after the preferences closed (before alignment did), its
    declared dataset and model, its demo; Llama's model with an extension."""
    alpaca = make_team(edition=edition, members=1, name="Alpaca")
    llama = make_team(edition=edition, members=1, name="Llama")
    repos = {
        "prompts": make_repo(
            edition, "alpaca-prompts", repo_type="dataset", team=alpaca,
            commits=[commit("p", "2026-03-05T10:00:00Z", "more prompts"),
                     commit("o", "2026-02-20T10:00:00Z")],
        ),
        "dpo": make_repo(
            edition, "alpaca-dpo", repo_type="dataset", team=alpaca,
            commits=[commit("d", "2026-03-05T10:00:00Z", "fine before alignment closed")],
        ),
        "model": make_repo(
            edition, "alpaca-model", repo_type="model", team=alpaca,
            commits=[commit("m", "2026-03-12T10:00:00Z", "late weights")],
        ),
        "demo": make_repo(
            edition, "alpaca-demo", repo_type="space", team=alpaca,
            commits=[commit("s", "2026-03-12T10:00:00Z", "demo on time")],
        ),
        "llama_model": make_repo(
            edition, "llama-model", repo_type="model", team=llama,
            commits=[commit("l", "2026-03-12T10:00:00Z", "inside the extension")],
        ),
    }  # fmt: skip
    ProjectSubmission.objects.create(
        team=alpaca,
        model_repos=[f"{ORG}/alpaca-model"],
        dataset_repos=[f"{ORG}/alpaca-dpo"],
        demo_space=f"{ORG}/alpaca-demo",
    )
    WindowExtension.objects.create(
        challenge=challenges["alignment"],
        team=llama,
        closes_at=dt.datetime(2026, 3, 13, tzinfo=dt.UTC),
        reason="Power cut",
    )
    return {"alpaca": alpaca, "llama": llama, **repos}


def test_the_challenge_a_repository_serves():
    assert served_challenge(repo_type="space", name="x", columns=set(), declared=False) == "demo"
    assert served_challenge(repo_type="model", name="x", columns=set(), declared=False) == (
        "alignment"
    )
    prompt_name = {"repo_type": "dataset", "name": "mis-prompts", "columns": set()}
    assert served_challenge(**prompt_name, declared=False) == "preferences"
    assert served_challenge(**prompt_name, declared=True) == "alignment"  # the team's dataset
    by_columns = {"repo_type": "dataset", "name": "corpus", "declared": False}
    assert served_challenge(**by_columns, columns={"prompt"}) == "preferences"
    assert served_challenge(**by_columns, columns={"prompt", "chosen", "rejected"}) == ("alignment")


def test_late_commits_are_judged_against_the_challenge_each_repository_serves(
    edition, org, challenges
):
    late = list_late_commits(edition=edition)

    found = {(item.repo.name, item.commit["title"], item.challenge.kind) for item in late}
    assert found == {
        ("alpaca-prompts", "more prompts", "preferences"),  # after the preferences closed
        ("alpaca-model", "late weights", "alignment"),
    }
    # The dataset pushed at the same moment serves alignment: not late. The demo closes
    # later; Llama's own extension covers its commit.
    assert [item.commit["title"] for item in late] == ["late weights", "more prompts"]
    assert late[1].deadline == PREFERENCES_CLOSE

    llama_late = dt.datetime(2026, 3, 14, tzinfo=dt.UTC).isoformat().replace("+00:00", "Z")
    HubRepo.objects.filter(pk=org["llama_model"].pk).update(
        commits=[commit("k", llama_late, "after the extension"), *org["llama_model"].commits]
    )
    late = list_late_commits(edition=edition, team_id=org["llama"].pk)
    assert [(i.commit["title"], i.deadline) for i in late] == [
        ("after the extension", dt.datetime(2026, 3, 13, tzinfo=dt.UTC))
    ]


def test_the_repository_page_judges_a_prompt_dataset_against_the_preferences(
    client, edition, org, challenges, judge
):
    client.force_login(judge)
    page = client.get(f"/hub/repos/{org['prompts'].pk}/").content.decode()

    assert challenges["preferences"].title in page
    assert "1 commit after the deadline" in page and "more prompts" in page


def test_a_repository_read_without_its_history_is_judged_by_its_newest_commit(
    client, edition, challenges, judge
):
    team = make_team(edition=edition, members=1)
    repo = make_repo(
        edition, "declarado", repo_type="model", team=team,
        commits=[commit("a", "2026-03-05T10:00:00Z")],
    )  # fmt: skip
    HubRepo.objects.filter(pk=repo.pk).update(commits=[])  # not read: not needed
    client.force_login(judge)

    page = client.get(f"/hub/repos/{repo.pk}/").content.decode()

    assert "No commit after the deadline." in page
    assert f"/tree/{'a' * 40}" in page  # its newest commit, the one at the deadline


def test_organizers_list_every_late_commit_with_filters_and_pages(
    client, edition, org, organizer, settings
):
    client.force_login(organizer)
    page = client.get("/organize/hub/late/").content.decode()
    assert "2 commits after the deadline" in page
    assert "more prompts" in page and "late weights" in page
    assert "fine before alignment closed" not in page

    by_challenge = client.get("/organize/hub/late/", {"challenge": "preferences"})
    assert "more prompts" in by_challenge.content.decode()
    assert "late weights" not in by_challenge.content.decode()
    by_type = client.get("/organize/hub/late/", {"repo_type": "model"}).content.decode()
    assert "late weights" in by_type and "more prompts" not in by_type
    by_team = client.get("/organize/hub/late/", {"team": org["llama"].pk}).content.decode()
    assert "No commit after the deadline." in by_team

    settings.PAGE_SIZE = 1
    first = client.get("/organize/hub/late/", {"repo_type": ""}).content.decode()
    assert "late weights" in first and "more prompts" not in first
    assert "repo_type=&amp;page=2" in first  # the filters are kept
    second = client.get("/organize/hub/late/", {"page": 2}).content.decode()
    assert "more prompts" in second


def test_the_late_commits_page_makes_as_many_queries_for_one_as_for_three(
    client, edition, challenges, organizer
):
    team = make_team(edition=edition, members=1)
    make_repo(edition, "m0", repo_type="model", team=team,
              commits=[commit("a", "2026-03-12T10:00:00Z")])  # fmt: skip
    client.force_login(organizer)
    with CaptureQueriesContext(connection) as one:
        assert "1 commit after" in client.get("/organize/hub/late/").content.decode()
    other = make_team(edition=edition, members=1)
    WindowExtension.objects.create(
        challenge=challenges["alignment"], team=other,
        closes_at=dt.datetime(2026, 3, 11, tzinfo=dt.UTC), reason="x",
    )  # fmt: skip
    make_repo(edition, "m1", repo_type="model", team=other,
              commits=[commit("b", "2026-03-12T10:00:00Z")])  # fmt: skip
    make_repo(edition, "m2-prompt", repo_type="dataset",
              commits=[commit("c", "2026-03-12T10:00:00Z")])  # fmt: skip
    with CaptureQueriesContext(connection) as three:
        assert "3 commits after" in client.get("/organize/hub/late/").content.decode()
    assert len(three) == len(one)
