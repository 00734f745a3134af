"""The personal-data gate of the published datasets and the organizers' exports.

Every free-text field of the rows is scanned for:

- email addresses;
- phone numbers: an international one (``+`` and 8 to 15 digits, spaces, dots, dashes or
  parentheses between them), or a local one of 8 to 15 digits in groups (``(011) 4567-8901``,
  ``11 98765-4321``, ``555-1234``'s 7-digit ``ddd-dddd`` shape) or a plain run of 9 to 15
  digits. Years and year ranges (``1990-2000``), dates (``2024-01-15``), numbers written with
  thousands separators (``1.234.567``) and anything shorter (a question number) are not phones;
- the names of the edition's participants (their profiles' display names; the platform stores
  no first and last names apart) and their Discord and Hub usernames, matched as whole words,
  accents and case aside ("José Pérez" is found in "jose perez"). To keep common words out,
  a name counts only with 2 words or more, and a username only with 4 characters or more
  ("Maria" or "ana" alone are never looked for).

Names and texts are compared through ``challenges.text.fold``, the fold the duplicate checks
use (Unicode-normalized, invisible characters and accents dropped, casefolded).

A scan records one ``PersonalDataHit`` per (row, field, text matched); organizers decide each
one (redact, exclude the row, keep it as a false positive), and a dataset with pending hits is
not published (``ensure_no_pending_hits``). The published copy applies the decisions
(``apply_decisions``); the stored contributions never change.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Profile, User
from challenges.intake import DatasetForm, get_intake, publishable_kinds
from challenges.models import Edition
from challenges.provenance import pk_of_row_id
from challenges.text import fold
from challenges.uploads import PROGRESS_EVERY
from hackathon.errors import RuleRefused
from hub.models import PersonalDataHit, PersonalDataScan

logger = logging.getLogger(__name__)

REDACTED = "[redacted]"
# Columns that frame a row rather than hold what people wrote.
FRAME_COLUMNS = frozenset(
    {"id", "contributor", "exam", "status", "license", "country", "language", "vote_type",
     "validation", "model", "other_model", "chosen_model", "rejected_model"}
)  # fmt: skip
MIN_NAME_WORDS = 2
MIN_USERNAME_CHARS = 4
# Longer names are looked for by their first MAX_NAME_WORDS words.
MAX_NAME_WORDS = 4

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}")
# A candidate phone: digits with separators, optionally after "+"; kept only after _is_phone.
PHONE = re.compile(r"(?<![\w+.,/-])\+?\(?\d[\d\s().-]*\d(?![\w.,/-]?\d)")
YEAR_GROUPS = re.compile(r"^(1[5-9]\d\d|20\d\d)([\s./-]+(1[5-9]\d\d|20\d\d))*$")
DATE = re.compile(r"^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})$")
THOUSANDS = re.compile(r"^\d{1,3}([.,]\d{3})+$")
SHORT_LOCAL = re.compile(r"^\d{3}-\d{4}$")
WORD = re.compile(r"\w+")


class PublishBlocked(RuleRefused):
    """A dataset has personal data nobody decided about yet."""


def _trim(candidate: str) -> str:
    """The candidate without separators around it, its parentheses balanced."""
    text = candidate.strip(" .-").rstrip("(")
    while text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1].rstrip(" .-")
    return text


def _is_phone(candidate: str) -> bool:
    text = candidate.strip(" .-")
    digits = sum(c.isdigit() for c in text)
    if text.startswith("+"):
        return 8 <= digits <= 15
    if YEAR_GROUPS.match(text) or DATE.match(text) or THOUSANDS.match(text):
        return False
    if SHORT_LOCAL.match(text):
        return True
    if text.isdigit():
        return 9 <= digits <= 15
    return 8 <= digits <= 15


@dataclass(frozen=True)
class Match:
    text: str  # as written
    kind: str  # a PersonalDataHit.MatchKind


class Scanner:
    """Finds personal data in texts, given the participants' names and usernames."""

    def __init__(self, *, names: Iterable[str] = (), usernames: Iterable[str] = ()) -> None:
        self.people: dict[tuple[str, ...], str] = {}
        for name in names:
            words = tuple(WORD.findall(fold(name)))
            if len(words) >= MIN_NAME_WORDS:
                self.people[words[:MAX_NAME_WORDS]] = PersonalDataHit.MatchKind.NAME
        for username in usernames:
            words = tuple(WORD.findall(fold(username)))
            if words and len(username.strip()) >= MIN_USERNAME_CHARS:
                self.people.setdefault(words[:MAX_NAME_WORDS], PersonalDataHit.MatchKind.USERNAME)
        self.lengths = sorted({len(words) for words in self.people})
        self.first_words = {words[0] for words in self.people}

    def find(self, text: str) -> list[Match]:
        """Every match in one text, in the order found (each text matched once)."""
        if not text:
            return []
        found: dict[str, Match] = {}
        if "@" in text:
            for match in EMAIL.finditer(text):
                found.setdefault(match.group(), Match(match.group(), "email"))
        for match in PHONE.finditer(text):
            candidate = _trim(match.group())
            if _is_phone(candidate):
                found.setdefault(candidate, Match(candidate, "phone"))
        if self.people:
            for name, kind in self._names(text):
                found.setdefault(name, Match(name, kind))
        return list(found.values())

    def _names(self, text: str) -> Iterator[tuple[str, str]]:
        # Most texts name nobody: a set test on the folded words before finding any span.
        if not self.first_words.intersection(WORD.findall(fold(text))):
            return
        # Composed (NFC), so that a letter and its accent typed apart stay one word.
        composed = unicodedata.normalize("NFC", text)
        spans = [(m.start(), m.end(), fold(m.group())) for m in WORD.finditer(composed)]
        words = [word for _start, _end, word in spans]
        for start, word in enumerate(words):
            if word not in self.first_words:
                continue
            for length in self.lengths:
                if start + length > len(words):
                    break
                kind = self.people.get(tuple(words[start : start + length]))
                if kind is not None:
                    yield composed[spans[start][0] : spans[start + length - 1][1]], kind

    def redact(self, text: str, *, keep: Iterable[str] = ()) -> str:
        """The text with every match (but those in ``keep``) replaced by [redacted]."""
        return redact_matches(text, [m.text for m in self.find(text) if m.text not in set(keep)])


