"""Rules of the INCLUDE exams challenge: declaring exams, uploading their questions, deciding.

Every function that accepts a contribution checks the challenge's window for the person; every
function that changes state runs in one transaction and locks the exam it checks.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pycountry
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.languages import LANGUAGE_CODES
from challenges.countries import parse_country
from challenges.domain import (
    ContributionRefused,
    decide_contributions,
    ensure_window_open,
    item_type_of,
)
from challenges.domain.contributions import ALLOWED_DECISIONS
from challenges.include.models import (
    LETTERS,
    OPTION_COUNT,
    OPTION_MAX,
    QUESTION_MAX,
    TEXT_MAX,
    Exam,
    ExamQuestion,
)
from challenges.models import Challenge, ContributionStatus, ReviewDecision
from challenges.uploads import (
    UploadErrors,
    UploadRejected,
    check_text,
    contains_html,
    fingerprint,
    fold,
    normalize,
    parse_rows,
    read_text,
)

# How many fingerprints are looked up per query: the edition's are never all loaded.
FINGERPRINT_CHUNK = 900
BULK_BATCH = 2000
DECISION_CHUNK = 5000
MAX_DECLARED_QUESTIONS = 100_000
MAX_QUESTION_NUMBER = 2_147_483_647

# Categories that look like mathematics or natural sciences (accents folded, lower case): such
# questions are stored but flagged for the reviewer, since INCLUDE collects regional knowledge.
FLAGGED_WORDS = frozenset(
    """
    math maths mathematics mathematic mathematical matematica matematicas matematico matematicos matematiques
    matematika matematikak algebra arithmetic aritmetica geometry geometria calculus calculo
    trigonometry trigonometria statistics estadistica estatistica
    physics fisica fisika chemistry quimica kimika biology biologia bioloxia biologie
    """.split()
)
FLAGGED_PHRASES = (
    ("natural", "science"),
    ("natural", "sciences"),
    ("ciencias", "naturales"),
    ("ciencias", "naturais"),
    ("ciencias", "da", "natureza"),
    ("ciencies", "naturals"),
    ("ciencias", "de", "la", "naturaleza"),
)
WORD = re.compile(r"\w+")


# --- Checks on single values -------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def is_language_code(value: str) -> bool:
    """A language is an ISO 639-1 (two letters) or ISO 639-3 (three letters) code, or one of
    the community's codes (accounts.languages), such as "nah"."""
    code = (value or "").strip().lower()
    if code in LANGUAGE_CODES:
        return True
    if len(code) == 2 and code.isalpha():
        return pycountry.languages.get(alpha_2=code) is not None
    if len(code) == 3 and code.isalpha():
        return pycountry.languages.get(alpha_3=code) is not None
    return False


def resolve_country(value: str) -> str | None:
    """The ISO 3166 alpha-2 code of a country given by its code ("BR") or by its name in
    Spanish, Portuguese or English ("Brasil", "España", "Spain"); None when unknown."""
    return parse_country(value) or None


def is_flagged_category(*texts: str) -> bool:
    """A category naming mathematics or natural sciences (in any of the community's languages,
    compared word by word, accents ignored) is flagged for the reviewer, not refused."""
    return any(_names_maths_or_science(text or "") for text in texts)


@functools.lru_cache(maxsize=4096)  # a file repeats a handful of categories
def _names_maths_or_science(text: str) -> bool:
    words = WORD.findall(fold(text))
    if FLAGGED_WORDS.intersection(words):
        return True
    for phrase in FLAGGED_PHRASES:
        size = len(phrase)
        if any(
            tuple(words[start : start + size]) == phrase for start in range(len(words) - size + 1)
        ):
            return True
    return False


# --- Exams --------------------------------------------------------------------------------


def _plain(value: str, *, label: str, required: bool = True) -> str:
    text = (value or "").strip()
    if not text and required:
        raise ContributionRefused(_("%(field)s is required.") % {"field": label})
    if len(text) > TEXT_MAX:
        raise ContributionRefused(
            _("%(field)s has at most %(limit)s characters.") % {"field": label, "limit": TEXT_MAX}
        )
    if contains_html(text):
        raise ContributionRefused(
            _("%(field)s must be plain text, without HTML.") % {"field": label}
        )
    return text


