"""Importing a team's dataset from the edition's Hub organization into a collecting challenge.

A dataset kept in the organization (in 2025: an INCLUDE exam, or prompts) goes through exactly
the checks of a file upload: the files are fetched at the repository's current commit (resolved
once, then pinned), read with `datasets`, and their records handed to the challenge kind's own
upload rules (``Intake.importer``: the same errors, duplicates, pending status and window).
Nothing counts before review. From the import page, an import is an ``Upload`` of the Hub
channel checked in the background as an uploaded file is (``start_hub_import``; the task
fetches the dataset: ``hub.upload_channel``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from huggingface_hub.errors import (
    EntryNotFoundError,
    HfHubHTTPError,
    LocalEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

from accounts.models import Profile
from challenges.domain import ContributionRefused, check_repo_id
from challenges.domain.uploads import start_upload
from challenges.intake import Importer, get_intake
from challenges.models import Challenge, Upload
from challenges.uploads import (
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_ROWS,
    UploadRejected,
    UploadReport,
    ensure_plain_values,
    sniff_csv_dialect,
    text_encoding,
)
from hub.checks import people_among
from hub.domain import describe_error, make_api, organization_for, redact
from hub.models import HubRepo, RepoType
from teams.models import Membership

logger = logging.getLogger(__name__)

# The files read as records, and the `datasets` builder that reads each.
DATA_BUILDERS = {".json": "json", ".jsonl": "json", ".csv": "csv", ".parquet": "parquet"}
# JSON files that `datasets` and the Hub write beside the data: metadata, not records.
METADATA_FILES = frozenset({"dataset_info.json", "dataset_infos.json", "state.json"})
PROBLEM_MAX_LENGTH = 200


@dataclass(frozen=True)
class HubDataset:
    """The records of a dataset read at one commit, numbered from 1 across its files."""

    repo_id: str
    sha: str
    files: tuple[str, ...]
    rows: list[tuple[int, dict]]


@dataclass(frozen=True)
class HubImport:
    """An accepted import: the repository and the commit it was read at, the files read, and
    the upload's own report."""

    repo_id: str
    sha: str
    files: tuple[str, ...]
    report: UploadReport


def get_importer(challenge: Challenge) -> Importer:
    """How the challenge's kind takes datasets from the Hub; refused when it takes none."""
    intake = get_intake(challenge.kind)
    if intake is None or intake.importer is None:
        raise ContributionRefused(_("This challenge does not take datasets from the Hub."))
    return intake.importer


def import_from_hub(
    *,
    challenge: Challenge,
    user,
    repo_id: str,
    target: Any = None,
    api=None,
    now: dt.datetime | None = None,
) -> HubImport:
    """A participant imports a dataset of the edition's Hub organization as if they uploaded
    its files, into ``target`` when the kind has one (in 2025: INCLUDE questions into one of
    their exams, or prompts after the quiz).

    The repository must be a dataset of the organization; its data files (JSON, JSON Lines,
    CSV, Parquet) are read at the commit the Hub reports as current, so a push during the
    import changes nothing. Every record passes the challenge's upload rules: all or nothing,
    the same errors (``UploadRejected``), duplicates handled as in uploads, new items pending.
    A repository the Hub does not show, one without data files, or any Hub error refuses the
    import (``ContributionRefused``) with a message that never holds the token; a refused
    import stores nothing.
    """
    dataset = fetch_from_hub(
        challenge=challenge, user=user, repo_id=repo_id, target=target, api=api, now=now
    )
    return store_from_hub(challenge=challenge, user=user, target=target, dataset=dataset, now=now)