def redact_matches(text: str, matched: Iterable[str]) -> str:
    """The text with each of ``matched`` replaced by [redacted] (names are found in the text's
    composed form, which is what is published then)."""
    matched = [m for m in matched if m]
    if not matched:
        return text
    text = unicodedata.normalize("NFC", text)
    for value in sorted(matched, key=len, reverse=True):
        text = text.replace(value, REDACTED)
    return text


def mask(text: str, kind: str) -> str:
    """What organizers see of a match: enough to recognise it, not the whole of it
    ("j***@example.org", "J*** P***", "***78")."""
    if kind == PersonalDataHit.MatchKind.EMAIL:
        local, _at, domain = text.partition("@")
        return f"{local[:1]}***@{domain}"
    if kind == PersonalDataHit.MatchKind.PHONE:
        digits = [c for c in text if c.isdigit()]
        return "***" + "".join(digits[-2:])
    return " ".join(f"{word[:1]}***" for word in text.split())


# --- the edition's participants ---------------------------------------------------------------


def participants_scanner(*, edition: Edition) -> Scanner:
    """A scanner for the names and usernames of the edition's participants: its teams' members
    and the authors of its contributions (one query per publishable kind, and one for them)."""
    authors = Q(memberships__edition=edition)
    for kind in publishable_kinds():
        model = get_intake(kind).model
        author_ids = model.objects.filter(challenge__edition=edition).values("author_id")
        authors |= Q(pk__in=author_ids)
    profiles = Profile.objects.filter(user__in=User.objects.filter(authors)).values_list(
        "display_name", "discord_username", "hub_username"
    )
    names, usernames = [], []
    for display_name, discord, hub in profiles:
        names.append(display_name)
        usernames += [discord, hub]
    return Scanner(names=[n for n in names if n], usernames=[u for u in usernames if u])


