"""Rules about editions: the edition file, and the record of every change made to them."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import models, transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _

from challenges.domain.awards import check_awards
from challenges.domain.guides import read_guides, save_guides
from challenges.intake import get_intake, get_uploader_of
from challenges.models import Challenge, ChangeRecord, Edition
from challenges.uploads import UploadRejected

# Sent after the transaction that recorded changes to an edition or its challenges commits.
changes_recorded = Signal()

# --- change records --------------------------------------------------------------------------


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def take_snapshot(*, instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The current values of ``fields`` of ``instance``, to compare after an edit."""
    return {name: getattr(instance, name) for name in fields}


def record_changes(
    *,
    edition: Edition,
    instance: models.Model,
    before: dict[str, Any],
    source: str,
    changed_by=None,
    reason: str = "",
) -> list[ChangeRecord]:
    """Record one ChangeRecord per field of ``instance`` whose value differs from ``before``.

    Values are compared as values (10 equals 10.00), so re-saving what is there records nothing.
    """
    records = []
    for field, old in before.items():
        new = getattr(instance, field)
        if old == new:
            continue
        records.append(
            ChangeRecord(
                edition=edition,
                object_type=instance._meta.label_lower,
                object_id=instance.pk,
                object_label=str(getattr(instance, "record_label", instance))[:200],
                field=field,
                old_value=_as_text(old),
                new_value=_as_text(new),
                source=source,
                reason=reason,
                changed_by=changed_by,
            )
        )
    created = ChangeRecord.objects.bulk_create(records)
    if created:
        transaction.on_commit(
            lambda: changes_recorded.send(sender=ChangeRecord, edition=edition, records=created)
        )
    return created


# --- the edition file -----------------------------------------------------------------------

EDITION_FIELDS = [
    "name", "tagline_es", "tagline_pt", "tagline_en", "hub_organization", "time_zone",
    "time_zone_label", "team_min_size", "team_max_size", "team_deadline", "max_total_points",
    "gates", "discord_url", "hub_join_url", "consent_version", "consent_text_es",
    "consent_text_pt", "consent_text_en", "contribution_license", "citation", "contact",
    "awards",
]  # fmt: skip
CHALLENGE_FIELDS = [
    "kind", "category", "position", "title_es", "title_pt", "title_en", "description_es",
    "description_pt", "description_en", "opens_at", "closes_at", "announced_closes_at",
    "max_points", "scoring", "required_for_prizes", "approvals_to_validate",
    "rejections_to_reject",
]  # fmt: skip
# The file names the moments of a window as days; which end of the day depends on the field.
START_OF_DAY_FIELDS = {"opens_at"}
FILE_KEYS = {"opens": "opens_at", "closes": "closes_at", "announced_closes": "announced_closes_at"}


@dataclass(frozen=True)
class EditionSection:
    """A top-level table of the edition file that an app loads itself (the arena's models, say):
    ``check(value)`` returns every problem before anything is written; ``apply(edition=,
    value=)`` writes it inside the load's transaction and returns the changes it recorded."""

    key: str
    check: Callable[[Any], list[str]]
    apply: Callable[..., list[ChangeRecord]]


# Filled by the apps' ready(): the foundation does not know the kinds.
EDITION_SECTIONS: dict[str, EditionSection] = {}


def register_edition_section(section: EditionSection) -> None:
    """Let ``load_edition`` read and write the file's ``section.key`` table."""
    EDITION_SECTIONS[section.key] = section


class EditionFileError(Exception):
    """The edition file cannot be loaded; ``problems`` says every reason."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class LoadReport:
    edition: Edition
    created: bool
    challenges_created: list[str]
    changes: list[ChangeRecord]
    not_in_file: list[str]


def _to_moment(value: Any, *, zone: dt.tzinfo, start_of_day: bool, shift: dt.timedelta) -> Any:
    """A day in the file means its first second (opening) or its last (deadline), in ``zone``."""
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=zone)
        return moment + shift
    if isinstance(value, dt.date):
        clock = dt.time(0, 0, 0) if start_of_day else dt.time(23, 59, 59)
        return dt.datetime.combine(value, clock, tzinfo=zone) + shift
    return value


def read_edition_file(path: Path) -> dict[str, Any]:
    """Parse an edition file (TOML) into plain data; refuse what is not TOML with the reason."""
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as error:
        raise EditionFileError(
            [_("There is no edition file at %(path)s.") % {"path": path}]
        ) from error
    except tomllib.TOMLDecodeError as error:
        raise EditionFileError(
            [_("The edition file is not valid TOML: %(error)s") % {"error": error}]
        ) from error


def first_opening(data: dict[str, Any]) -> dt.date | None:
    """The earliest opening day of the file's challenges (what ``starting_on`` moves to)."""
    openings = [c.get("opens") for c in data.get("challenges", []) if c.get("opens")]
    days = [o.date() if isinstance(o, dt.datetime) else o for o in openings]
    return min(days) if days else None


