"""The sync beyond the listings, against the fake Hub: details, faults, missing repositories,
links to teams and the runs themselves."""

import datetime as dt
import json

import pytest
from django.utils import timezone, translation

from challenges.models import ChangeRecord
from challenges.projects.models import ProjectSubmission
from hub.domain import (
    LinkRefused,
    SyncRefused,
    confirm_repo_link,
    link_repositories,
    run_sync,
    start_sync,
    sync_edition,
)
from hub.models import HubRepo, LinkStatus, SyncRun
from tests.factories import make_team
from tests.hub.conftest import ORG
from tests.hub.fake_hub import hub_date

pytestmark = pytest.mark.django_db

TOKEN = "hf_DetailsSecretToken123456789"


def repo(repo_id):
    return HubRepo.objects.get(repo_id=f"{ORG}/{repo_id}")


def test_details_are_stored_for_each_repository_at_its_commit(edition, fake_hub):
    card = b"---\nlicense: apache-2.0\n---\n# Modelo\nMotivation and bias evaluation.\n"
    fake_hub.state.add(
        "model",
        f"{ORG}/modelo",
        day=4,
        files={"README.md": card, "train.ipynb": b"{}", "weights/model.safetensors": b"0"},
        author="ana",
    )
    fake_hub.state.commit(
        "model", f"{ORG}/modelo", files={"eval.py": b""}, author="luis", date=hub_date(5)
    )

    run = sync_edition(edition=edition)

    stored = repo("modelo")
    assert (run.details_total, run.details_done, run.failed) == (1, 1, 0)
    assert stored.details_sha == stored.sha == fake_hub.state.find("model", f"{ORG}/modelo")["sha"]
    assert stored.files == ["README.md", "eval.py", "train.ipynb", "weights/model.safetensors"]
    assert stored.readme == card.decode()
    assert [c["authors"] for c in stored.commits] == [["luis"], ["ana"]]
    assert stored.commits[0]["date"] == "2026-03-05T10:00:00Z"
    assert stored.details_error == ""
    # The card was downloaded at the commit the listing gave, not at "main".
    assert any(
        r["path"] == f"/{ORG}/modelo/resolve/{stored.sha}/README.md"
        for r in fake_hub.state.requests
    )


def test_a_broken_card_is_that_repositorys_error_and_the_run_goes_on(edition, fake_hub):
    fake_hub.state.add("dataset", f"{ORG}/roto", day=3, files={"README.md": b"---\nx: [1\n---\n"})
    fake_hub.state.add("dataset", f"{ORG}/sano", day=2)

    run = sync_edition(edition=edition)

    assert run.status == SyncRun.Status.DONE
    assert (run.details_done, run.failed) == (2, 1)
    assert [e["where"] for e in run.errors] == [f"dataset:{ORG}/roto"]
    broken = repo("roto")
    assert "card metadata" in broken.details_error.lower()
    assert broken.details_sha == broken.sha  # not fetched again until the next commit
    assert repo("sano").details_error == ""

    stamps = dict(HubRepo.objects.values_list("repo_id", "updated_at"))
    again = sync_edition(edition=edition)
    assert (again.details_total, again.failed, again.updated) == (0, 0, 0)
    assert dict(HubRepo.objects.values_list("repo_id", "updated_at")) == stamps


def test_a_missing_file_is_recorded_without_the_token(edition, fake_hub, settings):
    settings.HF_TOKEN = TOKEN
    info = fake_hub.state.add("space", f"{ORG}/demo", day=3)
    fake_hub.state.add("space", f"{ORG}/otra", day=2)
    path = f"/spaces/{ORG}/demo/resolve/{info['sha']}/README.md"
    fake_hub.state.errors[path] = (404, "EntryNotFound", "README.md does not exist")

    run = sync_edition(edition=edition)

    assert (run.status, run.failed, run.details_done) == (SyncRun.Status.DONE, 1, 2)
    demo = repo("demo")
    assert "404" in demo.details_error
    assert demo.details_sha == demo.sha
    assert repo("otra").details_error == ""
    stored = json.dumps(SyncRun.objects.get(pk=run.pk).errors) + demo.details_error
    assert TOKEN not in stored
    assert any(r["auth"] == f"Bearer {TOKEN}" for r in fake_hub.state.requests)


