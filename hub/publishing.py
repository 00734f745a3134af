"""Publishing the collected datasets: the edition's validated contributions, without personal
data, as dataset repositories of the Hub organization (or, with no Hub token, to a folder).

The one publisher of the platform. What a dataset holds comes from its challenge kind's
``Intake.publication`` (rows, columns, card texts, which rows are let in); this module only
writes Parquet files and a dataset card from it, so that ``datasets.load_dataset`` reads the
dataset back as it was.

Every row carries its licence (``license``: its exam's for INCLUDE, the edition's contribution
licence otherwise) and is published only under it: each form is split into one Hub "config"
per licence, so that rows under NC, ND or unknown licences never join a permissive config. The
form's config is the one of the edition's licence (or, without it, its first permissive one):
the first form's, ``default``, is written to ``data/train.parquet``; any other config (another
form such as ``dpo``, or another licence: ``cc-by-nc-4.0``, ``dpo-unknown``) to
``<config>/train.parquet`` beside it.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from huggingface_hub import DatasetCard

from accounts.models import User
from challenges.domain import item_type_of
from challenges.intake import DatasetForm, Publication, get_intake, publishable_kinds
from challenges.licences import HUB_LICENSES, is_permissive, normalize_license
from challenges.models import Challenge, ContributionStatus, Edition, ReviewDecision
from hackathon.errors import RuleRefused
from hub import cards
from hub.domain import describe_error, make_api, organization_for, redact
from hub.models import PublishedDataset

logger = logging.getLogger(__name__)

DATA_FILE = "data/train.parquet"
CARD_FILE = "README.md"
# The Hub's error text is shown to organizers and stored; keep it short.
MAX_ERROR_CHARS = 500

# The Hub's size categories (the card's size_categories), by upper bound.
SIZE_CATEGORIES = [
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
    (1_000_000_000, "100M<n<1B"),
    (10_000_000_000, "1B<n<10B"),
    (100_000_000_000, "10B<n<100B"),
    (1_000_000_000_000, "100B<n<1T"),
]


class PublishRefused(RuleRefused):
    """Publishing a dataset was refused or failed; ``message`` says why (never with the token)."""


@dataclass(frozen=True)
class Config:
    """One Hub config of a dataset: the rows of one form under one licence, and their file."""

    name: str
    form: DatasetForm
    license: str
    path: str
    rows: list[dict]


@dataclass(frozen=True)
class WrittenForm:
    config: Config
    dataset: object  # a datasets.Dataset


# --- what each dataset holds ------------------------------------------------------------------


def _publication(kind: str) -> Publication:
    intake = get_intake(kind)
    if intake is None or intake.publication is None:
        raise PublishRefused(
            _("“%(kind)s” is not a dataset that can be published. Choose one of: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(publishable_kinds())}
        )
    return intake.publication


def _challenges(*, edition: Edition, kind: str) -> list[Challenge]:
    return list(edition.challenges.filter(kind=kind).order_by("position", "pk"))


def _features(form: DatasetForm):
    """The form's columns as `datasets` types."""
    from datasets import Features, List, Value  # noqa: PLC0415 -- slow import: datasets pulls in pyarrow and pandas

    def feature(type_: str):
        if type_ == "list<string>":
            return List(Value("string"))
        return Value(type_)

    return Features({name: feature(type_) for name, type_ in form.columns.items()})


def _form_rows(*, edition: Edition, kind: str, form: DatasetForm) -> list[dict]:
    """One form's rows from every challenge of the kind, oldest first; a form with a
    ``license`` column has it as the Hub's id."""
    rows: list[dict] = []
    for challenge in _challenges(edition=edition, kind=kind):
        for row in form.rows(challenge):
            if "license" in form.columns:
                row = {**row, "license": normalize_license(row.get("license") or "")}
            rows.append(row)
    return rows


def row_license(*, edition: Edition, row: dict) -> str:
    """A row's licence: its own (INCLUDE: its exam's), else the edition's contribution
    licence, which its contributors accepted in the consent text."""
    return row.get("license", edition.contribution_license)