# --- scanning a dataset -----------------------------------------------------------------------


def text_fields(form: DatasetForm) -> list[str]:
    """The columns of a form people wrote in: every text column but the row's frame."""
    return [
        name
        for name, type_ in form.columns.items()
        if type_ in ("string", "list<string>") and name not in FRAME_COLUMNS
    ]


def find_in_rows(*, rows: Iterable[dict], fields: list[str], scanner: Scanner) -> Iterator[tuple]:
    """(item pk, field, Match) for every match in the rows' text fields."""
    for row in rows:
        for name in fields:
            value = row.get(name)
            texts = value if isinstance(value, list) else [value]
            for text in texts:
                if isinstance(text, str) and text:
                    for match in scanner.find(text):
                        yield pk_of_row_id(row["id"]), name, match


@dataclass(frozen=True)
class ScanReport:
    kind: str
    rows: int
    found: int
    pending: int


def _counted(rows: Iterable[dict], progress: Callable[[int], object] | None) -> Iterator[dict]:
    """The rows, ``progress(rows so far)`` told every PROGRESS_EVERY of them."""
    for number, row in enumerate(rows, start=1):
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number)
        yield row


def scan_dataset(
    *,
    edition: Edition,
    kind: str,
    scanner: Scanner | None = None,
    progress: Callable[[int], object] | None = None,
) -> ScanReport:
    """Scan the rows one dataset of the edition would publish now (every form) and record what
    looks like personal data: one hit per (row, text matched), in the first field it was found
    in (a decision about it applies to the whole row, every form). Decisions already made are
    kept; hits no longer found (the row changed or left the dataset) are removed. Scanning
    again changes nothing more. ``progress(rows scanned)`` is told as rows are read (every
    form's)."""
    intake = get_intake(kind)
    scanner = scanner or participants_scanner(edition=edition)
    challenges = list(edition.challenges.filter(kind=kind).order_by("position", "pk"))
    found: dict[tuple[int, str], tuple[str, str]] = {}
    rows = scanned = 0

    def tell(number: int) -> None:
        if progress is not None:
            progress(scanned + number)

    for index, form in enumerate(intake.publication.forms):
        if form.derive is not None:  # built from the first form's rows, scanned there
            continue
        fields = text_fields(form)
        for challenge in challenges:
            form_rows = list(form.rows(challenge))
            rows += len(form_rows) if index == 0 else 0
            counted = _counted(form_rows, tell)
            for pk, name, match in find_in_rows(rows=counted, fields=fields, scanner=scanner):
                found.setdefault((pk, match.text[:300]), (name, str(match.kind)))
            scanned += len(form_rows)
            tell(0)
    with transaction.atomic():
        Edition.objects.select_for_update().filter(pk=edition.pk).first()
        known = {
            (hit.item_id, hit.matched): hit
            for hit in PersonalDataHit.objects.filter(edition=edition, kind=kind)
        }
        gone = [hit.pk for key, hit in known.items() if key not in found]
        PersonalDataHit.objects.filter(pk__in=gone).delete()
        PersonalDataHit.objects.bulk_create(
            [
                PersonalDataHit(
                    edition=edition,
                    kind=kind,
                    item_id=pk,
                    field=name,
                    matched=matched,
                    match_kind=match_kind,
                )
                for (pk, matched), (name, match_kind) in found.items()
                if (pk, matched) not in known
            ],
            ignore_conflicts=True,
        )
    pending = count_pending(edition=edition, kind=kind)
    return ScanReport(kind=kind, rows=rows, found=len(found), pending=pending)


def scan_edition(*, edition: Edition) -> list[ScanReport]:
    """Scan every publishable dataset of the edition (the participants read once)."""
    scanner = participants_scanner(edition=edition)
    return [
        scan_dataset(edition=edition, kind=kind, scanner=scanner) for kind in publishable_kinds()
    ]