def create_exam(
    *,
    challenge: Challenge,
    author,
    name: str,
    language: str,
    country: str,
    domain: str,
    level: str,
    declared_questions: int,
    source: str,
    original_format: str,
    license: str = "unknown",
    now: dt.datetime | None = None,
) -> Exam:
    """A participant declares an exam they found, while the challenge is open for them.

    The language is an ISO 639 code, the country a known one, the texts plain; an unknown
    licence is accepted (say "unknown"). One person declares a given exam name once (case
    ignored), so a repeated submission is refused instead of creating a second exam.
    """
    ensure_window_open(challenge=challenge, user=author, now=now)
    name = _plain(name, label=_("Exam name"))
    language = (language or "").strip().lower()
    if not is_language_code(language):
        raise ContributionRefused(
            _("“%(code)s” is not an ISO 639 language code (such as es, pt, gn or nah).")
            % {"code": language}
        )
    code = resolve_country(country)
    if code is None:
        raise ContributionRefused(_("“%(country)s” is not a known country.") % {"country": country})
    domain = _plain(domain, label=_("Domain"))
    level = _plain(level, label=_("Level"))
    source = _plain(source, label=_("Source"))
    license = _plain(license, label=_("Licence"), required=False) or "unknown"
    if original_format not in Exam.Format.values:
        raise ContributionRefused(_("Choose the exam's original format."))
    if (
        not isinstance(declared_questions, int)
        or not 1 <= declared_questions <= MAX_DECLARED_QUESTIONS
    ):
        raise ContributionRefused(
            _("The number of questions must be between 1 and %(limit)s.")
            % {"limit": MAX_DECLARED_QUESTIONS}
        )
    duplicate = _("You have already declared an exam with this name.")
    try:
        with transaction.atomic():
            if Exam.objects.filter(challenge=challenge, author=author, name__iexact=name).exists():
                raise ContributionRefused(duplicate)
            return Exam.objects.create(
                challenge=challenge,
                author=author,
                name=name,
                language=language,
                country=code,
                domain=domain,
                level=level,
                declared_questions=declared_questions,
                source=source,
                original_format=original_format,
                license=license,
            )
    except IntegrityError as error:  # the same exam declared twice at the same moment
        raise ContributionRefused(duplicate) from error


# --- Reading question records --------------------------------------------------------------


def is_workshop_record(record: dict) -> bool:
    """The workshop's intermediate format has ``correct_answer`` (a letter) where the official
    record has ``answer`` (an index); a record with ``answer`` is read as official."""
    return "correct_answer" in record and "answer" not in record


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean_options(record: dict, *, row: int, errors: UploadErrors) -> list[str] | None:
    raw = record.get("options")
    columns = [f"option_{letter}" for letter in LETTERS]
    if _blank(raw):
        if not any(column in record for column in columns):
            errors.add(row, "options", _("This field is required."))
            return None
        raw = [record.get(column) for column in columns]
        extra = [
            key
            for key in record
            if key.startswith("option_") and key not in columns and not _blank(record[key])
        ]
        if extra:
            errors.add(
                row,
                "options",
                _("Exactly 4 options are needed (this has %(count)s).") % {"count": 4 + len(extra)},
            )
            return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            raw = None
    if isinstance(raw, dict):
        by_letter = {str(key).strip().lower(): value for key, value in raw.items()}
        if set(by_letter) != set(LETTERS):
            errors.add(
                row,
                "options",
                _("Options must have exactly the keys a, b, c and d (this has: %(keys)s).")
                % {"keys": ", ".join(sorted(by_letter)) or "—"},
            )
            return None
        raw = [by_letter[letter] for letter in LETTERS]
    if not isinstance(raw, list):
        errors.add(
            row,
            "options",
            _(
                "Options must be a list of 4 texts (in CSV, a JSON list or the columns option_a to option_d)."
            ),
        )
        return None
    if len(raw) != OPTION_COUNT:
        errors.add(
            row,
            "options",
            _("Exactly 4 options are needed (this has %(count)s).") % {"count": len(raw)},
        )
        return None
    before = errors.total
    options = [
        check_text(
            {"option": value},
            "option",
            row=row,
            errors=errors,
            max_length=OPTION_MAX,
            label=f"option_{letter}",
        )
        for letter, value in zip(LETTERS, raw, strict=True)
    ]
    if errors.total > before:
        return None
    seen: dict[str, int] = {}
    for index, text in enumerate(options):
        key = normalize(text)
        if key in seen:
            errors.add(
                row,
                "options",
                _("Options %(first)s and %(second)s are the same; the 4 options must differ.")
                % {"first": LETTERS[seen[key]], "second": LETTERS[index]},
            )
            return None
        seen[key] = index
    return options