def fetch_from_hub(
    *,
    challenge: Challenge,
    user,
    repo_id: str,
    target: Any = None,
    api=None,
    now: dt.datetime | None = None,
) -> HubDataset:
    """The first half of ``import_from_hub``, which stores nothing: the person's rules, the
    repository's, then its records fetched and read (the refusals of ``import_from_hub``)."""
    importer = get_importer(challenge)
    # The person's own rules first: a closed window or a missing quiz costs no download.
    importer.check(challenge=challenge, user=user, target=target, now=now)
    repo_id = check_repo_id(
        repo_id=repo_id, organization=organization_for(edition=challenge.edition)
    )
    api = api or make_api()
    allowed_authors = _allowed_authors(edition=challenge.edition, user=user, repo_id=repo_id)
    with tempfile.TemporaryDirectory(prefix="hub-import-") as folder:
        sha, files, folder_of_files = _fetch(
            api=api, repo_id=repo_id, into=Path(folder), allowed_authors=allowed_authors
        )
        rows = _read_records(folder=folder_of_files, files=files, cache_dir=Path(folder))
    return HubDataset(repo_id=repo_id, sha=sha, files=tuple(files), rows=rows)


def store_from_hub(
    *, challenge: Challenge, user, target: Any, dataset: HubDataset, now: dt.datetime | None = None
) -> HubImport:
    """The second half of ``import_from_hub``: the records stored by the kind's upload rules
    (which check the person's rules again, at this moment)."""
    report = get_importer(challenge).store(
        challenge=challenge, user=user, target=target, rows=dataset.rows, now=now
    )
    return HubImport(repo_id=dataset.repo_id, sha=dataset.sha, files=dataset.files, report=report)


def start_hub_import(
    *,
    challenge: Challenge,
    user,
    repo_id: str,
    target: Any = None,
    enqueue: Callable[[int], object],
    now: dt.datetime | None = None,
) -> Upload:
    """A person asks for an import from the import page: the repository's id is checked (no
    request to the Hub yet), then kept as the file of a queued ``Upload`` of the Hub channel,
    under the rules and per-person limits of an upload (``start_upload``); the task fetches
    the dataset and stores it as ``import_from_hub`` would."""
    get_importer(challenge)
    repo_id = check_repo_id(
        repo_id=repo_id, organization=organization_for(edition=challenge.edition)
    )
    return start_upload(
        challenge=challenge,
        user=user,
        file=ContentFile(repo_id.encode("utf-8"), name=repo_id),
        target=target,
        channel=Upload.Channel.HUB,
        enqueue=enqueue,
        now=now,
    )


# --- fetching -----------------------------------------------------------------------------


def is_data_file(path: str) -> bool:
    """A file read as records: JSON, JSON Lines, CSV or Parquet, not metadata nor hidden."""
    pure = PurePosixPath(path)
    if any(part.startswith(".") for part in pure.parts) or pure.name in METADATA_FILES:
        return False
    return pure.suffix.lower() in DATA_BUILDERS


def _allowed_authors(*, edition, user, repo_id: str) -> set[str] | None:
    """Whose commits make a repository the person's to import: None when the sync already
    links it to the person's team; otherwise the Hub usernames of the person's team (or the
    person alone, without a team). The platform's token reads every dataset of the
    organization, private ones included: without this rule anyone could copy another team's."""
    linked = HubRepo.objects.filter(
        edition=edition,
        repo_type=RepoType.DATASET,
        repo_id__iexact=repo_id,
        team__memberships__user=user,
    ).exists()
    if linked:
        return None
    team_ids = Membership.objects.filter(edition=edition, user=user).values("team_id")
    people = Profile.objects.filter(
        user__memberships__team_id__in=team_ids
    ) | Profile.objects.filter(user=user)
    return {name.lower() for name in people.values_list("hub_username", flat=True) if name}


def _ensure_team_wrote_it(*, api, repo_id: str, sha: str, allowed_authors: set[str]) -> None:
    """Every person who committed to the repository (up to the pinned commit) is in the
    importer's team; bots and the Hub's own commits don't count."""
    commits = api.list_repo_commits(repo_id, repo_type=RepoType.DATASET, revision=sha)
    authors = people_among(author for commit in commits for author in commit.authors)
    if not authors or not authors <= allowed_authors:
        raise ContributionRefused(
            _(
                "%(repo)s is not your team's: import a dataset your team's members committed "
                "to, with the Hugging Face username of your profile, or ask the organizers to "
                "link it to your team."
            )
            % {"repo": repo_id}
        )


