"""The registry through which each challenge kind plugs into the rest of the platform.

Every data-collection challenge (INCLUDE, stereotypes, BLEND, preferences) registers one
``Intake`` from its AppConfig.ready() (``register(build_intake())``, built in its own
``intake.py``). The shared pages (progress, review queue, decision history, exports), the
published datasets (``hub.publishing``), imports from the Hub (``hub.importing``) and the
credits gate (``scoring.gates``) read what they need from it and never switch on the kind:
adding a challenge kind means one app and one registered Intake.

Everything here is plain data and callables; nothing imports a challenge app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.functional import Promise

from challenges.uploads import UploadReport


@dataclass(frozen=True)
class Column:
    label: Promise | str
    value: Callable[[Any], Any]


# --- publishing -------------------------------------------------------------------------------

# The column types a published dataset may have, as the publisher maps them onto `datasets`.
COLUMN_TYPES = frozenset({"string", "int64", "bool", "list<string>", "list<int64>"})


@dataclass(frozen=True)
class DatasetForm:
    """One form (a Hub "config") of a published dataset: its columns and their types, fixed so
    that an empty list or a missing value never changes the schema, and its rows."""

    name: str
    columns: Mapping[str, str]
    # The rows of one challenge, oldest first, without personal data (not even author ids).
    # Each row has its stable "id" (challenges.provenance.Provenance.row_id: the publisher
    # applies the personal-data decisions by it) and, when it has an author, a "contributor"
    # key (Provenance.contributor). Every text column is scanned for personal data.
    rows: Callable[[Any], Iterable[dict]]
    # A form built from the first form's rows as published (the personal-data decisions
    # applied) rather than read again: ``derive(rows of one challenge)`` gives its rows (an
    # aggregated shape). Its texts are those of the first form, scanned there; its rows' ids
    # are its own. ``rows`` is then not read.
    derive: Callable[[list[dict]], Iterable[dict]] | None = None


@dataclass(frozen=True)
class Publication:
    """What the publisher needs to publish a kind's contributions as a dataset."""

    # The dataset in words ("validated BLEND answers"), on the organizers' page.
    label: Promise | str
    # Narrows the kind's contributions to those published (the validation rule, as a query).
    published: Callable[[models.QuerySet], models.QuerySet]
    # The first form is the default one; the others are published beside it.
    forms: list[DatasetForm]
    # The card's texts: what the data is, and which rows were let in.
    summary: Promise | str
    validation_rule: Promise | str
    task_categories: list[str]
    # How the dataset is created on the Hub unless organizers choose otherwise: "public",
    # "private" or "gated" (a benchmark kept private is not a contaminated one).
    default_visibility: str = "public"
    # Who wrote the data and its labels, in the Hub's card vocabulary ("crowdsourced",
    # "found", "expert-generated", "machine-generated"...).
    language_creators: list[str] = field(default_factory=lambda: ["crowdsourced"])
    annotations_creators: list[str] = field(default_factory=lambda: ["crowdsourced"])
    # Where each contribution's licence is read (a lookup on the kind's model, free text the
    # publisher normalizes), its forms' rows then carrying it in a ``license`` column; None:
    # every row is published under the edition's contribution licence.
    license_lookup: str | None = None
    # The card's limitations and known biases, intended uses and out-of-scope uses.
    limitations: Promise | str = ""
    uses: Promise | str = ""
    out_of_scope: Promise | str = ""


# --- importing from the Hub -------------------------------------------------------------------


@dataclass(frozen=True)
class Importer:
    """How a kind takes records read from a Hub dataset: through its own upload rules.

    ``target`` is where the records go (an INCLUDE exam) or None; the view finds it with
    ``find_target(request, challenge)`` (404 for one that is not the person's)."""

    # Refuses (ContributionRefused) before anything is downloaded: window, quiz, ownership.
    check: Callable[..., None]
    # Stores the records (row number, record) as an upload would; returns its UploadReport.
    store: Callable[..., Any]
    # Tells the person what the import stored (the messages of an upload): (request, report).
    announce: Callable[[Any, Any], None]
    find_target: Callable[[Any, Any], Any] = lambda request, challenge: None
    # The target again from its id, for an import checked in the background (None when the
    # kind has none, or it is gone): (challenge, target_id).
    find_target_by_id: Callable[[Any, int | None], Any] = lambda challenge, target_id: None
    # URL names and arguments of the page with the import form, and of the page after it.
    form_page: Callable[[Any, Any], tuple[str, dict]] = lambda challenge, target: ("", {})
    done_page: Callable[[Any, Any], tuple[str, dict]] = lambda challenge, target: ("", {})


# --- uploaded files, checked in the background ------------------------------------------------