def build_rows(*, edition: Edition, kind: str, form: str | None = None) -> list[dict]:
    """The rows of one dataset of the edition (its default form, or the form named): only what
    its kind's validation rule lets in, from every challenge of that kind, oldest first (a
    ``license`` column as the Hub's id).

    No personal data: no name, email or Hub/Discord username, and not even the author's id;
    only what was contributed (question, options, answer, country, language...).
    """
    publication = _publication(kind)
    chosen = next((f for f in publication.forms if f.name == form), publication.forms[0])
    return _form_rows(edition=edition, kind=kind, form=chosen)


def _license_order(license_id: str) -> int:
    return HUB_LICENSES.index(license_id) if license_id in HUB_LICENSES else len(HUB_LICENSES)


def _main_license(*, edition: Edition, licenses: set[str]) -> str | None:
    """The licence whose config is named after its form: the edition's, else the first
    permissive one; None when every row is under a restricted licence."""
    if edition.contribution_license in licenses:
        return edition.contribution_license
    permissive = sorted((lic for lic in licenses if is_permissive(lic)), key=_license_order)
    return permissive[0] if permissive else None


def split_by_license(
    *, edition: Edition, index: int, form: DatasetForm, rows: list[dict]
) -> list[Config]:
    """One form's configs, one per licence of its rows: the main licence's named after the
    form, the others after their licence (prefixed by the form's name but for the first form).
    A form without rows is one empty config under the edition's licence."""
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row_license(edition=edition, row=row), []).append(row)
    if not groups:
        groups[edition.contribution_license] = []
    main = _main_license(edition=edition, licenses=set(groups))
    ordered = sorted(groups, key=lambda lic: (lic != main, _license_order(lic), lic))
    configs = []
    for license_id in ordered:
        if license_id == main:
            name = form.name
        else:
            name = license_id if index == 0 else f"{form.name}-{license_id}"
        path = DATA_FILE if index == 0 and license_id == main else f"{name}/train.parquet"
        configs.append(Config(name, form, license_id, path, groups[license_id]))
    return configs


def _published(*, edition: Edition, kind: str):
    intake = get_intake(kind)
    queryset = intake.model.objects.filter(challenge__edition=edition, challenge__kind=kind)
    return intake.publication.published(queryset)


def count_rows_by_license(*, edition: Edition) -> dict[str, dict[str, int]]:
    """How many rows each dataset of the edition would have if published now, per licence
    (the Hub's id, most permissive first): one query per kind, whatever the number of rows."""
    counts = {}
    for kind in publishable_kinds():
        lookup = get_intake(kind).publication.license_lookup
        published = _published(edition=edition, kind=kind)
        if lookup is None:
            rows = published.aggregate(rows=Count("pk"))["rows"]
            found = [(edition.contribution_license, rows)] if rows else []
        else:
            found = [
                (normalize_license(row[lookup] or ""), row["rows"])
                for row in published.order_by().values(lookup).annotate(rows=Count("pk"))
            ]
        by_license: dict[str, int] = {}
        for license_id, rows in found:
            by_license[license_id] = by_license.get(license_id, 0) + rows
        counts[kind] = dict(sorted(by_license.items(), key=lambda item: _license_order(item[0])))
    return counts


def count_rows(*, edition: Edition) -> dict[str, int]:
    """How many rows each dataset of the edition would have if published now (one query per
    kind, whatever the number of rows)."""
    return {
        kind: sum(by_license.values())
        for kind, by_license in count_rows_by_license(edition=edition).items()
    }


# --- the dataset card -------------------------------------------------------------------------


def _languages(*, edition: Edition, kind: str) -> list[str]:
    """The languages of the published contributions, as the kind's review filter reads them."""
    lookup = get_intake(kind).language_lookup
    if lookup is None:
        return []
    found = _published(edition=edition, kind=kind).values_list(lookup, flat=True).distinct()
    return sorted({language for language in found if language})


