import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Profile
from hub.domain import start_sync, sync_edition, verify_memberships
from hub.models import HubRepo, SyncRun
from hub.tasks import sync_current_edition, sync_hub_task
from tests.factories import ProfileFactory
from tests.hub.conftest import ORG
from tests.hub.fake_hub import hub_date

pytestmark = pytest.mark.django_db

LISTINGS = ("/api/models", "/api/datasets", "/api/spaces")
# Per repository whose commit changed: its files come with the listing (expand=siblings); an
# undeclared one's commits (its team link depends on its authors) are one API call, its card
# one download from the file resolver.
DETAIL_API = 1
DETAIL_RESOLVER = 1
DETAIL_REQUESTS = DETAIL_API + DETAIL_RESOLVER
MEMBERS = 1


def listing_requests(hub):
    return [r for r in hub.state.requests if r["path"] in LISTINGS]


def test_first_sync_creates_the_repositories_with_their_fields(edition, hub_org):
    run = sync_edition(edition=edition)

    assert run.status == SyncRun.Status.DONE
    assert (run.seen, run.created, run.updated, run.unchanged, run.failed) == (4, 4, 0, 0, 0)
    assert run.http_requests == 3 + 4 * DETAIL_REQUESTS + MEMBERS
    assert (run.api_requests, run.resolver_requests) == (3 + 4 * DETAIL_API + MEMBERS, 4)
    assert run.errors == []
    assert run.finished_at is not None
    assert HubRepo.objects.filter(edition=edition).count() == 4
    assert not HubRepo.objects.filter(repo_id__startswith="otra-org/").exists()

    model = HubRepo.objects.get(repo_id=f"{ORG}/modelo-b")
    assert model.repo_type == "model"
    assert model.private is True
    assert model.gated == "manual"
    assert model.sha == hub_org.state.find("model", f"{ORG}/modelo-b")["sha"]
    assert model.last_modified == dt.datetime(2026, 3, 12, 10, 0, tzinfo=dt.UTC)
    assert model.created_at == dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)
    assert (model.likes, model.downloads) == (3, 10)
    assert model.card["license"] == "apache-2.0"
    assert model.card["language"] == ["es"]
    assert model.card["base_model"] == "org/base"
    assert model.card["datasets"] == ["org/data"]
    assert model.card["co2_eq_emissions"] == {"emissions": 12.5}
    assert (model.sdk, model.runtime_stage) == ("", "")

    dataset = HubRepo.objects.get(repo_id=f"{ORG}/corpus")
    assert dataset.repo_type == "dataset"
    assert dataset.gated == ""
    assert dataset.card["license"] == "apache-2.0"

    space = HubRepo.objects.get(repo_id=f"{ORG}/demo")
    assert space.repo_type == "space"
    assert (space.sdk, space.runtime_stage) == ("gradio", "RUNNING")

    # The listings ask for the organization's repositories, newest first.
    for request in listing_requests(hub_org):
        assert request["query"]["author"] == [ORG]
        assert request["query"]["sort"] == ["lastModified"]
        # What they store, the files and the Spaces' runtime with them: no tree is read.
        assert {"sha", "lastModified", "cardData", "siblings"} <= set(request["query"]["expand"])
    assert (
        "runtime"
        in next(r for r in listing_requests(hub_org) if r["path"] == "/api/spaces")["query"][
            "expand"
        ]
    )
    assert model.files == sorted(hub_org.state.repo_files("model", f"{ORG}/modelo-b"))
    assert not any("/tree/" in r["path"] for r in hub_org.state.requests)


def test_second_sync_with_nothing_changed_writes_nothing(edition, hub_org):
    hub_org.state.page_size = 1  # several pages per type: still only the first is fetched
    sync_edition(edition=edition)
    stamps = dict(HubRepo.objects.values_list("repo_id", "updated_at"))
    hub_org.state.requests.clear()

    run = sync_edition(edition=edition)

    assert (run.created, run.updated, run.failed) == (0, 0, 0)
    assert run.unchanged == 3  # the newest of each type, where the listing stops
    assert dict(HubRepo.objects.values_list("repo_id", "updated_at")) == stamps
    assert sorted(r["path"] for r in listing_requests(hub_org)) == sorted(LISTINGS)
    assert run.http_requests == 3 + MEMBERS
    assert run.details_total == 0