def test_a_repository_gone_before_its_details_are_read_is_marked_missing(edition, fake_hub):
    info = fake_hub.state.add("model", f"{ORG}/fugaz", day=3)
    # Its tree comes with the listing: the first request of its own is its commits.
    path = f"/api/models/{ORG}/fugaz/commits/{info['sha']}"
    fake_hub.state.errors[path] = (404, "RepoNotFound", "Repository not found")

    run = sync_edition(edition=edition)

    assert run.failed == 1
    assert repo("fugaz").missing_since is not None


def test_rate_limits_and_server_errors_are_retried(edition, fake_hub):
    info = fake_hub.state.add("model", f"{ORG}/modelo", day=3)
    # The Hub's rate-limit answer: no request left, the window resets in 0 s.
    fake_hub.state.rate_limit("/api/models", times=1, reset=0)
    fake_hub.state.fail_once(f"/api/models/{ORG}/modelo/commits/{info['sha']}", status=503)

    run = sync_edition(edition=edition)

    assert (run.status, run.created, run.failed, run.errors) == (SyncRun.Status.DONE, 1, 0, [])
    assert len(repo("modelo").commits) == 1
    paths = [r["path"] for r in fake_hub.state.requests]
    assert paths.count("/api/models") == 2
    assert paths.count(f"/api/models/{ORG}/modelo/commits/{info['sha']}") == 2
    assert run.http_requests == len(fake_hub.state.requests)


def test_a_full_listing_marks_what_vanished_and_a_reappearance_clears_it(edition, fake_hub):
    for name in ("uno", "dos", "tres"):
        fake_hub.state.add("dataset", f"{ORG}/{name}", day=3)
    assert sync_edition(edition=edition).full_listing  # the first run reads everything
    fake_hub.state.remove("dataset", f"{ORG}/dos")

    incremental = sync_edition(edition=edition)
    assert not incremental.full_listing
    assert incremental.missing == 0  # an incremental listing cannot tell
    full = sync_edition(edition=edition, full=True)

    assert full.missing == 1
    assert repo("dos").missing_since is not None
    assert repo("uno").missing_since is None
    assert sync_edition(edition=edition, full=True).missing == 0  # already marked

    fake_hub.state.add("dataset", f"{ORG}/dos", day=9)
    sync_edition(edition=edition)
    assert repo("dos").missing_since is None


def test_a_full_listing_runs_again_once_the_last_one_is_old(edition, fake_hub, settings):
    fake_hub.state.add("model", f"{ORG}/m", day=3)
    first = sync_edition(edition=edition)
    SyncRun.objects.filter(pk=first.pk).update(started_at=timezone.now() - dt.timedelta(days=2))

    assert sync_edition(edition=edition).full_listing


def test_one_sync_at_a_time_and_a_cut_off_run_is_marked_failed(edition, fake_hub, settings):
    fake_hub.state.add("model", f"{ORG}/m", day=3)
    queued = start_sync(edition=edition)
    with pytest.raises(SyncRefused) as refused:
        start_sync(edition=edition)
    assert "already" in str(refused.value.message)
    assert SyncRun.objects.count() == 1

    SyncRun.objects.filter(pk=queued.pk).update(
        status=SyncRun.Status.RUNNING, started_at=timezone.now() - dt.timedelta(hours=3)
    )
    run = sync_edition(edition=edition)

    queued.refresh_from_db()
    assert queued.status == SyncRun.Status.FAILED
    assert queued.errors[-1]["where"] == "run"
    assert run.status == SyncRun.Status.DONE
    assert run.full_listing  # the previous run did not finish: read everything again


def test_a_finished_run_is_not_run_again(edition, fake_hub):
    fake_hub.state.add("model", f"{ORG}/m", day=3)
    run = sync_edition(edition=edition)
    fake_hub.state.requests.clear()

    assert run_sync(run=run).status == SyncRun.Status.DONE
    assert fake_hub.state.requests == []


def test_an_edition_without_organization_cannot_sync(edition, fake_hub):
    edition.hub_organization = ""
    edition.save()
    with pytest.raises(SyncRefused):
        start_sync(edition=edition)
    assert not SyncRun.objects.exists()


# --- links to teams ---------------------------------------------------------------------------


@pytest.fixture
def teams(edition):
    alpaca = make_team(edition=edition, members=2, name="Alpaca")
    llama = make_team(edition=edition, members=1, name="Llama")
    for index, membership in enumerate(alpaca.memberships.order_by("pk")):
        membership.user.profile.hub_username = f"alpaca-{index}"
        membership.user.profile.save()
    member = llama.memberships.get()
    member.user.profile.hub_username = "llama-0"
    member.user.profile.save()
    return alpaca, llama