def _size_category(rows: int) -> str:
    for bound, label in SIZE_CATEGORIES:
        if rows < bound:
            return label
    return "n>1T"


def _dataset_info(*, written: WrittenForm, folder: Path, several: bool) -> dict:
    """One form's dataset_info, as datasets writes it: columns, row count, sizes (in memory,
    and of the file to download)."""
    dataset = written.dataset
    size = dataset.data.nbytes
    info = {
        # The same list of columns datasets itself writes into the cards it pushes.
        "features": dataset.features._to_yaml_list(),
        "splits": [{"name": "train", "num_bytes": size, "num_examples": len(dataset)}],
        "download_size": (folder / written.config.path).stat().st_size,
        "dataset_size": size,
    }
    return {"config_name": written.config.name, **info} if several else info


def render_card(*, edition: Edition, kind: str, written: list[WrittenForm], folder: Path) -> str:
    """The dataset card (README.md): YAML metadata the Hub reads (licences, languages, tasks,
    size, each config's Parquet file as its train split, row counts) and the text of
    ``hub.cards``: what the data is, how it was collected and validated (the real quorum, by
    whom), its columns, countries and languages, licences, personal data, limitations, uses,
    citation and contact. The text is in the active language (the organizer's on the page, LANGUAGE_CODE for the
    command; headings are translated outside f-strings, where xgettext could not find them);
    the metadata's ``language`` lists the languages of the data itself."""
    publication = _publication(kind)
    organization = organization_for(edition=edition)
    title = f"{edition.name} · {publication.label}"
    several = len(written) > 1
    rows = len(written[0].dataset)
    infos = [_dataset_info(written=form, folder=folder, several=several) for form in written]
    languages = _languages(edition=edition, kind=kind)
    licenses = sorted({form.config.license for form in written}, key=_license_order)
    metadata = {
        "pretty_name": title,
        "license": licenses if len(licenses) > 1 else licenses[0],
        "language": languages,
        "multilinguality": ["multilingual" if len(languages) > 1 else "monolingual"],
        "language_creators": publication.language_creators,
        "annotations_creators": publication.annotations_creators,
        "source_datasets": ["original"],
        "task_categories": publication.task_categories,
        "size_categories": [_size_category(rows)],
        "tags": [edition.slug, kind],
        "configs": [
            {
                "config_name": form.config.name,
                "data_files": [{"split": "train", "path": form.config.path}],
            }
            for form in written
        ],
        "dataset_info": infos if several else infos[0],
    }
    endpoint = settings.HF_ENDPOINT.rstrip("/")
    challenges = _challenges(edition=edition, kind=kind)
    configs = [
        cards.ConfigSummary(
            name=form.config.name,
            license=form.config.license,
            path=form.config.path,
            rows=len(form.dataset),
            columns=dict(form.config.form.columns),
        )
        for form in written
    ]
    facts = _card_facts(edition=edition, kind=kind)
    organization_url = f"{endpoint}/{organization}"
    lines = [
        "---",
        yaml.safe_dump(metadata, allow_unicode=True, sort_keys=False).rstrip(),
        "---",
        "",
        f"# {title}",
        "",
        str(publication.summary),
        "",
        _("Collected during %(edition)s and published by the Hugging Face organization %(org)s.")
        % {"edition": f"**{edition.name}**", "org": f"[{organization}]({organization_url})"},
        "",
        *cards.collection_lines(challenges=challenges),
        *cards.validation_lines(
            publication=publication,
            challenges=challenges,
            peer_validated=get_intake(kind).peer_validation is not None,
            facts=facts,
        ),
        *cards.rows_lines(configs=configs),
        *cards.countries_and_languages_lines(facts=facts),
        *cards.license_lines(configs=configs),
        *cards.personal_data_lines(),
        *cards.uses_lines(publication=publication),
        *cards.citation_lines(edition=edition),
        *cards.contact_lines(edition=edition, organization_url=organization_url),
    ]
    return "\n".join(lines)