def _clean_answer(record: dict, *, row: int, errors: UploadErrors, workshop: bool) -> int | None:
    if workshop:
        value = record.get("correct_answer")
        if _blank(value):
            errors.add(row, "correct_answer", _("This field is required."))
            return None
        letter = value.strip().lower() if isinstance(value, str) else None
        if letter is None or len(letter) != 1 or letter not in LETTERS:
            errors.add(
                row,
                "correct_answer",
                _("The correct answer must be one of the letters a, b, c or d."),
            )
            return None
        return LETTERS.index(letter)
    value = record.get("answer")
    if _blank(value):
        errors.add(row, "answer", _("This field is required."))
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3:
        errors.add(
            row, "answer", _("The answer must be the index of the correct option: 0, 1, 2 or 3.")
        )
        return None
    return value


def _clean_number(record: dict, key: str, *, row: int, errors: UploadErrors) -> int | None:
    value = record.get(key)
    if _blank(value):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 0 <= value <= MAX_QUESTION_NUMBER
    ):
        errors.add(
            row, key, _("The question's number in the exam must be a whole number (or empty).")
        )
        return None
    return value


def _clean_language(record: dict, *, row: int, errors: UploadErrors, default: str) -> str:
    value = check_text(
        record, "language", row=row, errors=errors, required=False, max_length=TEXT_MAX
    )
    if not value:
        return default
    code = value.lower()
    if not is_language_code(code):
        errors.add(
            row,
            "language",
            _("“%(code)s” is not an ISO 639 language code (such as es, pt, gn or nah).")
            % {"code": value},
        )
    return code


def _clean_country(record: dict, *, row: int, errors: UploadErrors, default: str) -> str:
    value = check_text(
        record, "country", row=row, errors=errors, required=False, max_length=TEXT_MAX
    )
    if not value:
        return default
    code = resolve_country(value)
    if code is None:
        errors.add(
            row,
            "country",
            _(
                "“%(country)s” is not a known country: give its ISO code (PE) or its name (Perú, Peru)."
            )
            % {"country": value},
        )
        return ""
    return code


def clean_question_record(
    record: dict, *, row: int, exam: Exam, errors: UploadErrors
) -> ExamQuestion | None:
    """One uploaded record as an unsaved question of ``exam``, or None (with its errors added).

    Official records carry ``options`` (a list of 4, or the CSV columns option_a to option_d)
    and ``answer`` (0-3); the workshop's records carry ``options`` {a, b, c, d},
    ``correct_answer`` (a letter), ``category`` and ``question_id``. What a record lacks of the
    exam's description (language, country, exam name, source, licence, level) is the exam's.
    """
    before = errors.total
    workshop = is_workshop_record(record)
    question = check_text(record, "question", row=row, errors=errors, max_length=QUESTION_MAX)
    options = _clean_options(record, row=row, errors=errors)
    answer = _clean_answer(record, row=row, errors=errors, workshop=workshop)
    if workshop:
        category = check_text(record, "category", row=row, errors=errors, max_length=TEXT_MAX)
        category_original = category
        category_en = (
            check_text(
                record, "category_en", row=row, errors=errors, required=False, max_length=TEXT_MAX
            )
            or category
        )
        number = _clean_number(record, "question_id", row=row, errors=errors)
    else:
        category_en = check_text(record, "category_en", row=row, errors=errors, max_length=TEXT_MAX)
        category_original = (
            check_text(
                record,
                "category_original_lang",
                row=row,
                errors=errors,
                required=False,
                max_length=TEXT_MAX,
            )
            or category_en
        )
        number = _clean_number(record, "original_question_num", row=row, errors=errors)
    language = _clean_language(record, row=row, errors=errors, default=exam.language)
    country = _clean_country(record, row=row, errors=errors, default=exam.country.code)
    described = {
        key: check_text(record, key, row=row, errors=errors, required=False, max_length=TEXT_MAX)
        or default
        for key, default in (
            ("exam_name", exam.name),
            ("source", exam.source),
            ("license", exam.license),
            ("level", exam.level),
        )
    }
    if errors.total > before:
        return None
    return ExamQuestion(
        challenge_id=exam.challenge_id,
        author_id=exam.author_id,
        exam=exam,
        status=ContributionStatus.PENDING,
        language=language,
        country=country,
        category_en=category_en,
        category_original_lang=category_original,
        original_question_num=number,
        question=question,
        options=options,
        answer=answer,
        fingerprint=fingerprint(question, *options),
        flagged_category=is_flagged_category(category_en, category_original),
        **described,
    )