def test_repositories_are_linked_by_declaration_or_by_their_authors(edition, fake_hub, teams):
    alpaca, llama = teams
    state = fake_hub.state
    state.add("model", f"{ORG}/declarado", day=3, author="llama-0")
    state.add("dataset", f"{ORG}/propuesto", day=3, author="alpaca-0")
    state.commit(
        "dataset", f"{ORG}/propuesto", files={"a": b"1"}, author="Alpaca-1", date=hub_date(4)
    )
    state.add("dataset", f"{ORG}/mezclado", day=3, author="alpaca-0")
    state.commit(
        "dataset", f"{ORG}/mezclado", files={"a": b"1"}, author="llama-0", date=hub_date(4)
    )
    state.add("space", f"{ORG}/disputado", day=3, author="alpaca-0")
    state.add("space", f"{ORG}/de-nadie", day=3, author="desconocido")
    ProjectSubmission.objects.create(team=llama, model_repos=[f"{ORG}/declarado"])
    ProjectSubmission.objects.create(team=alpaca, demo_space=f"{ORG}/disputado")
    llama.project.demo_space = f"{ORG}/Disputado"  # ids compared in any case
    llama.project.save()

    sync_edition(edition=edition)

    links = {r.name: (r.link_status, r.team_id) for r in HubRepo.objects.all()}
    assert links == {
        "declarado": (LinkStatus.DECLARED, llama.pk),
        "propuesto": (LinkStatus.PROPOSED, alpaca.pk),
        "mezclado": (LinkStatus.NONE, None),
        "disputado": (LinkStatus.CONFLICT, None),
        "de-nadie": (LinkStatus.NONE, None),
    }
    disputed = repo("disputado")
    assert disputed.link_reason == {"kind": "declared_by_several", "teams": ["Alpaca", "Llama"]}
    assert disputed.link_note == ""  # stored in no language: the page writes it in its own
    with translation.override("en"):
        assert disputed.link_explanation == "Declared by several teams: Alpaca, Llama."
    with translation.override("es"):
        assert "Alpaca, Llama" in disputed.link_explanation
        assert "Declared" not in disputed.link_explanation
    assert link_repositories(edition=edition) == 0  # nothing changed: nothing written


def test_an_organizer_settles_a_conflict_and_it_is_recorded(edition, fake_hub, teams, organizer):
    alpaca, llama = teams
    fake_hub.state.add("space", f"{ORG}/disputado", day=3, author="alpaca-0")
    ProjectSubmission.objects.create(team=alpaca, demo_space=f"{ORG}/disputado")
    ProjectSubmission.objects.create(team=llama, demo_space=f"{ORG}/disputado")
    sync_edition(edition=edition)
    disputed = repo("disputado")

    with pytest.raises(LinkRefused):
        confirm_repo_link(repo=disputed, team=llama, by=organizer, reason="  ")
    assert repo("disputado").link_status == LinkStatus.CONFLICT

    confirm_repo_link(repo=disputed, team=llama, by=organizer, reason="Llama built it")

    settled = repo("disputado")
    assert (settled.link_status, settled.team_id) == (LinkStatus.CONFIRMED, llama.pk)
    record = ChangeRecord.objects.get(field="team_id")
    assert (record.old_value, record.new_value) == ("", str(llama.pk))
    assert (record.reason, record.changed_by) == ("Llama built it", organizer)
    # Later syncs keep the decision, and the organizer's reason with it.
    link_repositories(edition=edition)
    kept = repo("disputado")
    assert (kept.team_id, kept.link_explanation) == (llama.pk, "Llama built it")

    # Clearing it lets the sync decide again: a conflict once more.
    confirm_repo_link(repo=settled, team=None, by=organizer, reason="Let the sync decide")
    assert repo("disputado").link_status == LinkStatus.CONFLICT


def test_a_team_of_another_edition_is_refused(edition, fake_hub, organizer):
    from tests.factories import EditionFactory

    fake_hub.state.add("model", f"{ORG}/m", day=3)
    sync_edition(edition=edition)
    stranger = make_team(edition=EditionFactory(slug="otra", is_current=False), members=1)

    with pytest.raises(LinkRefused):
        confirm_repo_link(repo=repo("m"), team=stranger, by=organizer, reason="x")
    assert repo("m").link_status == LinkStatus.NONE
    assert not ChangeRecord.objects.exists()
