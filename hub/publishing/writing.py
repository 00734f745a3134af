"""Writing a dataset (Parquet files and its card) to a folder or to the Hub, and the
publications: at once (the command) or queued for the Celery task (the organizers' page)."""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from challenges.intake import Publication, get_intake
from challenges.models import Edition
from hub.domain import describe_error, make_api, organization_for
from hub.models import PublishedDataset
from hub.personal_data import Decisions, PublishBlocked, ensure_no_pending_hits, scan_dataset
from hub.publishing.card import (
    _read_card,
    _validate_on_the_hub,
    render_card,
)
from hub.publishing.rows import (
    CARD_FILE,
    DATA_FILE,
    MAX_ERROR_CHARS,
    PublishRefused,
    WrittenForm,
    _features,
    _form_rows,
    _publication,
    _published,
    split_by_license,
)

logger = logging.getLogger(__name__)

# --- writing and publishing ------------------------------------------------------------------


def write_dataset(*, edition: Edition, kind: str, folder: Path, language: str | None = None) -> int:
    """Write one dataset of the edition into ``folder``: each config's Parquet file and the
    card ``README.md``, its text in ``language`` (by default the active one). Returns the number
    of rows of the default form; an empty dataset is refused (nothing written)."""
    from datasets import Dataset  # noqa: PLC0415 -- slow import: datasets pulls in pyarrow and pandas

    publication = _publication(kind)
    decisions = Decisions.load(edition=edition, kind=kind)
    forms = [
        (form, _form_rows(edition=edition, kind=kind, form=form, decisions=decisions))
        for form in publication.forms
    ]
    if not forms[0][1]:
        raise PublishRefused(
            _("“%(dataset)s” has no rows yet: there is nothing to publish.")
            % {"dataset": publication.label}
        )
    folder = Path(folder)
    written = []
    for index, (form, rows) in enumerate(forms):
        features = _features(form)
        for config in split_by_license(edition=edition, index=index, form=form, rows=rows):
            (folder / config.path).parent.mkdir(parents=True, exist_ok=True)
            dataset = Dataset.from_list(config.rows, features=features)
            dataset.to_parquet(str(folder / config.path))
            written.append(WrittenForm(config=config, dataset=dataset))
    with translation.override(language or translation.get_language()):
        card = render_card(edition=edition, kind=kind, written=written, folder=folder)
    _read_card(card)
    (folder / CARD_FILE).write_text(card, encoding="utf-8")
    return len(forms[0][1])


def published_files(*, publication: PublishedDataset) -> dict[str, Path]:
    """The files of a publication written to a folder that are still on disk, by the name
    organizers download them under: ``README.md``, ``train.parquet`` (the default form) and
    ``<config>.parquet`` for the others. Nothing for a publication on the Hub or unfinished."""
    intake = get_intake(publication.kind)
    if (
        publication.on_hub
        or publication.status != PublishedDataset.Status.DONE
        or intake is None
        or intake.publication is None
    ):
        return {}
    folder = Path(publication.target)
    names = {CARD_FILE: folder / CARD_FILE, "train.parquet": folder / DATA_FILE}
    for path in sorted(folder.glob("*/train.parquet")):
        if path.parent.name != Path(DATA_FILE).parent.name:
            names[f"{path.parent.name}.parquet"] = path
    return {name: path for name, path in names.items() if path.is_file()}


def repo_id_for(*, edition: Edition, kind: str) -> str:
    """The dataset repository on the Hub: ``<organization>/<edition slug>-<kind>``."""
    return f"{organization_for(edition=edition)}/{edition.slug}-{kind}"


def local_folder_for(*, edition: Edition, kind: str) -> Path:
    """Where a dataset is written without a Hub token: PUBLISHED_DATASETS_DIR/<edition>/<kind>."""
    return Path(settings.PUBLISHED_DATASETS_DIR) / edition.slug / kind


def digest_folder(folder: Path) -> str:
    """A digest of every file written (names and bytes): the same rows give the same files
    (Parquet from `datasets` is deterministic, the card has no date), so the same digest."""
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@dataclass(frozen=True)
class Published:
    """What one publication wrote: where, how many rows, the Hub's commit (none when nothing
    changed or in a folder), the files' digest, and whether it was the same as the last one."""

    target: str
    rows: int
    commit: str
    on_hub: bool
    content_hash: str
    unchanged: bool


def _last_digest(*, edition: Edition, kind: str, target: str, visibility: str) -> str:
    last = (
        PublishedDataset.objects.filter(
            edition=edition,
            kind=kind,
            target=target,
            visibility=visibility,
            status=PublishedDataset.Status.DONE,
        )
        .exclude(content_hash="")
        .order_by("-published_at", "-pk")
        .first()
    )
    return last.content_hash if last else ""


