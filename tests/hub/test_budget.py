"""What a sync costs the Hub, counted by kind against the fake Hub: the listings ask for what
they store (expand), so a changed repository costs at most one API call beyond the listing
pages, its card is a download from the file resolver, commit histories are read only where
they matter, and the Spaces' runtime stage is refreshed at every sync without a call per
Space."""

import datetime as dt

import pytest
import requests

from challenges.models import Challenge
from challenges.projects.models import ProjectSubmission
from hub.domain import sync_edition
from hub.models import HubRepo, SyncRun
from tests.factories import ChallengeFactory, make_team
from tests.hub.conftest import ORG
from tests.hub.fake_hub import hub_date

pytestmark = pytest.mark.django_db

LISTINGS = ("/api/models", "/api/datasets", "/api/spaces")
MEMBERS = f"/api/organizations/{ORG}/members"
# The alignment challenge closes between day 10 and day 20 of the fake Hub's dates.
ALIGNMENT_CLOSES = dt.datetime(2026, 3, 15, 12, 0, tzinfo=dt.UTC)


def paths(hub, *, part: str) -> list[str]:
    return [r["path"] for r in hub.state.requests if part in r["path"]]


@pytest.fixture
def declared_org(edition, fake_hub):
    """A team declaring its model, dataset and Space; one undeclared dataset."""
    ChallengeFactory(
        edition=edition,
        kind=Challenge.Kind.ALIGNMENT,
        opens_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
        closes_at=ALIGNMENT_CLOSES,
    )
    state = fake_hub.state
    state.add("model", f"{ORG}/modelo", day=10)
    state.add("dataset", f"{ORG}/datos", day=10)
    state.add("space", f"{ORG}/demo", day=10)
    state.add("dataset", f"{ORG}/suelto", day=11)
    team = make_team(edition=edition, members=1, name="Alpaca")
    ProjectSubmission.objects.create(
        team=team,
        model_repos=[f"{ORG}/modelo"],
        dataset_repos=[f"{ORG}/datos"],
        demo_space=f"{ORG}/demo",
    )
    return fake_hub


def test_declared_repositories_before_the_deadline_cost_no_api_call_of_their_own(
    edition, declared_org
):
    run = sync_edition(edition=edition)

    assert run.status == SyncRun.Status.DONE, run.errors
    # 3 listing pages, the undeclared dataset's commits (its link depends on its authors),
    # the members; the 4 cards from the resolver.
    assert (run.api_requests, run.resolver_requests) == (3 + 1 + 1, 4)
    assert run.http_requests == len(declared_org.state.requests) == 9
    sha = declared_org.state.find("dataset", f"{ORG}/suelto")["sha"]
    assert paths(declared_org, part="/commits/") == [f"/api/datasets/{ORG}/suelto/commits/{sha}"]
    assert paths(declared_org, part="/tree/") == []
    assert len(paths(declared_org, part="/resolve/")) == 4
    declared = HubRepo.objects.get(repo_id=f"{ORG}/modelo")
    assert declared.commits == []  # not read: not needed
    assert declared.files == sorted(declared_org.state.repo_files("model", f"{ORG}/modelo"))
    assert declared.details_sha == declared.sha
    undeclared = HubRepo.objects.get(repo_id=f"{ORG}/suelto")
    assert [c["id"] for c in undeclared.commits] == [undeclared.sha]


def test_a_declared_repository_changed_after_its_deadline_has_its_history_read(
    edition, declared_org
):
    sync_edition(edition=edition)
    state = declared_org.state
    early = state.commit(
        "dataset", f"{ORG}/datos", files={"a": b"1"}, author="a", date=hub_date(12)
    )
    state.requests.clear()
    sync_edition(edition=edition)
    assert paths(declared_org, part="/commits/") == []  # before the deadline: not needed
    assert HubRepo.objects.get(repo_id=f"{ORG}/datos").sha == early

    late = state.commit("model", f"{ORG}/modelo", files={"b": b"2"}, author="a", date=hub_date(20))
    state.requests.clear()
    run = sync_edition(edition=edition)

    assert paths(declared_org, part="/commits/") == [f"/api/models/{ORG}/modelo/commits/{late}"]
    assert (run.api_requests, run.resolver_requests) == (3 + 1 + 1, 1)
    model = HubRepo.objects.get(repo_id=f"{ORG}/modelo")
    assert [c["id"] for c in model.commits][0] == late


def test_a_space_that_crashes_without_a_commit_is_seen_at_the_next_sync(edition, declared_org):
    state = declared_org.state
    state.page_size = 1  # a page per repository: the Spaces are still read whole
    state.add("space", f"{ORG}/otra-demo", day=12)
    sync_edition(edition=edition)
    assert sync_edition(edition=edition).full_listing is False
    state.find("space", f"{ORG}/demo")["runtime"] = {"stage": "RUNTIME_ERROR"}
    state.requests.clear()

    run = sync_edition(edition=edition)

    assert not run.full_listing
    assert HubRepo.objects.get(repo_id=f"{ORG}/demo").runtime_stage == "RUNTIME_ERROR"
    assert run.updated == 1
    # Two listing pages of Spaces (the older one included), no request per Space.
    assert paths(declared_org, part="/api/spaces") == ["/api/spaces"] * 2
    assert (run.api_requests, run.resolver_requests) == (1 + 1 + 2 + 1, 0)


def test_the_fake_hub_answers_expand_as_the_hub_does(declared_org):
    base = f"{declared_org.url}/api/models"
    answer = requests.get(
        base, params={"author": ORG, "expand[]": ["sha", "siblings"]}, timeout=5
    ).json()
    assert answer == [
        {
            "_id": f"id-{ORG}/modelo",
            "id": f"{ORG}/modelo",
            "sha": declared_org.state.find("model", f"{ORG}/modelo")["sha"],
            "siblings": [{"rfilename": ".gitattributes"}, {"rfilename": "README.md"}],
        }
    ]
    unknown = requests.get(base, params={"expand": ["sha", "stars"]}, timeout=5)
    assert unknown.status_code == 400
    combined = requests.get(base, params={"expand": "sha", "full": "true"}, timeout=5)
    assert combined.status_code == 400