# --- the scan as a job -------------------------------------------------------------------------

# A scan silent for this long was cut off (its worker died): the next request replaces it.
SCAN_STALE_AFTER = dt.timedelta(minutes=30)
ACTIVE_SCAN = [PersonalDataScan.Status.QUEUED, PersonalDataScan.Status.RUNNING]


def request_scan(
    *, edition: Edition, by: User | None, enqueue: Callable[[int], object]
) -> PersonalDataScan:
    """Organizers ask for every dataset of the edition to be scanned: a queued scan, handed to
    ``enqueue`` (the Celery task's ``scan_personal_data_task.delay``) with its id once the
    transaction commits; the page follows its progress. While one is queued or running,
    asking again returns it (one cut off, silent for SCAN_STALE_AFTER, is marked failed and
    replaced)."""
    now = timezone.now()
    with transaction.atomic():
        Edition.objects.select_for_update().filter(pk=edition.pk).first()
        active = PersonalDataScan.objects.filter(edition=edition, status__in=ACTIVE_SCAN).first()
        if active is not None:
            if (active.heartbeat_at or active.created_at) > now - SCAN_STALE_AFTER:
                return active
            active.status = PersonalDataScan.Status.FAILED
            active.error = _("The scan stopped before it finished.")
            active.finished_at = now
            active.save(update_fields=["status", "error", "finished_at"])
        scan = PersonalDataScan.objects.create(
            edition=edition, requested_by=by, datasets_total=len(publishable_kinds())
        )
        transaction.on_commit(lambda: enqueue(scan.pk))
    return scan


def run_scan(*, scan: PersonalDataScan) -> PersonalDataScan:
    """Run a queued scan (the task's work): every publishable dataset in turn, its progress
    saved as rows are read. Idempotent: a scan already taken or finished is left alone. A
    failure marks it failed (the hits of the datasets scanned before stay)."""
    claimed = PersonalDataScan.objects.filter(
        pk=scan.pk, status=PersonalDataScan.Status.QUEUED
    ).update(status=PersonalDataScan.Status.RUNNING, heartbeat_at=timezone.now())
    scan = PersonalDataScan.objects.select_related("edition").get(pk=scan.pk)
    if not claimed:
        return scan
    edition = scan.edition
    done_rows = 0

    def save_progress(rows: int) -> None:
        scan.rows_scanned, scan.heartbeat_at = done_rows + rows, timezone.now()
        scan.save(update_fields=["rows_scanned", "heartbeat_at"])

    try:
        scanner = participants_scanner(edition=edition)
        for kind in publishable_kinds():
            report = scan_dataset(
                edition=edition, kind=kind, scanner=scanner, progress=save_progress
            )
            done_rows = scan.rows_scanned
            scan.datasets_done += 1
            scan.found += report.found
            scan.save(update_fields=["datasets_done", "found"])
    except Exception as error:
        logger.exception("The personal-data scan %s failed", scan.pk)
        scan.status, scan.error = PersonalDataScan.Status.FAILED, str(error)[:500]
    else:
        scan.status = PersonalDataScan.Status.DONE
    scan.pending = PersonalDataHit.objects.filter(
        edition=edition, decision=PersonalDataHit.Decision.PENDING
    ).count()
    scan.finished_at = timezone.now()
    scan.save()
    return scan


def latest_scan(*, edition: Edition) -> PersonalDataScan | None:
    return PersonalDataScan.objects.filter(edition=edition).first()


def count_pending(*, edition: Edition, kind: str) -> int:
    return PersonalDataHit.objects.filter(
        edition=edition, kind=kind, decision=PersonalDataHit.Decision.PENDING
    ).count()