def _apply_visibility(*, api, repo_id: str, visibility: str) -> None:
    """Created private or public, then the settings set to what organizers chose (the repo may
    exist already, with other settings)."""
    private = visibility == PublishedDataset.Visibility.PRIVATE
    api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
    api.update_repo_settings(
        repo_id,
        repo_type="dataset",
        visibility="private" if private else "public",
        gated="auto" if visibility == PublishedDataset.Visibility.GATED else False,
    )


def _upload(*, edition: Edition, kind: str, api, visibility: str, language: str) -> Published:
    """Write the dataset into a temporary folder and upload it, unless its files are those of
    the last publication to the same repository with the same visibility."""
    repo_id = repo_id_for(edition=edition, kind=kind)
    with tempfile.TemporaryDirectory(prefix=f"{kind}-") as directory:
        rows = write_dataset(edition=edition, kind=kind, folder=Path(directory), language=language)
        content_hash = digest_folder(Path(directory))
        last = _last_digest(edition=edition, kind=kind, target=repo_id, visibility=visibility)
        if content_hash == last:
            return Published(repo_id, rows, "", True, content_hash, unchanged=True)
        try:
            _validate_on_the_hub(api=api, folder=Path(directory))
            _apply_visibility(api=api, repo_id=repo_id, visibility=visibility)
            commit = api.upload_folder(
                repo_id=repo_id,
                repo_type="dataset",
                folder_path=directory,
                commit_message=f"Publish {rows} rows of {edition.slug} {kind}",
            )
        except PublishRefused:
            raise
        except Exception as error:  # any failure of the Hub or the network, said without token
            detail = describe_error(error, api=api)[:MAX_ERROR_CHARS]
            logger.warning("Publishing %s to %s failed: %s", kind, repo_id, detail)
            raise PublishRefused(
                _("The Hub did not accept the dataset %(repo)s: %(error)s")
                % {"repo": repo_id, "error": detail}
            ) from None  # the original exception may carry the token in its request
    commit_id = getattr(commit, "oid", "") or ""
    return Published(repo_id, rows, commit_id, True, content_hash, unchanged=False)


def default_visibility(kind: str) -> str:
    """How a kind's dataset is created unless organizers choose otherwise."""
    return _publication(kind).default_visibility