def test_one_changed_repository_is_updated(edition, hub_org):
    sync_edition(edition=edition)
    sha = hub_org.state.commit(
        "model", f"{ORG}/modelo-a", files={"train.ipynb": b"{}"}, author="ana", date=hub_date(15)
    )
    hub_org.state.find("model", f"{ORG}/modelo-a")["likes"] = 7
    hub_org.state.requests.clear()

    run = sync_edition(edition=edition)

    assert (run.created, run.updated, run.details_total, run.details_done) == (0, 1, 1, 1)
    repo = HubRepo.objects.get(repo_id=f"{ORG}/modelo-a")
    assert (repo.sha, repo.details_sha, repo.likes) == (sha, sha, 7)
    assert repo.last_modified == dt.datetime(2026, 3, 15, 10, 0, tzinfo=dt.UTC)
    assert "train.ipynb" in repo.files
    assert [c["authors"] for c in repo.commits] == [["ana"], ["system"]]
    # Only the changed repository's details were asked for, at its new commit.
    detail_paths = {r["path"] for r in hub_org.state.requests if r["path"] not in LISTINGS}
    assert f"/api/models/{ORG}/modelo-a/commits/{sha}" in detail_paths
    assert not any("modelo-b" in path or "corpus" in path for path in detail_paths)


def test_pagination_follows_the_link_header(edition, fake_hub):
    fake_hub.state.page_size = 2
    for day in range(1, 8):
        fake_hub.state.add("model", f"{ORG}/m{day}", day=day)

    run = sync_edition(edition=edition)

    assert (run.seen, run.created) == (7, 7)
    model_pages = [r for r in fake_hub.state.requests if r["path"] == "/api/models"]
    assert len(model_pages) == 4
    assert [r["query"].get("cursor") for r in model_pages] == [None, ["2"], ["4"], ["6"]]
    # Four pages of models, one of datasets and of Spaces, then the details of 7 models.
    assert run.http_requests == 4 + 2 + 7 * DETAIL_REQUESTS + MEMBERS

    # A new repository on top: one page is enough to reach the known ones.
    fake_hub.state.add("model", f"{ORG}/m-new", day=20)
    fake_hub.state.requests.clear()
    run = sync_edition(edition=edition)
    assert (run.created, run.unchanged) == (1, 1)
    assert len([r for r in fake_hub.state.requests if r["path"] == "/api/models"]) == 1


def test_an_error_answer_is_recorded_and_the_run_goes_on(edition, hub_org, settings):
    settings.HF_TOKEN = "hf_SecretTokenValue1234567890"
    hub_org.state.errors["/api/datasets"] = (403, "Forbidden", "You cannot list these")

    run = sync_edition(edition=edition)

    # The other listings were read, but the run did not see the whole organization.
    assert run.status == SyncRun.Status.FAILED
    assert run.created == 3  # models and Spaces
    assert len(run.errors) == 1, run.errors
    assert run.errors[0]["where"] == "list datasets"
    assert "403" in run.errors[0]["error"]
    # The server echoed the credentials: they were sent, and redacted from the run.
    assert any(r["auth"] == f"Bearer {settings.HF_TOKEN}" for r in hub_org.state.requests)
    stored = json.dumps(SyncRun.objects.get(pk=run.pk).errors)
    assert settings.HF_TOKEN not in stored
    assert "***" in stored


def test_every_listing_failing_marks_the_run_failed(edition, fake_hub):
    for path in LISTINGS:
        fake_hub.state.errors[path] = (401, "Unauthorized", "Invalid credentials")

    run = sync_edition(edition=edition)

    assert run.status == SyncRun.Status.FAILED
    assert len(run.errors) == 3
    assert HubRepo.objects.count() == 0


def test_one_bad_repository_is_counted_as_failed(edition, fake_hub):
    fake_hub.state.add("model", f"{ORG}/bueno", day=3)
    fake_hub.state.add("model", f"{ORG}/malo", day=4, likes=-5)  # does not fit the field

    run = sync_edition(edition=edition)

    assert (run.seen, run.created, run.failed) == (2, 1, 1)
    assert run.errors[0]["where"] == f"model:{ORG}/malo"
    assert HubRepo.objects.filter(repo_id=f"{ORG}/bueno").exists()


def test_membership_verification_marks_only_the_matching_profiles(edition, fake_hub):
    member = ProfileFactory(hub_username="Ana-Lopez")
    outsider = ProfileFactory(hub_username="someone-else")
    fake_hub.state.members = [
        {"user": "ana-lopez", "fullname": "Ana López", "avatarUrl": "", "type": "user"},
        {"user": "no-profile", "fullname": "Nadie", "avatarUrl": "", "type": "user"},
    ]

    assert verify_memberships(edition=edition) == 1
    assert verify_memberships(edition=edition) == 0  # already verified: nothing more

    member.refresh_from_db()
    outsider.refresh_from_db()
    assert member.hub_membership_verified_at is not None
    assert outsider.hub_membership_verified_at is None


