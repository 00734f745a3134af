import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage

from challenges.include.domain import UploadReport
from challenges.uploads import UploadErrors
from challenges.views.uploads import (
    announce_prompts_stored,
    announce_questions_stored,
    announce_upload_errors,
    describe_upload_errors,
)


@pytest.fixture
def request_(rf):
    request = rf.post("/")
    request._messages = CookieStorage(request)
    return request


def announced(request) -> list[tuple[int, str]]:
    return [(message.level, message.message) for message in request._messages]


def errors_of(*rows: tuple[int, str, str]) -> UploadErrors:
    errors = UploadErrors()
    for row, field, message in rows:
        errors.add(row, field, message)
    return errors


def test_refused_upload_counts_the_errors_then_lists_them_with_row_and_field():
    errors = errors_of((3, "question", "Required."), (7, "", "Too long."))
    assert describe_upload_errors(errors) == (
        "2 errors; nothing was stored. row 3, question: Required.; row 7, —: Too long."
    )


def test_a_problem_of_the_whole_file_is_listed_without_a_row():
    errors = errors_of((0, "", "The dataset has no rows."))
    assert describe_upload_errors(errors) == "1 error; nothing was stored. The dataset has no rows."


def test_only_the_first_twenty_errors_are_listed_and_the_rest_counted():
    errors = errors_of(*[(row, "answer", f"Problem {row}.") for row in range(1, 26)])
    text = describe_upload_errors(errors)
    assert text.startswith("25 errors; nothing was stored. row 1, answer: Problem 1.;")
    assert "Problem 20." in text and "Problem 21." not in text
    assert text.endswith(" …and 5 more.")


def test_announce_upload_errors_is_one_error_message(request_):
    announce_upload_errors(request_, errors_of((2, "options", "Exactly 4 options are needed.")))
    assert announced(request_) == [
        (
            messages.ERROR,
            "1 error; nothing was stored. row 2, options: Exactly 4 options are needed.",
        )
    ]


def test_an_upload_says_what_it_stored_flagged_and_skipped(request_):
    skipped = errors_of((2, "", "Already stored."), (5, "", "Repeated in the file."))
    announce_questions_stored(request_, UploadReport(stored=3, flagged=1, skipped=skipped))
    assert announced(request_) == [
        (
            messages.SUCCESS,
            "3 questions stored; 2 skipped as duplicates. 1 has a maths or science category: "
            "a reviewer will check it.",
        ),
        (messages.INFO, "Skipped: row 2: Already stored.; row 5: Repeated in the file."),
    ]


def test_an_upload_without_duplicates_has_no_skipped_message(request_):
    announce_questions_stored(request_, UploadReport(stored=1))
    assert announced(request_) == [
        (messages.SUCCESS, "1 question stored; 0 skipped as duplicates.")
    ]


def test_many_skipped_rows_are_counted_after_the_first_twenty(request_):
    skipped = errors_of(*[(row, "", "Already stored.") for row in range(1, 31)])
    announce_questions_stored(request_, UploadReport(stored=0, skipped=skipped))
    info = announced(request_)[1][1]
    assert "row 20: Already stored." in info and "row 21:" not in info
    assert info.endswith(" …and 10 more.")


@pytest.mark.parametrize(
    ("count", "text"), [(1, "1 prompt was stored."), (3, "3 prompts were stored.")]
)
def test_stored_prompts_are_counted(request_, count, text):
    announce_prompts_stored(request_, count)
    assert announced(request_) == [(messages.SUCCESS, text)]
