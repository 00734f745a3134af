"""Reading question records: one uploaded record (official or workshop format) as a question."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from challenges.include.models import (
    LETTERS,
    OPTION_COUNT,
    OPTION_MAX,
    QUESTION_MAX,
    TEXT_MAX,
    Exam,
    ExamQuestion,
)
from challenges.models import ContributionStatus
from challenges.text import (
    clean_together,
    fingerprint_folded,
    fold,
    fold_lines,
    fold_together,
    normalize,
)
from challenges.uploads import (
    MAX_NUMBER_DIGITS,
    UploadErrors,
    check_text,
    copy_unsaved,
    load_json,
)

from .checks import is_flagged_category, is_language_code, resolve_country

MAX_QUESTION_NUMBER = 2_147_483_647


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
            raw = load_json(raw)
        except ValueError:  # not JSON, or JSON the uploads refuse: not a list of options
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


def _passing_texts(record: dict) -> tuple[str, list[str], list[str]] | None:
    """A record's question, its list of 4 options and their folded forms, when all of them
    pass ``check_text``'s checks and the options differ, found with one pass of each step over
    the row's 5 texts (``clean_together``, ``fold_together``) instead of one per text; None when
    one might not, or the options are not a list of 4 texts: ``check_text`` and
    ``_clean_options`` then find what is wrong, one text at a time."""
    question, options = record.get("question"), record.get("options")
    if type(question) is not str or type(options) is not list or len(options) != OPTION_COUNT:
        return None
    texts = [question, *options]
    if any(type(text) is not str for text in options):
        return None
    cleaned = clean_together(texts)
    if len(cleaned[0]) > QUESTION_MAX or any(len(text) > OPTION_MAX for text in cleaned[1:]):
        return None
    if any("<" in text for text in cleaned):  # maybe HTML
        return None
    normalized, folded = fold_together(cleaned)
    # A text is blank when nothing is left of it folded (``is_blank``).
    if len(set(normalized[1:])) < OPTION_COUNT or not all(folded):
        return None
    return cleaned[0], cleaned[1:], folded


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
    value = _digits_as_int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3:
        errors.add(
            row, "answer", _("The answer must be the index of the correct option: 0, 1, 2 or 3.")
        )
        return None
    return value


def _digits_as_int(value):
    """A text of ASCII digits (a CSV cell) as its number; anything else as it is. Other digits
    ("²", "٣") and texts too long for a number are left as text, which the checks refuse."""
    if isinstance(value, str):
        digits = value.strip()
        if digits.isascii() and digits.isdigit() and len(digits) <= MAX_NUMBER_DIGITS:
            return int(digits)
    return value


def _clean_number(record: dict, key: str, *, row: int, errors: UploadErrors) -> int | None:
    value = record.get(key)
    if _blank(value):
        return None
    value = _digits_as_int(value)
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


def _clean_country(record: dict, *, row: int, errors: UploadErrors, exam: Exam) -> str:
    value = check_text(
        record, "country", row=row, errors=errors, required=False, max_length=TEXT_MAX
    )
    if not value:
        # Read only when needed: the field's Country object costs more than the row's checks.
        return exam.country.code
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


# The fields of a record that describe its question rather than state it: a file repeats them.
DESCRIPTION_FIELDS = (
    "category",
    "category_en",
    "category_original_lang",
    "language",
    "country",
    "exam_name",
    "source",
    "license",
    "level",
)


def _description_key(record: dict, *, workshop: bool) -> tuple | None:
    """A record's description fields as they were sent, to find an earlier row with the same;
    None when one is neither a text nor missing (its check is not remembered)."""
    values = tuple(map(record.get, DESCRIPTION_FIELDS))
    if all(value is None or type(value) is str for value in values):
        return (workshop, *values)
    return None


def _clean_description(
    record: dict, *, row: int, errors: UploadErrors, exam: Exam, workshop: bool
) -> tuple[dict | None, int | None]:
    """A record's description (the question's fields of DESCRIPTION_FIELDS, checked, with the
    exam's where the record has none, and whether its category is flagged), None if any was
    refused (its errors added); and the question's number in the exam, checked between them
    (the errors of a row come in the order of its fields)."""
    before = errors.total
    if workshop:
        category = check_text(record, "category", row=row, errors=errors, max_length=TEXT_MAX)
        category_original = category
        category_en = (
            check_text(
                record, "category_en", row=row, errors=errors, required=False, max_length=TEXT_MAX
            )
            or category
        )
        number_key = "question_id"
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
        number_key = "original_question_num"
    numbered = errors.total
    number = _clean_number(record, number_key, row=row, errors=errors)
    number_errors = errors.total - numbered
    language = _clean_language(record, row=row, errors=errors, default=exam.language)
    country = _clean_country(record, row=row, errors=errors, exam=exam)
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
    if errors.total - before > number_errors:  # not only the number's
        return None, number
    return {
        "language": language,
        "country": country,
        "category_en": category_en,
        "category_original_lang": category_original,
        "flagged_category": is_flagged_category(category_en, category_original),
        **described,
    }, number


def question_template(exam: Exam) -> ExamQuestion:
    """An unsaved pending question of ``exam``, which the questions of an upload into it copy
    (``clean_question_record``'s ``template``): the model's ``__init__`` runs once per upload
    instead of once per row, where it cost a fifth of the row's checks."""
    return ExamQuestion(
        challenge_id=exam.challenge_id,
        author_id=exam.author_id,
        exam=exam,
        status=ContributionStatus.PENDING,
    )


def clean_question_record(
    record: dict,
    *,
    row: int,
    exam: Exam,
    errors: UploadErrors,
    template: ExamQuestion | None = None,
    descriptions: dict | None = None,
) -> ExamQuestion | None:
    """One uploaded record as an unsaved question of ``exam``, or None (with its errors added).

    Official records carry ``options`` (a list of 4, or the CSV columns option_a to option_d)
    and ``answer`` (0-3); the workshop's records carry ``options`` {a, b, c, d},
    ``correct_answer`` (a letter), ``category`` and ``question_id``. What a record lacks of the
    exam's description (language, country, exam name, source, licence, level) is the exam's.
    With ``template`` (``question_template(exam)``) the question is a copy of it: the same
    question, made faster. With ``descriptions`` (a dict the rows of one upload share), the
    description of a record (category, language, country, exam name, source, licence, level)
    that an earlier row had the same and passed is taken as that row's, not checked again: a
    file repeats it on every row.
    """
    before = errors.total
    workshop = is_workshop_record(record)
    passing = _passing_texts(record)
    if passing is None:
        question = check_text(record, "question", row=row, errors=errors, max_length=QUESTION_MAX)
        options = _clean_options(record, row=row, errors=errors)
    else:
        question, options, folded = passing
    answer = _clean_answer(record, row=row, errors=errors, workshop=workshop)
    key = _description_key(record, workshop=workshop) if descriptions is not None else None
    description = descriptions.get(key) if key is not None else None
    if description is None:
        description, number = _clean_description(
            record, row=row, errors=errors, exam=exam, workshop=workshop
        )
        if key is not None and description is not None:
            descriptions[key] = description
    else:
        number_key = "question_id" if workshop else "original_question_num"
        number = _clean_number(record, number_key, row=row, errors=errors)
    if errors.total > before:
        return None
    # Folded once, for the fingerprint and for the near-duplicate check (``folded_text``).
    if passing is None:
        folded = [fold(question), *(fold(option) for option in options)]
    values = {
        **description,
        "original_question_num": number,
        "question": question,
        "options": options,
        "answer": answer,
        "fingerprint": fingerprint_folded(folded),
    }
    if template is None:
        item = ExamQuestion(
            challenge_id=exam.challenge_id,
            author_id=exam.author_id,
            exam=exam,
            status=ContributionStatus.PENDING,
            **values,
        )
    else:
        item = copy_unsaved(template, values)
    # fold(compared_text(question, options)), or None: the check folds that text itself.
    item.folded_text = fold_lines(folded)
    return item


def difference_notice(exam: Exam) -> Callable[[ExamQuestion], str]:
    """``describe_difference`` for the questions of ``exam``, its language and country read
    once (its country's object cost more than the rest of the notice, on every row)."""
    language, country = exam.language, exam.country.code

    def notice(question: ExamQuestion) -> str:
        if question.language == language and question.country == country:
            return ""
        return describe_difference(question)

    return notice


def describe_difference(question: ExamQuestion) -> str:
    """What a question flagged ``differs_from_exam`` differs in, for the uploader ("" when it
    matches its exam)."""
    if not question.differs_from_exam:
        return ""
    exam = question.exam
    return _(
        "Its language (%(language)s) or country (%(country)s) is not its exam's (%(exam_language)s, %(exam_country)s): a reviewer will check it."
    ) % {
        "language": question.language,
        "country": question.country,
        "exam_language": exam.language,
        "exam_country": exam.country.code,
    }