def test_hf_org_setting_overrides_the_edition_organization(edition, fake_hub, settings):
    settings.HF_ORG = "otra-org"
    fake_hub.state.add("model", "otra-org/suyo", day=5)
    fake_hub.state.add("model", f"{ORG}/nuestro", day=5)

    run = sync_edition(edition=edition)

    assert list(HubRepo.objects.values_list("repo_id", flat=True)) == ["otra-org/suyo"]
    assert run.created == 1


def test_command_prints_one_json_line_with_the_counts(edition, hub_org):
    ProfileFactory(hub_username="miembro")
    hub_org.state.members = [{"user": "miembro", "fullname": "M"}]
    out = StringIO()

    call_command("sync_hub", stdout=out)

    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    counts = json.loads(lines[0])
    assert counts["seen"] == 4
    assert counts["created"] == 4
    assert counts["updated"] == 0
    assert counts["unchanged"] == 0
    assert counts["failed"] == 0
    assert counts["http_requests"] == 3 + 4 * DETAIL_REQUESTS + MEMBERS
    assert counts["api_requests"] == 3 + 4 * DETAIL_API + MEMBERS
    assert counts["resolver_requests"] == 4
    assert counts["details_fetched"] == 4
    assert counts["members_verified"] == 1
    assert Profile.objects.get(hub_username="miembro").hub_membership_verified_at is not None


def test_task_is_idempotent(edition, hub_org):
    # apply() runs the task here, whatever the broker (tests/hub/test_worker.py uses a worker).
    run = start_sync(edition=edition)
    first = sync_hub_task.apply(args=[run.pk]).get()
    again = sync_hub_task.apply(args=[run.pk]).get()  # delivered twice: nothing more happens
    second = sync_hub_task.apply(args=[start_sync(edition=edition).pk]).get()

    assert first["created"] == 4
    assert again == first
    assert (second["created"], second["updated"]) == (0, 0)
    assert HubRepo.objects.count() == 4
    assert SyncRun.objects.count() == 2


def test_task_of_a_run_that_is_gone_does_nothing(edition, fake_hub):
    assert sync_hub_task.apply(args=[987654]).get() is None
    assert not fake_hub.state.requests
    assert SyncRun.objects.count() == 0


def test_periodic_sync_without_an_edition_does_nothing(fake_hub):
    assert sync_current_edition.apply().get() is None
    assert not fake_hub.state.requests
    assert SyncRun.objects.count() == 0


def test_members_error_is_recorded_without_the_token(edition, hub_org, settings):
    settings.HF_TOKEN = "hf_AnotherSecretToken987654321"
    hub_org.state.errors[f"/api/organizations/{ORG}/members"] = (403, "Forbidden", "No access")

    run = sync_edition(edition=edition)

    assert run.created == 4
    assert [e["where"] for e in run.errors] == ["list members"]
    assert settings.HF_TOKEN not in json.dumps(SyncRun.objects.get(pk=run.pk).errors)


def test_after_a_failed_listing_the_next_run_reads_the_whole_listing(edition, fake_hub):
    fake_hub.state.page_size = 1
    for day in (1, 2, 3):
        fake_hub.state.add("dataset", f"{ORG}/d{day}", day=day)
    fake_hub.state.add("dataset", f"{ORG}/new", day=9)
    sync_edition(edition=edition)
    fake_hub.state.errors["/api/datasets"] = (403, "Forbidden", "Try later")
    sync_edition(edition=edition)  # fails on datasets
    del fake_hub.state.errors["/api/datasets"]
    fake_hub.state.requests.clear()

    run = sync_edition(edition=edition)

    assert run.unchanged == 4  # every dataset read again, none skipped
    assert len([r for r in fake_hub.state.requests if r["path"] == "/api/datasets"]) == 4

    fake_hub.state.requests.clear()
    run = sync_edition(edition=edition)  # a clean previous run: back to stopping early
    assert len([r for r in fake_hub.state.requests if r["path"] == "/api/datasets"]) == 1


def test_command_help_and_missing_edition(db):
    from django.core.management import CommandError

    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("sync_hub", "--help", stdout=out)
    with pytest.raises(CommandError):
        call_command("sync_hub", stdout=StringIO())