def _fetch(
    *, api, repo_id: str, into: Path, allowed_authors: set[str] | None = None
) -> tuple[str, list[str], Path]:
    """The repository's current commit, its data files, and the folder they were fetched to."""
    from huggingface_hub import snapshot_download  # noqa: PLC0415 -- slow import: huggingface_hub's client, needed only when talking to the Hub

    try:
        info = api.dataset_info(repo_id, files_metadata=True)
        sha = info.sha
        siblings = list(info.siblings or [])
        files = sorted(s.rfilename for s in siblings if is_data_file(s.rfilename))
        if not sha:
            raise ContributionRefused(
                _("The Hub did not say which commit %(repo)s is at. Try again later.")
                % {"repo": repo_id}
            )
        if not files:
            raise ContributionRefused(
                _(
                    "%(repo)s has no data files: put the records in JSON, JSON Lines, CSV or Parquet files."
                )
                % {"repo": repo_id}
            )
        if allowed_authors is not None:
            _ensure_team_wrote_it(
                api=api, repo_id=repo_id, sha=sha, allowed_authors=allowed_authors
            )
        known = [s.size for s in siblings if s.rfilename in files and s.size is not None]
        _check_size(sum(known))
        # Pinned to the commit read above: a push during the import is not half read.
        folder = snapshot_download(
            repo_id,
            repo_type="dataset",
            revision=sha,
            allow_patterns=files,
            cache_dir=into / "hub",
            endpoint=getattr(api, "endpoint", None) or settings.HF_ENDPOINT,
            token=settings.HF_TOKEN or None,
        )
    except (ContributionRefused, UploadRejected):
        raise
    except Exception as error:  # the Hub's and the network's errors: a message, never the token
        raise _refusal(error, repo_id=repo_id, api=api) from None
    folder = Path(folder)
    _check_size(sum((folder / name).stat().st_size for name in files))
    return sha, files, folder


