import pytest
from django.utils import timezone

from hub.domain import read_synced_spaces
from hub.models import HubRepo, RepoType, SyncRun
from tests.factories import EditionFactory

pytestmark = pytest.mark.django_db
ORG = "somosnlp-hackathon-test"


def space(edition, name, *, stage="RUNNING", repo_type=RepoType.SPACE, missing=False):
    return HubRepo.objects.create(
        edition=edition, repo_type=repo_type, repo_id=f"{ORG}/{name}", runtime_stage=stage,
        missing_since=timezone.now() if missing else None,
    )  # fmt: skip


def test_before_a_finished_sync_nothing_is_known(edition, django_assert_num_queries):
    space(edition, "demo")
    SyncRun.objects.create(edition=edition, status=SyncRun.Status.RUNNING)
    with django_assert_num_queries(1):
        spaces = read_synced_spaces(edition_id=edition.pk, repo_ids=[f"{ORG}/demo"])
    assert not spaces.synced
    assert spaces.stage_of(f"{ORG}/demo") is None


def test_after_a_sync_the_stages_of_the_spaces_asked_for(edition, django_assert_num_queries):
    SyncRun.objects.create(edition=edition, status=SyncRun.Status.DONE)
    space(edition, "demo", stage="BUILD_ERROR")
    space(edition, "gone", missing=True)
    space(edition, "model", repo_type=RepoType.MODEL)
    space(edition, "not-asked")
    space(EditionFactory(slug="otra", is_current=False), "elsewhere")
    asked = [f"{ORG}/Demo", f"{ORG}/gone", f"{ORG}/model", f"{ORG}/elsewhere"]
    with django_assert_num_queries(2):
        spaces = read_synced_spaces(edition_id=edition.pk, repo_ids=asked)
    assert spaces.synced
    assert spaces.stages == {f"{ORG}/demo": "BUILD_ERROR"}  # ids on the Hub ignore case
    assert spaces.stage_of(f"{ORG}/DEMO") == "BUILD_ERROR"
    assert spaces.stage_of(f"{ORG}/gone") is None


def test_asking_for_no_space_reads_only_the_sync(edition, django_assert_num_queries):
    SyncRun.objects.create(edition=edition, status=SyncRun.Status.DONE)
    space(edition, "demo")
    with django_assert_num_queries(1):
        spaces = read_synced_spaces(edition_id=edition.pk, repo_ids=[])
    assert spaces.synced and spaces.stages == {}
