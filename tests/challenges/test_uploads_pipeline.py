"""The one pipeline that stores an upload (challenges.uploads.store_upload): every row checked,
repeats in the file and among the stored items skipped or refused as the kind says, lookups
and inserts in chunks, all or nothing, one report."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from challenges.domain import ContributionRefused
from challenges.stereotypes.models import StereotypePair
from challenges.text import fingerprint, normalize
from challenges.uploads import (
    DuplicatePolicy,
    Ids,
    Repeats,
    UploadErrors,
    UploadRejected,
    check_text,
    store_upload,
    storing,
)
from tests.challenges.stereotypes.factories import StereotypesChallengeFactory

pytestmark = pytest.mark.django_db

# Any model with a challenge, an id and a fingerprint unique in it will do: the pool's pairs.
REPEATS = Repeats(
    field="text", same_as_row="Same as row %(row)s.", already_stored="Stored as “%(id)s”."
)
IDS = Ids(
    attribute="external_id",
    field="id",
    used_by_row="Id “%(id)s” of row %(row)s.",
    used_by_stored="Id “%(id)s” is stored.",
    stored_again="Sent again.",
    same_row_again="Row %(row)s again.",
)


@pytest.fixture
def challenge(edition):
    return StereotypesChallengeFactory(edition=edition)


def pair(challenge, external_id: str, text: str) -> StereotypePair:
    return StereotypePair(
        challenge=challenge,
        external_id=external_id,
        language="es",
        nationality=text,
        attribute="a",
        nationality_key=normalize(text),
        fingerprint=fingerprint(text),
    )


def stored(challenge, external_id: str, text: str) -> StereotypePair:
    item = pair(challenge, external_id, text)
    item.save()
    return item


def rows(*items: tuple[str, str]) -> list[tuple[int, dict]]:
    return [(number, {"id": i, "text": t}) for number, (i, t) in enumerate(items, start=1)]


def store(challenge, records, *, duplicates, ids=None, **options):
    def check_row(record: dict, *, row: int, errors: UploadErrors) -> StereotypePair | None:
        before = errors.total
        external_id = check_text(record, "id", row=row, errors=errors, max_length=100)
        text = check_text(record, "text", row=row, errors=errors, max_length=100)
        return None if errors.total > before else pair(challenge, external_id, text)

    return store_upload(
        rows=records,
        check_row=check_row,
        model=StereotypePair,
        challenge=challenge,
        duplicates=duplicates,
        repeats=REPEATS,
        ids=ids,
        **options,
    )


def refusal(challenge, records, **options) -> list[tuple[int, str, str]]:
    """The errors of an upload that stores nothing: (row, field, message) each."""
    with pytest.raises(UploadRejected) as rejected:
        store(challenge, records, **options)
    return [(error.row, error.field, error.message) for error in rejected.value.errors.shown]


def texts(challenge) -> list[str]:
    return sorted(
        StereotypePair.objects.filter(challenge=challenge).values_list("nationality", flat=True)
    )


def test_skip_leaves_out_the_repeats_of_the_file_and_of_the_stored_items_and_counts_them(
    challenge,
):
    stored(challenge, "old", "stored")
    report = store(
        challenge,
        rows(("a", "one"), ("b", "ONE "), ("c", "stored"), ("d", "two")),
        duplicates=DuplicatePolicy.SKIP,
    )
    assert (report.rows, report.stored, report.skipped.total) == (4, 2, 2)
    assert [(item.row, item.field, item.message) for item in report.skipped.shown] == [
        (2, "text", "Same as row 1."),
        (3, "text", "Stored as “”."),  # without ids, nothing names the stored item
    ]
    assert texts(challenge) == ["one", "stored", "two"]


def test_refuse_turns_every_repeat_into_an_error_and_stores_nothing(challenge):
    stored(challenge, "old", "stored")
    records = rows(("a", "one"), ("b", "one"), ("c", "stored"), ("d", "two"))
    assert refusal(challenge, records, duplicates=DuplicatePolicy.REFUSE, ids=IDS) == [
        (2, "text", "Same as row 1."),
        (3, "text", "Stored as “old”."),
    ]
    assert texts(challenge) == ["stored"]


def test_with_ids_an_id_for_other_content_is_an_error_whatever_the_policy(challenge):
    stored(challenge, "old", "stored")
    for policy in DuplicatePolicy:
        records = rows(("a", "one"), ("a", "two"), ("old", "three"))
        assert refusal(challenge, records, duplicates=policy, ids=IDS) == [
            (2, "id", "Id “a” of row 1."),
            (3, "id", "Id “old” is stored."),
        ]
    assert texts(challenge) == ["stored"]


def test_with_ids_the_same_item_sent_again_is_skipped_whatever_the_policy(challenge):
    stored(challenge, "old", "stored")
    for policy in DuplicatePolicy:
        report = store(challenge, rows(("old", "stored")), duplicates=policy, ids=IDS)
        assert (report.stored, report.skipped.total) == (0, 1)
        assert report.skipped.shown[0].message == "Sent again."
    report = store(
        challenge, rows(("a", "one"), ("a", "one")), duplicates=DuplicatePolicy.SKIP, ids=IDS
    )
    assert report.stored == 1 and report.skipped.shown[0].message == "Row 1 again."
    # REFUSE: each reason is an error.
    records = rows(("b", "two"), ("b", "two"))
    assert refusal(challenge, records, duplicates=DuplicatePolicy.REFUSE, ids=IDS) == [
        (2, "id", "Id “b” of row 1."),
        (2, "text", "Same as row 1."),
    ]
    assert texts(challenge) == ["one", "stored"]


def test_stored_items_are_looked_up_a_chunk_at_a_time(challenge, monkeypatch):
    monkeypatch.setattr(storing, "FINGERPRINT_CHUNK", 2)
    monkeypatch.setattr(storing, "BULK_BATCH", 2)
    stored(challenge, "s1", "t1")
    stored(challenge, "s4", "t4")
    records = rows(*((f"n{n}", f"t{n}") for n in range(1, 8)))
    with CaptureQueriesContext(connection) as captured:
        report = store(challenge, records, duplicates=DuplicatePolicy.SKIP)
    lookups = [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith("SELECT")]
    inserts = [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith("INSERT")]
    assert len(lookups) == 4  # 7 fingerprints, 2 at a time
    assert len(inserts) == 3  # 5 new items, 2 at a time
    # The stored items sit in different chunks; both are found.
    assert (report.stored, [item.row for item in report.skipped.shown]) == (5, [1, 4])
    assert len(texts(challenge)) == 7


def test_one_bad_row_stores_nothing_and_every_error_is_listed(challenge):
    stored(challenge, "old", "stored")
    records = rows(("a", "one"), ("b", ""), ("c", "stored"), ("d", "<b>x</b>"))
    assert refusal(challenge, records, duplicates=DuplicatePolicy.REFUSE) == [
        (2, "text", "This field is required."),
        (4, "text", "HTML is not allowed here; send plain text."),
        (3, "text", "Stored as “”."),  # the stored items are compared once every row is read
    ]
    assert texts(challenge) == ["stored"]


def test_the_lock_runs_first_and_may_refuse(challenge):
    calls = []

    def refuse():
        calls.append(connection.in_atomic_block)
        raise ContributionRefused("Locked out.")

    with pytest.raises(ContributionRefused):
        store(challenge, rows(("a", "one")), duplicates=DuplicatePolicy.SKIP, lock=refuse)
    assert calls == [True] and texts(challenge) == []


def test_an_insert_meeting_the_unique_constraint_raises_the_conflict_and_stores_nothing(
    challenge, monkeypatch
):
    stored(challenge, "old", "two")
    # Somebody stores "two" between the lookup and the insert: the lookup does not see it.
    monkeypatch.setattr(storing, "find_stored", lambda **kwargs: {})
    conflict = UploadRejected("Stored meanwhile.")
    records = rows(("a", "one"), ("b", "two"))
    assert refusal(challenge, records, duplicates=DuplicatePolicy.SKIP, conflict=conflict) == [
        (0, "", "Stored meanwhile.")
    ]
    assert texts(challenge) == ["two"]


def test_the_report_counts_flagged_items_and_reads_as_plain_data(challenge):
    stored(challenge, "old", "stored")
    report = store(
        challenge,
        rows(("a", "one"), ("b", "stored"), ("c", "two")),
        duplicates=DuplicatePolicy.SKIP,
        flagged=lambda item: item.nationality == "two",
    )
    assert (report.rows, report.stored, report.flagged) == (3, 2, 1)
    assert report.as_dict() == {
        "rows": 3,
        "stored": 2,
        "skipped": [{"row": 2, "field": "text", "message": "Stored as “”."}],
        "skipped_total": 1,
        "possible_duplicates": [],
        "possible_duplicates_total": 0,
        "notices": [],
        "notices_total": 0,
    }


def test_a_report_kept_as_plain_data_keeps_its_notes():
    from challenges.uploads import UploadErrors, UploadReport

    duplicates, notices = UploadErrors(), UploadErrors()
    duplicates.add(4, "question", "Nearly repeats #12.")
    notices.add(5, "country", "Not the exam's country (CL).")
    report = UploadReport(rows=5, stored=5, possible_duplicates=duplicates, notices=notices)

    again = UploadReport.from_dict(report.as_dict())

    assert again.as_dict() == report.as_dict()
    assert [(e.row, e.message) for e in again.possible_duplicates.shown] == [
        (4, "Nearly repeats #12.")
    ]
    assert again.notices.total == 1