def upload_report_as_data(report: UploadReport) -> dict:
    """An UploadReport as an ``Upload`` keeps it (``flagged`` beside the report's own data)."""
    return {**report.as_dict(), "flagged": report.flagged}


def no_person_rules(**arguments) -> None:
    """The check of an organizers' upload: no window, quiz nor ownership (being an organizer
    is the one rule, which ``challenges.domain.uploads.start_upload`` applies)."""


@dataclass(frozen=True)
class Uploader:
    """How a kind takes an uploaded file: kept as an ``Upload``, then checked and stored by a
    Celery task (``challenges.domain.uploads``), which never switches on the kind.

    ``target`` is where the rows go (an INCLUDE exam) or None; an upload keeps its id."""

    # Refuses (ContributionRefused) before the file is kept: window, quiz, ownership.
    # (challenge=, user=, target=, now=)
    check: Callable[..., None]
    # Reads the file and stores its rows as the kind's upload does, all or nothing; returns its
    # UploadReport. (challenge=, user=, target=, upload=, progress=) where progress(rows,
    # errors) is called as rows are checked.
    store: Callable[..., Any]
    # Tells the person what the upload stored (the messages of an upload): (request, report).
    announce: Callable[[Any, Any], None]
    # The target again from its id (None when the kind has none, or it is gone).
    find_target: Callable[[Any, int | None], Any] = lambda challenge, target_id: None
    # URL name and arguments of the page the upload was sent from.
    form_page: Callable[[Any, Any], tuple[str, dict]] = lambda challenge, target: ("", {})
    # What ``store`` returned as the data an ``Upload`` keeps (holding "rows": the rows read),
    # and that data back as what ``announce`` takes.
    report_as_data: Callable[[Any], dict] = upload_report_as_data
    report_from_data: Callable[[dict], Any] = UploadReport.from_dict
    # Reads what the kept file names before anything is locked, outside the transaction that
    # stores the rows (a dataset fetched from the Hub, over the network): (challenge=, user=,
    # target=, upload=) -> what ``store`` then takes as ``upload``; refuses as ``store`` does.
    # None: ``store`` reads the kept file itself.
    fetch: Callable[..., Any] | None = None


# --- the credits gate -------------------------------------------------------------------------


@dataclass(frozen=True)
class CountGate:
    """A requirement of the credits gate met by the team's counted contributions of this kind:
    at least the edition's ``gates.credits.<setting>`` (``default`` when the edition is silent)."""

    key: str
    label: Promise | str
    setting: str
    default: int


@dataclass(frozen=True)
class MemberGate:
    """A requirement of the credits gate that every member meets: ``shortfall(challenge,
    team_ids)`` says, per team, how many members fall short (absent: none)."""

    key: str
    label: Promise | str
    shortfall: Callable[[Any, list[int]], Mapping[int, int]]
    # The detail shown when some fall short, given how many.
    describe: Callable[[int], str]


# --- peer validation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PeerValidation:
    """How a kind's contributions are validated by peers (``challenges.domain.peer_validation``
    applies the one rule: independence, the challenge's quorum, re-decisions, voiding).

    The contribution model keeps ``approvals`` and ``rejections`` counters; ``vote_model`` holds
    one vote per (item, validator) with ``validator``, ``created_at`` and ``voided_at`` fields,
    the item's foreign key named ``item_field`` and the vote's verdict in ``approve_field``.
    """

    vote_model: type[models.Model]
    item_field: str
    approve_field: str
    # The reason stored when peers decide an item: (item, status) -> text for its author.
    decision_reason: Callable[[Any, str], str]
    # Refusals in the kind's words (the author's own item; an item of the validator's team).
    own_item_refused: Promise | str
    team_item_refused: Promise | str


@dataclass(frozen=True)
class GroupFilter:
    """A filter of the review queue by what groups a kind's items (INCLUDE: their exam)."""

    # The filter's name in the queue's address (``?exam=12``) and its label.
    name: str
    label: Promise | str
    # The lookup on the kind's model the chosen id is compared with ("exam").
    lookup: str
    # (id, name) of every group of the challenge, in the order shown: (challenge) -> choices.
    choices: Callable[[Any], Iterable[tuple[int, str]]]