def ensure_no_pending_hits(*, edition: Edition, kind: str, label) -> None:
    """A dataset is not published while some of what looks like personal data in it waits for
    an organizer's decision."""
    pending = count_pending(edition=edition, kind=kind)
    if pending:
        raise PublishBlocked(
            ngettext(
                "“%(dataset)s” cannot be published yet: %(count)s possible piece of personal "
                "data is waiting for a decision (redact it, exclude its row, or keep it).",
                "“%(dataset)s” cannot be published yet: %(count)s possible pieces of personal "
                "data are waiting for a decision (redact them, exclude their rows, or keep them).",
                pending,
            )
            % {"dataset": label, "count": pending}
        )


def decide_hits(*, edition: Edition, ids: Iterable[int], decision: str, by: User | None) -> int:
    """Organizers decide about hits of the edition: redact, exclude the row, keep, or back to
    pending. Returns how many were decided; an unknown decision is refused."""
    if decision not in PersonalDataHit.Decision.values:
        raise RuleRefused(
            _("“%(decision)s” is not a decision. Choose one of: %(choices)s.")
            % {"decision": decision, "choices": ", ".join(PersonalDataHit.Decision.values)}
        )
    ids = [int(pk) for pk in ids]
    with transaction.atomic():
        hits = PersonalDataHit.objects.select_for_update().filter(edition=edition, pk__in=ids)
        pending = decision == PersonalDataHit.Decision.PENDING
        return hits.update(
            decision=decision,
            decided_by=None if pending else by,
            decided_at=None if pending else timezone.now(),
        )


# --- the published copy and the exports -------------------------------------------------------


@dataclass(frozen=True)
class Decisions:
    """What organizers decided about one dataset's rows, by the contributions' pks."""

    excluded: frozenset[int]
    redacted: dict[int, list[str]]

    @classmethod
    def load(cls, *, edition: Edition, kind: str) -> Decisions:
        excluded, redacted = set(), defaultdict(list)
        hits = PersonalDataHit.objects.filter(
            edition=edition,
            kind=kind,
            decision__in=[PersonalDataHit.Decision.EXCLUDE, PersonalDataHit.Decision.REDACT],
        ).values_list("item_id", "matched", "decision")
        for item_id, matched, decision in hits:
            if decision == PersonalDataHit.Decision.EXCLUDE:
                excluded.add(item_id)
            else:
                redacted[item_id].append(matched)
        return cls(frozenset(excluded), dict(redacted))

    def apply(self, rows: Iterable[dict]) -> Iterator[dict]:
        """The rows as published: the excluded left out, each redacted match replaced by
        [redacted] in every text of its row (the stored contributions unchanged)."""
        for row in rows:
            pk = pk_of_row_id(row["id"])
            if pk in self.excluded:
                continue
            matched = self.redacted.get(pk)
            if matched:
                row = {name: _redact_value(value, matched) for name, value in row.items()}
            yield row


def _redact_value(value, matched: list[str]):
    if isinstance(value, str):
        return redact_matches(value, matched)
    if isinstance(value, list):
        return [redact_matches(v, matched) if isinstance(v, str) else v for v in value]
    return value


# Export columns that are the platform's own, not what people wrote.
EXPORT_FRAME = frozenset({"id", "author_id", "status", "question_id", "pair_id", "exam_id"})


def redact_export_rows(*, edition: Edition, kind: str, rows: Iterable[dict]) -> Iterator[dict]:
    """The organizers' export rows with every match in their texts replaced by [redacted],
    but those organizers kept as false positives for that item."""
    scanner = participants_scanner(edition=edition)
    kept = defaultdict(set)
    for item_id, matched in PersonalDataHit.objects.filter(
        edition=edition, kind=kind, decision=PersonalDataHit.Decision.KEEP
    ).values_list("item_id", "matched"):
        kept[item_id].add(matched)
    for row in rows:
        keep = kept.get(row.get("id"), ())
        yield {
            name: value if name in EXPORT_FRAME else _redact_found(value, scanner, keep)
            for name, value in row.items()
        }


def _redact_found(value, scanner: Scanner, keep):
    if isinstance(value, str):
        return scanner.redact(value, keep=keep)
    if isinstance(value, list):
        return [scanner.redact(v, keep=keep) if isinstance(v, str) else v for v in value]
    return value