def load_edition(
    *, data: dict[str, Any], starting_on: dt.date | None = None, base_dir: Path | None = None
) -> LoadReport:
    """Create or update an edition and its challenges from edition-file data.

    The rule: the file is the source of truth for every field it names. Loading the same data
    twice changes nothing; each value that differs is updated and recorded as a ChangeRecord.
    Challenges missing from the file are left as they are (they may hold contributions) and
    reported. ``starting_on`` moves every date so that the first window opens on that day, which
    makes a past edition live for a demonstration. Nothing is written unless all of it is valid.
    A challenge's ``data_files`` (paths relative to ``base_dir``, by default ``editions/``) and
    its kind's own tables (the quiz) are loaded too (see ``load_challenge_extras``).
    """
    problems: list[str] = []
    edition_data = dict(data.get("edition") or {})
    challenges_data = list(data.get("challenges") or [])
    if not edition_data.get("slug"):
        problems.append(_("The [edition] table needs a slug."))
    if not challenges_data:
        problems.append(_("The file has no [[challenges]]."))
    if problems:
        raise EditionFileError(problems)

    time_zone = edition_data.get("time_zone", "Etc/GMT+12")
    try:
        zone = zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise EditionFileError(
            [_("“%(zone)s” is not a known time zone.") % {"zone": time_zone}]
        ) from error
    shift = dt.timedelta(0)
    if starting_on is not None:
        first = first_opening(data)
        if first is not None:
            shift = starting_on - first

    edition_values = {
        key: _to_moment(value, zone=zone, start_of_day=False, shift=shift)
        for key, value in edition_data.items()
        if key in EDITION_FIELDS
    }
    problems += check_awards(
        edition_data.get("awards"), challenge_slugs={c.get("slug") for c in challenges_data}
    )
    unknown = set(edition_data) - set(EDITION_FIELDS) - {"slug", "current"}
    if unknown:
        problems.append(
            _("Unknown keys in [edition]: %(keys)s.") % {"keys": ", ".join(sorted(unknown))}
        )

    challenge_rows = []
    extras: dict[str, dict[str, Any]] = {}
    seen_slugs = set()
    guides_by_slug = {}  # only the challenges whose entry has [[challenges.guides]]
    for number, row in enumerate(challenges_data, start=1):
        row = dict(row)
        slug = row.pop("slug", "")
        if not slug:
            problems.append(_("Challenge %(number)s has no slug.") % {"number": number})
            continue
        if "guides" in row:
            guides_by_slug[slug] = read_guides(
                rows=row.pop("guides"), challenge_slug=slug, problems=problems
            )
        if slug in seen_slugs:
            problems.append(_("Challenge slug “%(slug)s” appears twice.") % {"slug": slug})
        seen_slugs.add(slug)
        values = {}
        extras[slug] = split_challenge_extras(
            row, slug=slug, base_dir=base_dir or DEFAULT_BASE_DIR, problems=problems
        )
        for key, value in row.items():
            field = FILE_KEYS.get(key, key)
            if key in extras[slug]:
                continue
            if field not in CHALLENGE_FIELDS:
                problems.append(
                    _("Unknown key “%(key)s” in challenge “%(slug)s”.") % {"key": key, "slug": slug}
                )
                continue
            values[field] = _to_moment(
                value, zone=zone, start_of_day=field in START_OF_DAY_FIELDS, shift=shift
            )
        values.setdefault("position", number)
        challenge_rows.append((slug, values))
    sections = [(EDITION_SECTIONS[key], data[key]) for key in EDITION_SECTIONS if key in data]
    for section, value in sections:
        problems.extend(section.check(value))
    if problems:
        raise EditionFileError(problems)

    with transaction.atomic():
        edition = Edition.objects.select_for_update().filter(slug=edition_data["slug"]).first()
        created = edition is None
        if created:
            edition = Edition(slug=edition_data["slug"])
        before = take_snapshot(instance=edition, fields=list(edition_values))
        _assign(edition, edition_values, problems=problems, label=_("edition"))
        _validate(edition, label=_("edition"), problems=problems)

        existing = (
            {c.slug: c for c in Challenge.objects.filter(edition_id=edition.pk)}
            if edition.pk
            else {}
        )
        prepared = []
        for slug, values in challenge_rows:
            challenge = existing.get(slug) or Challenge(slug=slug)
            challenge_before = take_snapshot(instance=challenge, fields=list(values))
            _assign(challenge, values, problems=problems, label=slug_label(challenge))
            prepared.append((challenge, challenge_before))
        for challenge, _before in prepared:
            _validate(
                challenge, label=slug_label(challenge), problems=problems, exclude=["edition"]
            )
        if problems:
            raise EditionFileError(problems)

        edition.save()
        if edition_data.get("current"):
            Edition.objects.exclude(pk=edition.pk).filter(is_current=True).update(is_current=False)
            if not edition.is_current:
                edition.is_current = True
                edition.save(update_fields=["is_current"])
        changes = (
            []
            if created
            else record_changes(
                edition=edition,
                instance=edition,
                before=before,
                source=ChangeRecord.Source.EDITION_FILE,
            )
        )
        challenges_created = []
        for challenge, challenge_before in prepared:
            is_new = challenge.pk is None
            challenge.edition = edition
            challenge.save()
            changes += load_challenge_extras(
                challenge=challenge, extras=extras.get(challenge.slug, {}), record=not is_new
            )
            if is_new:
                challenges_created.append(challenge.slug)
            else:
                changes += record_changes(
                    edition=edition,
                    instance=challenge,
                    before=challenge_before,
                    source=ChangeRecord.Source.EDITION_FILE,
                )
            if challenge.slug in guides_by_slug:
                changes += _record_guides(edition, challenge, guides_by_slug[challenge.slug])
        for section, value in sections:
            changes += section.apply(edition=edition, value=value, record=not created)
    not_in_file = sorted(set(existing) - seen_slugs)
    return LoadReport(
        edition=edition,
        created=created,
        challenges_created=challenges_created,
        changes=changes,
        not_in_file=not_in_file,
    )