# --- Uploading questions --------------------------------------------------------------------


@dataclass
class UploadReport:
    """What an accepted upload stored, and which rows it skipped as duplicates (and why)."""

    stored: int = 0
    flagged: int = 0
    skipped: UploadErrors = field(default_factory=UploadErrors)


def find_stored_fingerprints(*, challenge: Challenge, fingerprints: Iterable[str]) -> set[str]:
    """Which of these fingerprints the challenge already holds, asked in chunks (index-backed
    by the unique constraint), without loading the challenge's other fingerprints."""
    fingerprints = list(fingerprints)
    stored: set[str] = set()
    for start in range(0, len(fingerprints), FINGERPRINT_CHUNK):
        chunk = fingerprints[start : start + FINGERPRINT_CHUNK]
        stored.update(
            ExamQuestion.objects.filter(challenge=challenge, fingerprint__in=chunk).values_list(
                "fingerprint", flat=True
            )
        )
    return stored


def upload_questions(
    *, exam: Exam, author, upload, filename: str = "", now: dt.datetime | None = None
) -> UploadReport:
    """A participant adds the questions of one of their exams from a file (JSON array, JSON
    Lines or CSV; official records or the workshop's format), while the challenge is open for
    them.

    All or nothing: when any row is invalid nothing is stored and every error is reported with
    its row and field (``UploadRejected``). A question already stored in the challenge, or
    repeated in the file, is skipped and reported, and the rest is stored. Questions of a
    rejected exam are not taken. New questions wait for review (pending).
    """
    ensure_can_add_questions(exam=exam, author=author, now=now)
    rows = parse_rows(read_text(upload), filename=filename or getattr(upload, "name", ""))
    return _store_questions(exam=exam, rows=rows)


def ensure_can_add_questions(*, exam: Exam, author, now: dt.datetime | None = None) -> None:
    """Questions go only to the person's own exam, while the challenge is open for them, and
    never to a rejected exam."""
    if exam.author_id != author.pk:
        raise ContributionRefused(_("You can only add questions to your own exams."))
    ensure_window_open(challenge=exam.challenge, user=author, now=now)
    if exam.status == ContributionStatus.REJECTED:
        raise ContributionRefused(_("This exam was rejected; its questions are not taken."))


def add_question_records(
    *, exam: Exam, author, rows: list[tuple[int, dict]], now: dt.datetime | None = None
) -> UploadReport:
    """The same rules as ``upload_questions`` for records already read from elsewhere (a
    dataset of the Hub organization), numbered from 1: the same checks, all or nothing, the
    same duplicates skipped, the new questions pending."""
    ensure_can_add_questions(exam=exam, author=author, now=now)
    return _store_questions(exam=exam, rows=rows)


def _store_questions(*, exam: Exam, rows: list[tuple[int, dict]]) -> UploadReport:
    errors = UploadErrors()
    candidates = []
    for row, record in rows:
        question = clean_question_record(record, row=row, exam=exam, errors=errors)
        if question is not None:
            candidates.append((row, question))
    if errors:
        raise UploadRejected(errors)

    report = UploadReport()
    notices: list[tuple[int, str]] = []
    with transaction.atomic():
        # One upload per exam at a time: a file sent twice finds the first copy stored.
        locked = Exam.objects.select_for_update().get(pk=exam.pk)
        if locked.status == ContributionStatus.REJECTED:
            raise ContributionRefused(_("This exam was rejected; its questions are not taken."))
        first_row: dict[str, int] = {}
        fresh = []
        for row, question in candidates:
            if question.fingerprint in first_row:
                notices.append(
                    (row, _("Duplicate of row %(row)s.") % {"row": first_row[question.fingerprint]})
                )
                continue
            first_row[question.fingerprint] = row
            fresh.append((row, question))
        stored = find_stored_fingerprints(challenge=exam.challenge, fingerprints=first_row)
        new = []
        for row, question in fresh:
            if question.fingerprint in stored:
                notices.append((row, _("Already stored in this challenge.")))
            else:
                new.append(question)
        try:
            with transaction.atomic():
                ExamQuestion.objects.bulk_create(new, batch_size=BULK_BATCH)
        except IntegrityError as error:
            # Somebody else stored one of these questions between the check and the insert.
            raise ContributionRefused(
                _(
                    "Some of these questions were stored by someone else at the same moment. Upload the file again: they will be skipped."
                )
            ) from error
    for row, message in sorted(notices):
        report.skipped.add(row, "question", message)
    report.stored = len(new)
    report.flagged = sum(1 for question in new if question.flagged_category)
    return report


