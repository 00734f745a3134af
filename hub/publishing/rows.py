"""What each published dataset holds: its kind's Publication, its rows per form (the
organizers' personal-data decisions applied) and their split into one config per licence."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext as _

from challenges.intake import DatasetForm, Publication, get_intake, publishable_kinds
from challenges.licences import HUB_LICENSES, is_permissive, normalize_license
from challenges.models import Challenge, Edition
from hackathon.errors import RuleRefused
from hub.personal_data import Decisions

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
        if type_.startswith("list<"):
            return List(Value(type_[len("list<") : -1]))
        return Value(type_)

    return Features({name: feature(type_) for name, type_ in form.columns.items()})


def _form_rows(
    *, edition: Edition, kind: str, form: DatasetForm, decisions: Decisions | None = None
) -> list[dict]:
    """One form's rows from every challenge of the kind, oldest first, with the organizers'
    decisions on personal data applied (redacted, or left out); a form with a ``license``
    column has it as the Hub's id."""
    if decisions is None:  # the caller writing all the forms reads them once for all
        decisions = Decisions.load(edition=edition, kind=kind)
    first = _publication(kind).forms[0]
    rows: list[dict] = []
    for challenge in _challenges(edition=edition, kind=kind):
        if form.derive is not None:
            found = form.derive(list(decisions.apply(first.rows(challenge))))
        else:
            found = decisions.apply(form.rows(challenge))
        for row in found:
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

    No personal data: no name, email or Hub/Discord username, and not even the author's id
    (a contributor key stands for them, ``challenges.provenance``); only what was contributed
    (question, options, answer, country, language...), with the organizers' decisions about
    what looked like personal data applied (``hub.personal_data``: redacted, rows excluded).
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