def _record_guides(edition: Edition, challenge: Challenge, guides: list) -> list[ChangeRecord]:
    """The file's guides of one challenge saved (``challenges.domain.guides``), each change of
    an existing one recorded."""
    changes = []
    for guide, before in save_guides(challenge=challenge, guides=guides):
        changes += record_changes(
            edition=edition, instance=guide, before=before, source=ChangeRecord.Source.EDITION_FILE
        )
    return changes


def _assign(
    instance: models.Model, values: dict[str, Any], *, problems: list[str], label: str
) -> None:
    """Set each value as the model field's own Python type, so that "1" and 1.00 compare equal."""
    for name, value in values.items():
        field = instance._meta.get_field(name)
        if isinstance(field, models.IntegerField) and (
            isinstance(value, bool) or not isinstance(value, (int, str))
        ):
            # TOML's true would be 1 and 1.5 would be 1: a count is written as a whole number.
            problems.append(
                _("%(label)s: %(field)s: “%(value)s” is not a whole number.")
                % {"label": label, "field": name, "value": value}
            )
            continue
        try:
            setattr(
                instance,
                name,
                value if isinstance(field, models.JSONField) else field.to_python(value),
            )
        except ValidationError as error:
            problems.extend(f"{label}: {name}: {message}" for message in error.messages)


def slug_label(challenge: Challenge) -> str:
    return _("challenge “%(slug)s”") % {"slug": challenge.slug}