@dataclass(frozen=True)
class Amendment:
    """How a participant edits one of their contributions while it still waits for review
    (``challenges.domain.own`` applies the shared rules: the author's own, window open, not
    decided, no peer vote yet; then the kind's).

    ``form(data, item)`` is the kind's form for a new contribution, filled with the item's
    values (``data`` None: unbound); ``edit(item=, author=, values=, now=)`` applies the kind's
    rules for a new contribution to the form's values, saves the locked ``item`` and returns
    the fields that changed ({name: (old, new)}), or raises ContributionRefused. Without them
    an item can be withdrawn, not edited. ``refusal(item)`` is the kind's own reason why an
    item cannot be edited nor withdrawn (a prompt taken from arena votes), or "" when it can.
    Withdrawing deletes the item: it never counted (it was pending), and nothing decided it.
    """

    form: Callable[[Any, Any], Any] | None = None
    edit: Callable[..., Mapping[str, tuple[Any, Any]]] | None = None
    refusal: Callable[[Any], str] = lambda item: ""


@dataclass(frozen=True)
class Intake:
    kind: str
    model: type[models.Model]
    # What counts, in words: "accepted questions", "validated answers"...
    counted_label: Promise | str
    # The participant's page for this challenge (URL name taking the challenge slug), if any.
    participate_url: str | None
    review_columns: list[Column]
    export_fields: list[str]
    export_rows: Callable[[Any], Iterable[dict]]
    # The challenge's own organizer page (URL name taking the challenge slug), if it has one.
    organize_url: str | None = None
    # Related objects the review queue shows, fetched with the rows (no query per row).
    review_related: list[str] = field(default_factory=list)
    # Lookups the review filters use; None when the challenge has no such notion.
    country_lookup: str | None = None
    language_lookup: str | None = None
    # A filter by what groups the items (INCLUDE: the exam), if the kind has one.
    group_filter: GroupFilter | None = None
    # The text fields the participant's own list searches (icontains); none: no search box.
    search_lookups: list[str] = field(default_factory=list)
    # Editing or withdrawing a contribution still waiting for review; None: neither.
    amendment: Amendment | None = None
    # What the counted contributions are called in the incentives export (<slug>_<word>).
    counted_column: str = "validated"
    publication: Publication | None = None
    importer: Importer | None = None
    # Files sent by participants (questions into an exam, prompts): one at a time per person,
    # UPLOADS_PER_HOUR an hour.
    uploader: Uploader | None = None
    # Files sent by organizers (a vote log, a question bank, a pool): only organizers send them
    # and see their pages, and no per-person limit holds them back.
    organizer_uploader: Uploader | None = None
    gates: list[CountGate | MemberGate] = field(default_factory=list)
    peer_validation: PeerValidation | None = None
    # The model marks near-duplicates (``possible_duplicate_of``): the review queue shows the
    # mark, links the original and rejects every marked pending item at once.
    marks_possible_duplicates: bool = False
    # Tables of a challenge in the edition file that only this kind understands (the
    # preferences' ``quiz``): key -> loader(challenge=, value=, record=) returning the
    # ChangeRecords it made (none when ``record`` is false: a challenge just created), raising
    # ``challenges.domain.EditionFileError`` with every problem (nothing is then written).
    edition_tables: Mapping[str, Callable[..., list]] = field(default_factory=dict)


REGISTRY: dict[str, Intake] = {}

# How each channel of uploads (``Upload.Channel``) finds a kind's Uploader: the participants'
# and the organizers' files here; other channels (datasets of the Hub) are registered by the
# app that reads them, from its AppConfig.ready().
UPLOAD_CHANNELS: dict[str, Callable[[Intake], Uploader | None]] = {
    "participants": lambda intake: intake.uploader,
    "organizers": lambda intake: intake.organizer_uploader,
}


def register_upload_channel(name: str, uploader_of: Callable[[Intake], Uploader | None]) -> None:
    UPLOAD_CHANNELS[name] = uploader_of


def register(intake: Intake) -> None:
    # Keyed by the plain string, whether the app names its kind with Challenge.Kind or not.
    REGISTRY[str(intake.kind)] = intake


def get_intake(kind: str) -> Intake | None:
    return REGISTRY.get(kind)


def peer_validated_kinds() -> list[str]:
    """The kinds whose contributions peers validate, in registration order."""
    return [kind for kind, intake in REGISTRY.items() if intake.peer_validation is not None]


def publishable_kinds() -> list[str]:
    """The kinds whose contributions can be published as a dataset, in registration order."""
    return [kind for kind, intake in REGISTRY.items() if intake.publication is not None]


def get_uploader_of(kind: str, channel: str) -> Uploader | None:
    """The kind's Uploader for a channel of uploads, if it takes uploads that way."""
    intake = get_intake(kind)
    uploader_of = UPLOAD_CHANNELS.get(channel)
    return uploader_of(intake) if intake is not None and uploader_of is not None else None


def importable_kinds() -> list[str]:
    """The kinds that take datasets from the Hub."""
    return [kind for kind, intake in REGISTRY.items() if intake.importer is not None]