def _card_facts(*, edition: Edition, kind: str) -> cards.CardFacts:
    """Who validated the published rows (the decisions that validated them: without a person,
    peers; with one, organizers) and the rows per country and language: two queries."""
    intake = get_intake(kind)
    published = _published(edition=edition, kind=kind)
    validated = ReviewDecision.objects.filter(
        challenge__edition=edition,
        challenge__kind=kind,
        item_type=item_type_of(intake.model),
        status=ContributionStatus.VALIDATED,
        item_id__in=published.values("pk"),
    ).aggregate(
        peers=Count("item_id", distinct=True, filter=Q(decided_by__isnull=True)),
        organizers=Count("item_id", distinct=True, filter=Q(decided_by__isnull=False)),
    )
    lookups = [lookup for lookup in (intake.country_lookup, intake.language_lookup) if lookup]
    groups = []
    if lookups:
        for row in published.order_by(*lookups).values(*lookups).annotate(rows=Count("pk")):
            country = row[intake.country_lookup] if intake.country_lookup else ""
            language = row[intake.language_lookup] if intake.language_lookup else ""
            groups.append((str(country or ""), str(language or ""), row["rows"]))
    return cards.CardFacts(
        peer_validated=validated["peers"],
        organizer_validated=validated["organizers"],
        by_country_and_language=groups,
    )


# --- writing and publishing ------------------------------------------------------------------


def _read_card(card: str):
    """The card as huggingface_hub reads it (its metadata parsed into DatasetCardData): a card
    the Hub's own classes cannot read is refused before anything is written."""
    try:
        return DatasetCard(card)
    except ValueError as error:
        raise PublishRefused(
            _("The dataset card is not valid: %(error)s") % {"error": str(error)[:MAX_ERROR_CHARS]}
        ) from error


def _validate_on_the_hub(*, api, folder: Path) -> None:
    """The Hub's own check of the card's metadata (the keys and values it knows), before the
    upload: the request ``DatasetCard.validate`` makes, sent to the client's endpoint (the card
    class reads the endpoint once, at import) through huggingface_hub's session."""
    from huggingface_hub.utils import (  # noqa: PLC0415 -- slow import: huggingface_hub's client, needed only when talking to the Hub
        build_hf_headers,
        get_session,
        hf_raise_for_status,
    )

    card = _read_card((folder / CARD_FILE).read_text(encoding="utf-8"))
    response = get_session().post(
        f"{api.endpoint.rstrip('/')}/api/validate-yaml",
        json={"repoType": "dataset", "content": str(card)},
        headers={**build_hf_headers(token=api.token), "Accept": "text/plain"},
    )
    if response.status_code == 400:
        raise PublishRefused(
            _("The Hub refused the dataset card: %(error)s")
            % {"error": redact(response.text, api=api)[:MAX_ERROR_CHARS]}
        )
    hf_raise_for_status(response)


def write_dataset(*, edition: Edition, kind: str, folder: Path, language: str | None = None) -> int:
    """Write one dataset of the edition into ``folder``: each config's Parquet file and the
    card ``README.md``, its text in ``language`` (by default the active one). Returns the number
    of rows of the default form; an empty dataset is refused (nothing written)."""
    from datasets import Dataset  # noqa: PLC0415 -- slow import: datasets pulls in pyarrow and pandas

    publication = _publication(kind)
    forms = [
        (form, _form_rows(edition=edition, kind=kind, form=form)) for form in publication.forms
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
    """Publish one dataset, to the Hub or to a folder, its card in ``language``."""
    _publication(kind)
    if visibility not in PublishedDataset.Visibility.values:
        raise PublishRefused(
            _("“%(visibility)s” is not a visibility. Choose one of: %(choices)s.")
            % {"visibility": visibility, "choices": ", ".join(PublishedDataset.Visibility.values)}
        )
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
    nothing is recorded. Publishing again is harmless: when the files are those of the last
    publication, nothing is uploaded and the publication is recorded as unchanged. The card is
    written in ``language`` (by default the active one; see ``card_language``).
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

    An unknown kind or visibility, or an empty dataset, is refused at once. While one
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
