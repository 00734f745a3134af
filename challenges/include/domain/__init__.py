"""Rules of the INCLUDE exams challenge: declaring exams, uploading their questions, deciding.

Every function that accepts a contribution checks the challenge's window for the person; every
function that changes state runs in one transaction and locks the exam it checks.

- ``checks``: checks on single values (language codes, countries, flagged categories).
- ``exams``: declaring an exam.
- ``records``: reading one uploaded record (official or workshop format) as a question.
- ``upload``: adding a file's (or a Hub dataset's) questions to an exam, all or nothing
  (``challenges.uploads.store_upload``; its ``UploadReport`` is re-exported here).
- ``editing``: the author correcting a question still waiting for review.
- ``decisions``: accepting or rejecting an exam as a whole.
- ``reading``: counts of questions per exam, the next exam to review.
"""

from .checks import is_flagged_category, is_language_code, resolve_country
from .decisions import DECISION_CHUNK, decide_exam
from .editing import EDITABLE_QUESTION_FIELDS, edit_question
from .exams import MAX_DECLARED_QUESTIONS, create_exam
from .reading import ExamCounts, count_questions_by_exam, find_next_pending_exam
from .records import MAX_QUESTION_NUMBER, clean_question_record, is_workshop_record
from .upload import (
    UploadReport,
    add_question_records,
    ensure_can_add_questions,
    upload_questions,
)

__all__ = [
    "DECISION_CHUNK",
    "EDITABLE_QUESTION_FIELDS",
    "MAX_DECLARED_QUESTIONS",
    "MAX_QUESTION_NUMBER",
    "ExamCounts",
    "UploadReport",
    "add_question_records",
    "clean_question_record",
    "count_questions_by_exam",
    "create_exam",
    "decide_exam",
    "edit_question",
    "ensure_can_add_questions",
    "find_next_pending_exam",
    "is_flagged_category",
    "is_language_code",
    "is_workshop_record",
    "resolve_country",
    "upload_questions",
]
