"""Imports from the Hub checked in the background: the Hub channel of uploads
(``Upload.Channel.HUB``), registered from HubConfig.ready().

For a kind that takes datasets from the Hub (``Intake.importer``), its Uploader for this
channel fetches the dataset named by the kept file (the repository's id) before anything is
locked, then stores its records through the kind's importer, as ``import_from_hub`` does.
"""

from __future__ import annotations

from functools import partial

from challenges.intake import Intake, Uploader, upload_report_as_data
from challenges.uploads import UploadReport
from hub.importing import HubDataset, HubImport, fetch_from_hub, store_from_hub
from hub.views.importing import announce_hub_import

# A repository's id is a few dozen characters: what the kept file may hold.
REPO_ID_BYTES = 1024


def fetch_named_dataset(*, challenge, user, target, upload) -> HubDataset:
    repo_id = upload.read(REPO_ID_BYTES).decode("utf-8")
    return fetch_from_hub(challenge=challenge, user=user, repo_id=repo_id, target=target)


def store_fetched_dataset(*, challenge, user, target, upload: HubDataset, progress=None):
    return store_from_hub(challenge=challenge, user=user, target=target, dataset=upload)


def hub_import_as_data(result: HubImport) -> dict:
    return {
        **upload_report_as_data(result.report),
        "repo_id": result.repo_id,
        "sha": result.sha,
        "files": list(result.files),
    }


def hub_import_from_data(data: dict) -> HubImport:
    return HubImport(
        repo_id=data["repo_id"],
        sha=data["sha"],
        files=tuple(data["files"]),
        report=UploadReport.from_dict(data),
    )


def uploader_from_hub(intake: Intake) -> Uploader | None:
    """The kind's Uploader for imports from the Hub (None when it takes none)."""
    importer = intake.importer
    if importer is None:
        return None
    return Uploader(
        check=importer.check,
        fetch=fetch_named_dataset,
        store=store_fetched_dataset,
        announce=partial(announce_hub_import, importer=importer),
        find_target=importer.find_target_by_id,
        form_page=importer.form_page,
        report_as_data=hub_import_as_data,
        report_from_data=hub_import_from_data,
    )