def card_language(language: str | None) -> str:
    """The language the card is written in: the one chosen, else the active one (the
    organizer's on the page, LANGUAGE_CODE for the command); one the platform has not is
    refused."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    choices = [code for code, _name in settings.LANGUAGES]
    if language not in choices:
        try:
            return translation.get_supported_language_variant(language)
        except LookupError:
            raise PublishRefused(
                _("“%(language)s” is not a language of the platform. Choose one of: %(choices)s.")
                % {"language": language, "choices": ", ".join(choices)}
            ) from None
    return language


def _publish(
    *,
    edition: Edition,
    kind: str,
    visibility: str,
    language: str,
    api=None,
    folder: Path | None = None,
) -> Published:
    """Publish one dataset, to the Hub or to a folder, its card in ``language``, once its rows
    are scanned for personal data and none of what was found waits for a decision."""
    publication = _publication(kind)
    if visibility not in PublishedDataset.Visibility.values:
        raise PublishRefused(
            _("“%(visibility)s” is not a visibility. Choose one of: %(choices)s.")
            % {"visibility": visibility, "choices": ", ".join(PublishedDataset.Visibility.values)}
        )
    scan_dataset(edition=edition, kind=kind)
    _ensure_decided(edition=edition, kind=kind, publication=publication)
    if folder is None and settings.HF_TOKEN:
        return _upload(
            edition=edition,
            kind=kind,
            api=api or make_api(),
            visibility=visibility,
            language=language,
        )
    path = Path(folder) if folder is not None else local_folder_for(edition=edition, kind=kind)
    try:
        rows = write_dataset(edition=edition, kind=kind, folder=path, language=language)
    except OSError as error:
        raise PublishRefused(
            _("The dataset could not be written to %(folder)s: %(error)s")
            % {"folder": path, "error": error.strerror or error}
        ) from error
    target = str(path.resolve())
    content_hash = digest_folder(path)
    last = _last_digest(edition=edition, kind=kind, target=target, visibility=visibility)
    return Published(target, rows, "", False, content_hash, unchanged=content_hash == last)


def _ensure_decided(*, edition: Edition, kind: str, publication: Publication) -> None:
    try:
        ensure_no_pending_hits(edition=edition, kind=kind, label=publication.label)
    except PublishBlocked as blocked:
        raise PublishRefused(blocked.message) from None


def _record(publication: PublishedDataset, published: Published) -> None:
    publication.target, publication.rows = published.target, published.rows
    publication.commit, publication.on_hub = published.commit, published.on_hub
    publication.content_hash, publication.unchanged = published.content_hash, published.unchanged


def publish_dataset(
    *,
    edition: Edition,
    kind: str,
    by: User | None = None,
    visibility: str | None = None,
    language: str | None = None,
    api=None,
    folder: Path | None = None,
) -> PublishedDataset:
    """Publish one dataset of the edition now and record the publication.

    With a Hub token (settings.HF_TOKEN) and no ``folder``: create the dataset repository
    ``<organization>/<edition slug>-<kind>`` if missing, set its visibility (public, private,
    or gated; by default the kind's: INCLUDE private) and upload the data and its card in one
    commit. Otherwise: write them to ``folder``, by default
    ``PUBLISHED_DATASETS_DIR/<edition>/<kind>``. An empty dataset, an unknown kind or
    visibility, or a failure of the Hub is refused with a message (without the token) and
    nothing is recorded; so is a dataset whose rows, scanned first, hold what looks like
    personal data nobody decided about (``hub.personal_data``). Publishing again is harmless:
    when the files are those of the last publication, nothing is uploaded and the publication
    is recorded as unchanged. The card is written in ``language`` (by default the active one;
    see ``card_language``).
    """
    visibility = visibility or default_visibility(kind)
    language = card_language(language)
    published = _publish(
        edition=edition, kind=kind, visibility=visibility, language=language, api=api, folder=folder
    )
    publication = PublishedDataset(
        edition=edition,
        kind=kind,
        visibility=visibility,
        language=language,
        status=PublishedDataset.Status.DONE,
        published_by=by,
        finished_at=timezone.now(),
    )
    _record(publication, published)
    publication.save()
    return publication


def request_publication(
    *,
    edition: Edition,
    kind: str,
    by: User | None,
    enqueue: Callable[[int], object],
    visibility: str | None = None,
    language: str | None = None,
) -> PublishedDataset:
    """Organizers ask for a dataset to be published: a queued publication, handed to
    ``enqueue`` (the Celery task's ``publish_dataset_task.delay``) with its id once the
    transaction commits; the task publishes it and the page follows its progress.

    An unknown kind or visibility, an empty dataset, or one with personal data waiting for a
    decision (as last scanned; the task scans again) is refused at once. While one
    publication of the dataset is queued or running, asking again returns it instead of
    queueing another. The visibility chosen (by default the kind's) and the card's language
    (by default the active one) are recorded with it.
    """
    publication = _publication(kind)
    language = card_language(language)
    visibility = visibility or publication.default_visibility
    if visibility not in PublishedDataset.Visibility.values:
        raise PublishRefused(
            _("“%(visibility)s” is not a visibility. Choose one of: %(choices)s.")
            % {"visibility": visibility, "choices": ", ".join(PublishedDataset.Visibility.values)}
        )
    with transaction.atomic():
        Edition.objects.select_for_update().filter(pk=edition.pk).first()
        active = PublishedDataset.objects.filter(
            edition=edition,
            kind=kind,
            status__in=[PublishedDataset.Status.QUEUED, PublishedDataset.Status.RUNNING],
        ).first()
        if active is not None:
            return active
        if not _published(edition=edition, kind=kind).exists():
            raise PublishRefused(
                _("“%(dataset)s” has no rows yet: there is nothing to publish.")
                % {"dataset": publication.label}
            )
        _ensure_decided(edition=edition, kind=kind, publication=publication)
        queued = PublishedDataset.objects.create(
            edition=edition,
            kind=kind,
            visibility=visibility,
            language=language,
            status=PublishedDataset.Status.QUEUED,
            published_by=by,
        )
        # The caller hands over its task: hub.tasks imports this module.
        transaction.on_commit(lambda: enqueue(queued.pk))
    return queued


def run_publication(*, publication: PublishedDataset, api=None) -> PublishedDataset:
    """Publish a queued publication (the task's work). Idempotent: one already finished is
    left as it is. A refusal (empty, the Hub's error) marks it failed with the reason."""
    with transaction.atomic():
        publication = (
            PublishedDataset.objects.select_for_update()
            .select_related("edition")
            .get(pk=publication.pk)
        )
        if not publication.is_active:
            return publication
        publication.status = PublishedDataset.Status.RUNNING
        publication.save(update_fields=["status"])
    try:
        published = _publish(
            edition=publication.edition,
            kind=publication.kind,
            visibility=publication.visibility,
            language=publication.language,
            api=api,
        )
    except PublishRefused as refusal:
        publication.status = PublishedDataset.Status.FAILED
        publication.error = str(refusal.message)
    else:
        publication.status = PublishedDataset.Status.DONE
        _record(publication, published)
    publication.finished_at = timezone.now()
    publication.save()
    return publication
