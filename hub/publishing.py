"""Publishing the collected datasets: the edition's validated contributions, without personal
data, as dataset repositories of the Hub organization (or, with no Hub token, to a folder).

Each dataset is one Parquet file (``data/train.parquet``) and a dataset card (``README.md``)
generated from the edition's data, so that ``datasets.load_dataset`` reads it back as it was.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable
from pathlib import Path

import yaml
from django.conf import settings
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from challenges.blend.intake import EXPORT_FIELDS as BLEND_EXPORT_FIELDS
from challenges.blend.intake import EXPORT_SOURCES as BLEND_EXPORT_SOURCES
from challenges.blend.models import BlendAnswer
from challenges.include.intake import EXPORT_FIELDS as INCLUDE_EXPORT_FIELDS
from challenges.include.models import ExamQuestion
from challenges.models import Challenge, ContributionStatus, Edition
from challenges.preferences.domain import SHARED_COLUMNS, shared_preference_rows
from challenges.preferences.models import Prompt
from challenges.stereotypes.models import StereotypeRating
from hackathon.errors import RuleRefused
from hub.domain import describe_error, make_api, organization_for
from hub.models import PublishedDataset

logger = logging.getLogger(__name__)

Kind = PublishedDataset.Kind

LICENSE = "apache-2.0"
DATA_FILE = "data/train.parquet"
CARD_FILE = "README.md"
# Rows are read from the database in chunks: a dataset may hold hundreds of thousands.
CHUNK_SIZE = 2000
# The Hub's error text is shown to organizers and stored; keep it short.
MAX_ERROR_CHARS = 500

# What the exports carry but a public dataset must not: the author (even by id, an identifier
# of a person), the platform's own ids and the review status (every published row is
# validated anyway).
NOT_PUBLISHED = {"id", "exam_id", "question_id", "pair_id", "status", "author_id"}

INCLUDE_FIELDS = [name for name in INCLUDE_EXPORT_FIELDS if name not in NOT_PUBLISHED]
BLEND_FIELDS = [name for name in BLEND_EXPORT_FIELDS if name not in NOT_PUBLISHED]
# The stereotypes export reads these through the pair; whether the rater identifies with the
# nationality (own_nationality) is left out: it says something about the person.
STEREOTYPE_SOURCES = {
    "pair_external_id": "pair__external_id",
    "language": "pair__language",
    "nationality": "pair__nationality",
    "attribute": "pair__attribute",
    "rating": "rating",
    "extra_attribute": "extra_attribute",
    "other_nationalities": "other_nationalities",
    "region": "region",
}

# The Hub's size categories (the card's size_categories), by upper bound.
SIZE_CATEGORIES = [
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
]
TASK_CATEGORIES = {
    Kind.PREFERENCES: ["text-generation"],
    Kind.INCLUDE: ["question-answering", "multiple-choice"],
    Kind.BLEND: ["question-answering"],
    Kind.STEREOTYPES: ["text-classification"],
}


class PublishRefused(RuleRefused):
    """Publishing a dataset was refused or failed; ``message`` says why (never with the token)."""


# --- what each dataset holds ------------------------------------------------------------------


def _challenges(*, edition: Edition, kind: str) -> list[Challenge]:
    return list(edition.challenges.filter(kind=kind).order_by("position", "pk"))


def _check_kind(kind: str) -> None:
    if kind not in Kind.values:
        raise PublishRefused(
            _("“%(kind)s” is not a dataset that can be published. Choose one of: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(Kind.values)}
        )


def _features(kind: str):
    """The columns and their types, fixed so that an empty list or a missing value never
    changes the schema from one publication to the next."""
    from datasets import Features, List, Value

    string = Value("string")
    if kind == Kind.PREFERENCES:
        return Features({name: string for name in SHARED_COLUMNS})
    if kind == Kind.INCLUDE:
        types = {"original_question_num": Value("int64"), "options": List(string)}
        types["answer"] = Value("int64")
        return Features({name: types.get(name, string) for name in INCLUDE_FIELDS})
    if kind == Kind.BLEND:
        return Features({name: string for name in BLEND_FIELDS})
    types = {"rating": Value("int64"), "other_nationalities": List(string)}
    return Features({name: types.get(name, string) for name in STEREOTYPE_SOURCES})


def _validated(model, challenge: Challenge):
    return model.objects.filter(challenge=challenge, status=ContributionStatus.VALIDATED)


def _rows_of(kind: str, challenge: Challenge) -> Iterable[dict]:
    if kind == Kind.PREFERENCES:
        return shared_preference_rows(challenge=challenge)
    if kind == Kind.INCLUDE:
        return (
            _validated(ExamQuestion, challenge)
            .order_by("pk")
            .values(*INCLUDE_FIELDS)
            .iterator(chunk_size=CHUNK_SIZE)
        )
    if kind == Kind.BLEND:
        sources = [BLEND_EXPORT_SOURCES.get(name, name) for name in BLEND_FIELDS]
        values = (
            _validated(BlendAnswer, challenge)
            .order_by("pk")
            .values_list(*sources)
            .iterator(chunk_size=CHUNK_SIZE)
        )
        return (dict(zip(BLEND_FIELDS, row, strict=True)) for row in values)
    values = (
        _validated(StereotypeRating, challenge)
        .filter(skipped=False)
        .order_by("created_at", "pk")
        .values_list(*STEREOTYPE_SOURCES.values())
        .iterator(chunk_size=CHUNK_SIZE)
    )
    return (dict(zip(STEREOTYPE_SOURCES, row, strict=True)) for row in values)


def build_rows(*, edition: Edition, kind: str) -> list[dict]:
    """The rows of one dataset of the edition: only what was validated (accepted questions,
    validated answers, prompts and ratings), from every challenge of that kind, oldest first.

    No personal data: no name, email or Hub/Discord username, and not even the author's id;
    only what was contributed (question, options, answer, country, language...). Preferences
    are the shared preference dataset of the preferences challenge (country, system_prompt,
    question, chosen, rejected).
    """
    _check_kind(kind)
    rows: list[dict] = []
    for challenge in _challenges(edition=edition, kind=kind):
        rows.extend(_rows_of(kind, challenge))
    return rows


def count_rows(*, edition: Edition) -> dict[str, int]:
    """How many rows each dataset of the edition would have if published now (one query per
    kind, whatever the number of rows)."""
    counted = {
        Kind.PREFERENCES: Prompt.objects.filter(status=ContributionStatus.VALIDATED),
        Kind.INCLUDE: ExamQuestion.objects.filter(status=ContributionStatus.VALIDATED),
        Kind.BLEND: BlendAnswer.objects.filter(status=ContributionStatus.VALIDATED),
        Kind.STEREOTYPES: StereotypeRating.objects.filter(
            status=ContributionStatus.VALIDATED, skipped=False
        ),
    }
    return {
        kind: queryset.filter(challenge__edition=edition, challenge__kind=kind).aggregate(
            rows=Count("pk")
        )["rows"]
        for kind, queryset in counted.items()
    }


# --- the dataset card -------------------------------------------------------------------------


def _languages(*, edition: Edition, kind: str, rows: list[dict]) -> list[str]:
    """The languages of the data: its language column, or for preferences (whose shared
    dataset has none) the languages of the validated prompts."""
    if kind == Kind.PREFERENCES:
        found = Prompt.objects.filter(
            challenge__edition=edition,
            challenge__kind=kind,
            status=ContributionStatus.VALIDATED,
        ).values_list("language", flat=True)
    else:
        found = (row.get("language") for row in rows)
    return sorted({language for language in found if language})


def _size_category(rows: int) -> str:
    for bound, label in SIZE_CATEGORIES:
        if rows < bound:
            return label
    return "n>10M"


def _summary(kind: str) -> str:
    return {
        Kind.PREFERENCES: _(
            "Prompts that test whether a language model's answers are culturally adequate for a "
            "country, with the answer people preferred (chosen) and the one they did not "
            "(rejected) in an arena where two anonymous models answered."
        ),
        Kind.INCLUDE: _(
            "Multiple-choice questions from exams about the culture and regional knowledge of a "
            "country, each with exactly 4 options and the index (0 to 3) of the correct one."
        ),
        Kind.BLEND: _(
            "Answers to everyday-culture questions (food, sport, family, education, holidays, "
            "work life...) given by people of the question's country."
        ),
        Kind.STEREOTYPES: _(
            "Ratings, from 1 to 5, of how strongly a nationality and an attribute are associated "
            "in the rater's region, to measure stereotypes in language models."
        ),
    }[kind]


def _validation_rule(kind: str) -> str:
    return {
        Kind.PREFERENCES: _(
            "Only prompts validated by participants of other teams are included (well designed "
            "and culturally anchored); chosen and rejected come from the prompt's latest arena "
            "vote that preferred one answer, and are empty when no vote did."
        ),
        Kind.INCLUDE: _(
            "Only questions accepted by the organizers after reviewing their exam are included. "
            "Exams had to be non-proprietary; each row keeps its exam's source and licence."
        ),
        Kind.BLEND: _(
            "Only answers validated by other people of the same country are included. No AI "
            "tools or search engines were allowed to answer."
        ),
        Kind.STEREOTYPES: _(
            "Every participant gave informed consent first. Ratings count as soon as they are "
            "given; those invalidated by the organizers and the skipped pairs are left out."
        ),
    }[kind]


def _dataset_info(*, dataset, folder: Path) -> dict:
    """The card's dataset_info, as datasets writes it: columns, row count, sizes (in memory,
    and of the file to download)."""
    size = dataset.data.nbytes
    return {
        # The same list of columns datasets itself writes into the cards it pushes.
        "features": dataset.features._to_yaml_list(),
        "splits": [{"name": "train", "num_bytes": size, "num_examples": len(dataset)}],
        "download_size": (folder / DATA_FILE).stat().st_size,
        "dataset_size": size,
    }


def render_card(*, edition: Edition, kind: str, rows: list[dict], dataset, folder: Path) -> str:
    """The dataset card (README.md): YAML metadata the Hub reads (licence, languages, tasks,
    size, the Parquet file as the train split, row count) and a text saying what the data is,
    how it was collected and validated, its columns, and that it holds no personal data. The
    text is in the active language (the organizer's on the page, LANGUAGE_CODE for the command);
    the metadata's ``language`` lists the languages of the data itself."""
    organization = organization_for(edition=edition)
    title = f"{edition.name} · {Kind(kind).label}"
    metadata = {
        "pretty_name": title,
        "license": LICENSE,
        "language": _languages(edition=edition, kind=kind, rows=rows),
        "task_categories": TASK_CATEGORIES[kind],
        "size_categories": [_size_category(len(rows))],
        "tags": [edition.slug, kind],
        "configs": [
            {"config_name": "default", "data_files": [{"split": "train", "path": DATA_FILE}]}
        ],
        "dataset_info": _dataset_info(dataset=dataset, folder=folder),
    }
    endpoint = settings.HF_ENDPOINT.rstrip("/")
    lines = [
        "---",
        yaml.safe_dump(metadata, allow_unicode=True, sort_keys=False).rstrip(),
        "---",
        "",
        f"# {title}",
        "",
        _summary(kind),
        "",
        _("Collected during %(edition)s and published by the Hugging Face organization %(org)s.")
        % {"edition": f"**{edition.name}**", "org": f"[{organization}]({endpoint}/{organization})"},
        "",
        f"## {_('How the data was collected')}",
        "",
    ]
    for challenge in _challenges(edition=edition, kind=kind):
        lines += [f"### {challenge.title}", ""]
        if challenge.description:
            lines += [challenge.description.strip(), ""]
    lines += [_validation_rule(kind), "", f"## {_('Rows and columns')}", ""]
    lines += [
        ngettext(
            "%(rows)s row in one split (train), in the file %(file)s.",
            "%(rows)s rows in one split (train), in the file %(file)s.",
            len(rows),
        )
        % {"rows": len(rows), "file": f"`{DATA_FILE}`"},
        "",
        f"| {_('column')} | {_('type')} |",
        "|---|---|",
    ]
    lines += [f"| `{name}` | `{type_}` |" for name, type_ in _column_types(dataset.features)]
    lines += [
        "",
        f"## {_('Personal data')}",
        "",
        _(
            "This dataset contains no personal data: no names, emails, Hub or Discord usernames, "
            "and no identifier of the people who contributed."
        ),
        "",
        f"## {_('Licence')}",
        "",
        _("The dataset is published under the %(license)s licence.") % {"license": LICENSE},
        "",
    ]
    return "\n".join(lines)


def _column_types(features) -> list[tuple[str, str]]:
    described = []
    for name, feature in features.items():
        dtype = getattr(feature, "dtype", None)
        if dtype is None or dtype == "list":
            dtype = f"list<{feature.feature.dtype}>"
        described.append((name, dtype))
    return described


# --- writing and publishing ------------------------------------------------------------------


def write_dataset(*, edition: Edition, kind: str, folder: Path) -> int:
    """Write one dataset of the edition into ``folder``: ``data/train.parquet`` and its card
    ``README.md``. Returns the number of rows; an empty dataset is refused (nothing written)."""
    from datasets import Dataset

    rows = build_rows(edition=edition, kind=kind)
    if not rows:
        raise PublishRefused(
            _("“%(dataset)s” has no rows yet: there is nothing to publish.")
            % {"dataset": Kind(kind).label}
        )
    folder = Path(folder)
    (folder / DATA_FILE).parent.mkdir(parents=True, exist_ok=True)
    dataset = Dataset.from_list(rows, features=_features(kind))
    dataset.to_parquet(str(folder / DATA_FILE))
    card = render_card(edition=edition, kind=kind, rows=rows, dataset=dataset, folder=folder)
    (folder / CARD_FILE).write_text(card, encoding="utf-8")
    return len(rows)


def repo_id_for(*, edition: Edition, kind: str) -> str:
    """The dataset repository on the Hub: ``<organization>/<edition slug>-<kind>``."""
    return f"{organization_for(edition=edition)}/{edition.slug}-{kind}"


def local_folder_for(*, edition: Edition, kind: str) -> Path:
    """Where a dataset is written without a Hub token: PUBLISHED_DATASETS_DIR/<edition>/<kind>."""
    return Path(settings.PUBLISHED_DATASETS_DIR) / edition.slug / kind


def _upload(*, edition: Edition, kind: str, api) -> tuple[str, int, str]:
    """Write the dataset into a temporary folder and upload it; (repo id, rows, commit)."""
    repo_id = repo_id_for(edition=edition, kind=kind)
    with tempfile.TemporaryDirectory(prefix=f"{kind}-") as directory:
        rows = write_dataset(edition=edition, kind=kind, folder=Path(directory))
        try:
            api.create_repo(repo_id, repo_type="dataset", exist_ok=True)
            commit = api.upload_folder(
                repo_id=repo_id,
                repo_type="dataset",
                folder_path=directory,
                commit_message=f"Publish {rows} rows of {edition.slug} {kind}",
            )
        except Exception as error:  # any failure of the Hub or the network, said without token
            detail = describe_error(error, api=api)[:MAX_ERROR_CHARS]
            logger.warning("Publishing %s to %s failed: %s", kind, repo_id, detail)
            raise PublishRefused(
                _("The Hub did not accept the dataset %(repo)s: %(error)s")
                % {"repo": repo_id, "error": detail}
            ) from None  # the original exception may carry the token in its request
    return repo_id, rows, getattr(commit, "oid", "") or ""


def publish_dataset(
    *,
    edition: Edition,
    kind: str,
    by: User | None = None,
    api=None,
    folder: Path | None = None,
) -> PublishedDataset:
    """Publish one dataset of the edition and record the publication.

    With a Hub token (settings.HF_TOKEN) and no ``folder``: create the dataset repository
    ``<organization>/<edition slug>-<kind>`` if missing and upload the data and its card in one
    commit. Otherwise: write them to ``folder``, by default
    ``PUBLISHED_DATASETS_DIR/<edition>/<kind>``. An empty dataset, an unknown kind or a failure
    of the Hub is refused with a message (without the token) and nothing is recorded.
    Publishing again is harmless: it replaces the files and records one more publication.
    """
    _check_kind(kind)
    if folder is None and settings.HF_TOKEN:
        target, rows, commit = _upload(edition=edition, kind=kind, api=api or make_api())
        on_hub = True
    else:
        path = Path(folder) if folder is not None else local_folder_for(edition=edition, kind=kind)
        try:
            rows = write_dataset(edition=edition, kind=kind, folder=path)
        except OSError as error:
            raise PublishRefused(
                _("The dataset could not be written to %(folder)s: %(error)s")
                % {"folder": path, "error": error.strerror or error}
            ) from error
        target, commit, on_hub = str(path.resolve()), "", False
    return PublishedDataset.objects.create(
        edition=edition,
        kind=kind,
        target=target,
        on_hub=on_hub,
        rows=rows,
        commit=commit,
        published_by=by,
    )