def _check_size(size: int) -> None:
    if size > MAX_UPLOAD_BYTES:
        raise UploadRejected(
            _("The data files take %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(size / 1024 / 1024, 1), "limit": MAX_UPLOAD_BYTES // 1024 // 1024}
        )


def _refusal(error: Exception, *, repo_id: str, api) -> ContributionRefused:
    """A clear refusal for a Hub or network error; the details (redacted) go to the log."""
    logger.warning("Hub import of %s: %s", repo_id, describe_error(error, api=api))
    if isinstance(error, RepositoryNotFoundError):
        return ContributionRefused(
            _(
                "The dataset %(repo)s is not in the Hub, or it is private and the platform cannot read it."
            )
            % {"repo": repo_id}
        )
    if isinstance(error, (RevisionNotFoundError, EntryNotFoundError)) and not isinstance(
        error,
        LocalEntryNotFoundError,  # what a download says when the Hub cannot be reached
    ):
        return ContributionRefused(
            _("%(repo)s changed while it was being read. Import it again.") % {"repo": repo_id}
        )
    # A download that kept failing is reported as "not found locally": its cause says why.
    cause: BaseException | None = error
    while cause is not None and not isinstance(cause, HfHubHTTPError):
        cause = cause.__cause__ or cause.__context__
    status = getattr(getattr(cause, "response", None), "status_code", None)
    if status:
        # The Hub's own message is left out: a server may echo the request's credentials.
        return ContributionRefused(
            _(
                "The Hub answered with an error (%(status)s) while reading %(repo)s. Try again later."
            )
            % {"status": status, "repo": repo_id}
        )
    return ContributionRefused(
        _("The Hub could not be reached to read %(repo)s. Try again later.") % {"repo": repo_id}
    )


# --- reading ------------------------------------------------------------------------------


def _read_records(*, folder: Path, files: list[str], cache_dir: Path) -> list[tuple[int, dict]]:
    """Every record of the data files, in path order, numbered from 1 across the files."""
    tables = []
    for name in files:
        builder = DATA_BUILDERS[PurePosixPath(name).suffix.lower()]
        try:
            tables.append((builder, _load(folder / name, builder=builder, cache_dir=cache_dir)))
        except UploadRejected:
            raise
        except Exception as error:  # pyarrow, pandas and datasets each raise their own
            raise _unreadable(name, error) from error
    total = sum(len(table) for _builder, table in tables)
    if total > MAX_UPLOAD_ROWS:
        raise UploadRejected(
            _("The dataset has %(count)s rows; the limit is %(limit)s.")
            % {"count": f"{total:,}", "limit": f"{MAX_UPLOAD_ROWS:,}"}
        )
    if not total:
        raise UploadRejected(_("The dataset has no rows."))
    rows = []
    for name, (builder, table) in zip(files, tables, strict=True):
        try:
            for record in table:
                rows.append((len(rows) + 1, _plain_record(record, builder=builder)))
        except Exception as error:  # a value pyarrow cannot turn into Python
            raise _unreadable(name, error) from error
    # As in uploaded files: no control character in any text, no value nested too deeply.
    ensure_plain_values(rows)
    return rows


def _unreadable(name: str, error: Exception) -> UploadRejected:
    problem = redact(str(error).strip().splitlines()[0] if str(error).strip() else "")
    return UploadRejected(
        _("%(file)s cannot be read: %(problem)s")
        % {"file": name, "problem": problem[:PROBLEM_MAX_LENGTH] or type(error).__name__}
    )


def _encoding_of(path: Path) -> str:
    with path.open("rb") as file:
        return text_encoding(file.read(2))


def _load(path: Path, *, builder: str, cache_dir: Path):
    from datasets import Features, Value, load_dataset  # noqa: PLC0415 -- slow import: datasets pulls in pyarrow and pandas

    options: dict[str, Any] = {}
    if builder in ("json", "csv"):
        options["encoding"] = _encoding_of(path)
    if builder == "csv":
        # As uploads read CSV: the separator sniffed (comma, semicolon or tab), and every
        # value as the text written ("007" stays "007", "NA" is not a missing value).
        with path.open(encoding=options["encoding"], newline="") as file:
            sample = file.read(4096)
        separator = sniff_csv_dialect(sample).delimiter
        header = next(csv.reader(io.StringIO(sample), delimiter=separator), [])
        if not any(name.strip() for name in header):
            raise UploadRejected(_("The CSV file needs a header row with the column names."))
        options.update(
            sep=separator,
            keep_default_na=False,
            features=Features({name: Value("string") for name in header}),
        )
    return load_dataset(
        builder,
        data_files=str(path),
        split="train",
        cache_dir=str(cache_dir / "datasets"),
        **options,
    )


def _plain_record(record: dict, *, builder: str) -> dict:
    """A row as the upload checks expect it: what `datasets` fills in for a missing value is
    left out (a record of a JSON file simply lacks it); CSV headers are lower case and values
    stripped, as uploads read them."""
    if builder == "csv":
        return {
            str(key).strip().lower(): value.strip() if isinstance(value, str) else ""
            for key, value in record.items()
        }
    return {
        key: _plain_value(value, builder=builder)
        for key, value in record.items()
        if not _missing(value)
    }


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _plain_value(value: Any, *, builder: str) -> Any:
    if isinstance(value, dict):
        # A struct column gives every row every key: the ones a row lacked come back None.
        return {
            key: _plain_value(item, builder=builder)
            for key, item in value.items()
            if not _missing(item)
        }
    if isinstance(value, list):
        return [_plain_value(item, builder=builder) for item in value]
    if isinstance(value, float) and builder == "parquet" and value.is_integer():
        # Parquet files written by pandas store whole numbers with gaps as floats.
        return int(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return value