def _validate(instance: models.Model, *, label: str, problems: list[str], exclude=None) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            for message in messages:
                problems.append(f"{label}: {field}: {message}")
    # The check constraints, in words, so the file's author sees them before the database does.
    closes_at = getattr(instance, "closes_at", None)
    opens_at = getattr(instance, "opens_at", None)
    if closes_at and opens_at and isinstance(closes_at, dt.datetime) and closes_at <= opens_at:
        problems.append(_("%(label)s: closes before it opens.") % {"label": label})
    team_min = getattr(instance, "team_min_size", None)
    team_max = getattr(instance, "team_max_size", None)
    if isinstance(team_min, int) and isinstance(team_max, int) and team_min > team_max:
        problems.append(
            _("%(label)s: the minimum team size is above the maximum.") % {"label": label}
        )


# --- what a challenge of the edition file brings beside its fields ---------------------------
# Data files (a BLEND question bank, a stereotype pool), read through the organizers' upload of
# the challenge's kind with its every check, and the tables only a kind understands (its
# Intake's ``edition_tables``: the preferences' quiz).

DEFAULT_BASE_DIR = Path(settings.BASE_DIR) / "editions"
DATA_FILES_KEY = "data_files"


def split_challenge_extras(
    row: dict[str, Any], *, slug: str, base_dir: Path, problems: list[str]
) -> dict[str, Any]:
    """The keys of a challenge row that are not Challenge fields but that its kind loads:
    ``data_files`` (each resolved against ``base_dir``; a missing file is a problem) and its
    Intake's tables. Returned as {key: value}, with ``data_files`` as a list of Paths."""
    kind = row.get("kind", "")
    intake = get_intake(kind)
    tables = intake.edition_tables if intake is not None else {}
    extras: dict[str, Any] = {key: row[key] for key in tables if key in row}
    files = row.get(DATA_FILES_KEY)
    if files is None:
        return extras
    extras[DATA_FILES_KEY] = []
    if not isinstance(files, list) or not all(isinstance(name, str) for name in files):
        problems.append(_("Challenge “%(slug)s”: data_files is a list of paths.") % {"slug": slug})
        return extras
    if get_uploader_of(kind, "organizers") is None:
        problems.append(
            _("Challenge “%(slug)s”: a challenge of this kind takes no data files.")
            % {"slug": slug}
        )
        return extras
    for name in files:
        path = base_dir / name
        if not path.is_file():
            problems.append(
                _("Challenge “%(slug)s”: there is no data file at %(path)s.")
                % {"slug": slug, "path": path}
            )
        extras[DATA_FILES_KEY].append(path)
    return extras


def load_challenge_extras(
    *, challenge: Challenge, extras: dict[str, Any], record: bool
) -> list[ChangeRecord]:
    """Load a challenge's data files and kind tables, inside the edition's transaction.

    Each data file goes through the kind's organizer upload (every check of an upload; rows
    already stored are left out, so loading twice adds nothing); any refused row refuses the
    whole edition file (EditionFileError with every row's error). Rows a later load adds are
    recorded as a change of the challenge's ``data_files``.
    """
    changes: list[ChangeRecord] = []
    uploader = get_uploader_of(challenge.kind, "organizers")
    for path in extras.get(DATA_FILES_KEY, []):
        with open(path, "rb") as handle:
            try:
                report = uploader.store(
                    challenge=challenge, user=None, target=None, upload=File(handle, name=path.name)
                )
            except UploadRejected as error:
                raise EditionFileError(
                    [
                        _("%(file)s, row %(row)s, %(field)s: %(message)s")
                        % {"file": path.name, "row": e.row, "field": e.field, "message": e.message}
                        for e in error.errors.shown
                    ]
                ) from error
        if record and report.stored:
            changes.append(
                ChangeRecord.objects.create(
                    edition=challenge.edition,
                    object_type=challenge._meta.label_lower,
                    object_id=challenge.pk,
                    object_label=str(challenge.record_label)[:200],
                    field=DATA_FILES_KEY,
                    old_value="",
                    new_value=_("%(file)s: %(count)s rows added")
                    % {"file": path.name, "count": report.stored},
                    source=ChangeRecord.Source.EDITION_FILE,
                )
            )
    intake = get_intake(challenge.kind)
    for key, loader in (intake.edition_tables if intake is not None else {}).items():
        if key in extras:
            changes += loader(challenge=challenge, value=extras[key], record=record)
    return changes
