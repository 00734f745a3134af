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

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _

from challenges.domain.guides import read_guides, save_guides
from challenges.models import Challenge, ChangeRecord, Edition

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


def _first_opening(data: dict[str, Any]) -> dt.date | None:
    openings = [c.get("opens") for c in data.get("challenges", []) if c.get("opens")]
    days = [o.date() if isinstance(o, dt.datetime) else o for o in openings]
    return min(days) if days else None


def load_edition(*, data: dict[str, Any], starting_on: dt.date | None = None) -> LoadReport:
    """Create or update an edition and its challenges from edition-file data.

    The rule: the file is the source of truth for every field it names. Loading the same data
    twice changes nothing; each value that differs is updated and recorded as a ChangeRecord.
    Challenges missing from the file are left as they are (they may hold contributions) and
    reported. ``starting_on`` moves every date so that the first window opens on that day, which
    makes a past edition live for a demonstration. Nothing is written unless all of it is valid.
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
        first = _first_opening(data)
        if first is not None:
            shift = starting_on - first

    edition_values = {
        key: _to_moment(value, zone=zone, start_of_day=False, shift=shift)
        for key, value in edition_data.items()
        if key in EDITION_FIELDS
    }
    unknown = set(edition_data) - set(EDITION_FIELDS) - {"slug", "current"}
    if unknown:
        problems.append(
            _("Unknown keys in [edition]: %(keys)s.") % {"keys": ", ".join(sorted(unknown))}
        )

    challenge_rows = []
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
        for key, value in row.items():
            field = FILE_KEYS.get(key, key)
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