# --- Decisions --------------------------------------------------------------------------------


def decide_exam(
    *, exam: Exam, status: str, by, reason: str = "", include_decided: bool = False
) -> int:
    """Organizers accept (validate) or reject an exam as a whole.

    Rejecting needs a reason, which the author reads. The exam's pending questions take the
    same decision, each recorded as a ReviewDecision; with ``include_decided`` the questions
    already accepted or rejected one by one follow too (invalidated ones never do). The
    exam's own decision is recorded as well. Deciding again what is already decided changes
    nothing. Returns how many questions changed.
    """
    reason = (reason or "").strip()
    if status not in (ContributionStatus.VALIDATED, ContributionStatus.REJECTED):
        raise ContributionRefused(_("An exam can only be accepted or rejected."))
    if status == ContributionStatus.REJECTED and not reason:
        raise ContributionRefused(_("Give a reason: the author will read it."))
    with transaction.atomic():
        exam = Exam.objects.select_for_update().select_related("challenge").get(pk=exam.pk)
        followers = ALLOWED_DECISIONS[status] if include_decided else {ContributionStatus.PENDING}
        ids = list(
            ExamQuestion.objects.filter(exam=exam, status__in=followers)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        exam_changes = exam.status != status or exam.decision_reason != reason
        if not exam_changes and not ids:
            return 0
        changed = 0
        questions = ExamQuestion.objects.filter(exam=exam)
        for start in range(0, len(ids), DECISION_CHUNK):
            changed += decide_contributions(
                model=ExamQuestion,
                challenge=exam.challenge,
                ids=ids[start : start + DECISION_CHUNK],
                status=status,
                by=by,
                reason=reason,
                queryset=questions,
            )
        if exam_changes:
            exam.status = status
            exam.decision_reason = reason
            exam.decided_at = timezone.now()
            exam.decided_by = by
            exam.save(
                update_fields=[
                    "status",
                    "decision_reason",
                    "decided_at",
                    "decided_by",
                    "updated_at",
                ]
            )
            ReviewDecision.objects.create(
                challenge=exam.challenge,
                item_type=item_type_of(Exam),
                item_id=exam.pk,
                status=status,
                reason=reason,
                decided_by=by,
            )
    return changed


# --- Reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExamCounts:
    pending: int = 0
    validated: int = 0
    rejected: int = 0
    invalidated: int = 0
    flagged: int = 0
    total: int = 0


def count_questions_by_exam(*, exam_ids: Iterable[int]) -> dict[int, ExamCounts]:
    """Each exam's questions per status and how many are flagged, in one query."""
    statuses = ("pending", "validated", "rejected", "invalidated")
    rows = (
        ExamQuestion.objects.filter(exam_id__in=list(exam_ids))
        .values("exam_id")
        .annotate(
            total=Count("pk"),
            flagged=Count("pk", filter=Q(flagged_category=True)),
            **{name: Count("pk", filter=Q(status=name)) for name in statuses},
        )
        .order_by()
    )
    return {row.pop("exam_id"): ExamCounts(**row) for row in rows}


def find_next_pending_exam(*, exam: Exam) -> Exam | None:
    """The pending exam after this one (oldest first, wrapping around), for the reviewer; at
    most two index-backed queries whatever the number of exams."""
    pending = Exam.objects.filter(
        challenge_id=exam.challenge_id, status=ContributionStatus.PENDING
    ).order_by("created_at", "pk")
    after = pending.filter(
        Q(created_at__gt=exam.created_at) | Q(created_at=exam.created_at, pk__gt=exam.pk)
    ).first()
    if after is not None:
        return after
    return pending.exclude(pk=exam.pk).first()
