"""The rules of INCLUDE: codes, flags, exams, whole-exam decisions."""

import datetime as dt

import pytest
from django.utils import timezone

from challenges.domain import ContributionRefused, contributions_changed
from challenges.include.domain import (
    count_questions_by_exam,
    create_exam,
    decide_exam,
    find_next_pending_exam,
    is_flagged_category,
    is_language_code,
    resolve_country,
)
from challenges.include.models import Exam, ExamQuestion
from challenges.models import ContributionStatus, ReviewDecision, WindowExtension
from teams.models import Membership
from tests.challenges.include.factories import ExamFactory, ExamQuestionFactory

pytestmark = pytest.mark.django_db

PENDING, VALIDATED, REJECTED, INVALIDATED = (
    ContributionStatus.PENDING,
    ContributionStatus.VALIDATED,
    ContributionStatus.REJECTED,
    ContributionStatus.INVALIDATED,
)


@pytest.mark.parametrize(
    "code", ["es", "pt", "ca", "gn", "grn", "qu", "quz", "ay", "nah", "yua", "arn", "EU", " gl "]
)
def test_iso_639_codes_and_community_codes_are_languages(code):
    assert is_language_code(code)


@pytest.mark.parametrize("code", ["", "xx", "zzz", "español", "es-MX", "e", "12", "spanish"])
def test_other_language_codes_are_refused(code):
    assert not is_language_code(code)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Brasil", "BR"),
        ("Brazil", "BR"),
        ("España", "ES"),
        ("Spain", "ES"),
        ("Espanha", "ES"),
        ("espana", "ES"),
        ("Paraguay", "PY"),
        ("Paraguai", "PY"),
        ("Perú", "PE"),
        ("PERU", "PE"),
        ("pe", "PE"),
        ("MX", "MX"),
        ("  méxico ", "MX"),
    ],
)
def test_countries_by_code_or_name_in_the_three_languages(value, code):
    assert resolve_country(value) == code


@pytest.mark.parametrize("value", ["", "ZZ", "Atlantis", "Latinoamérica", "ESX"])
def test_unknown_countries_are_none(value):
    assert resolve_country(value) is None


@pytest.mark.parametrize(
    "category",
    [
        "math",
        "Mathematics",
        "Matemáticas",
        "matemática",
        "Física",
        "Physics",
        "química",
        "Chemistry",
        "Biología",
        "biologia",
        "Natural Sciences",
        "Ciencias Naturales",
        "Ciências Naturais",
        "Ciências da Natureza e suas Tecnologias",
        "Álgebra y geometría",
    ],
)
def test_maths_and_natural_science_categories_are_flagged(category):
    assert is_flagged_category(category)


@pytest.mark.parametrize(
    "category",
    [
        "History",
        "Historia del Perú",
        "Ciencias sociales",
        "Derecho",
        "Aftermath of the war",
        "Literatura",
        "",
    ],
)
def test_other_categories_are_not_flagged(category):
    assert not is_flagged_category(category)


def test_flag_looks_at_every_category_given():
    assert is_flagged_category("Exam section 3", "Biología")


# --- create_exam --------------------------------------------------------------------------------


def exam_data(**overrides):
    data = {
        "name": "Examen de admisión UNMSM 2019",
        "language": "es",
        "country": "PE",
        "domain": "History",
        "level": "University entrance",
        "declared_questions": 80,
        "source": "https://example.org/unmsm.pdf",
        "original_format": "pdf",
        "license": "unknown",
    }
    data.update(overrides)
    return data


def test_create_exam_stores_the_spreadsheet_fields(challenge, author):
    exam = create_exam(
        challenge=challenge,
        author=author,
        **exam_data(language=" GN ", country="Paraguay", license=""),
    )
    exam.refresh_from_db()
    assert exam.author == author and exam.challenge == challenge
    assert (exam.language, exam.country.code, exam.license, exam.status) == (
        "gn",
        "PY",
        "unknown",
        PENDING,
    )
    assert exam.declared_questions == 80 and exam.original_format == "pdf"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"language": "xx"}, "ISO 639"),
        ({"country": "Atlantis"}, "not a known country"),
        ({"name": "  "}, "required"),
        ({"name": "<b>Examen</b>"}, "plain text"),
        ({"domain": "x" * 301}, "at most 300"),
        ({"declared_questions": 0}, "between 1 and"),
        ({"original_format": "vinyl"}, "original format"),
    ],
)
def test_create_exam_refuses_bad_values(challenge, author, overrides, message):
    with pytest.raises(ContributionRefused) as refused:
        create_exam(challenge=challenge, author=author, **exam_data(**overrides))
    assert message in str(refused.value.message)
    assert not Exam.objects.exists()


def test_the_same_person_declares_an_exam_name_once(challenge, author):
    create_exam(challenge=challenge, author=author, **exam_data())
    with pytest.raises(ContributionRefused, match="already declared"):
        create_exam(
            challenge=challenge, author=author, **exam_data(name="  examen de admisión UNMSM 2019 ")
        )
    assert Exam.objects.count() == 1


def test_another_person_may_declare_the_same_exam(challenge, author, participant):
    create_exam(challenge=challenge, author=author, **exam_data())
    create_exam(challenge=challenge, author=participant, **exam_data())
    assert Exam.objects.count() == 2


def test_exams_only_while_the_window_is_open(challenge, author):
    closed = challenge.closes_at + dt.timedelta(seconds=1)
    with pytest.raises(ContributionRefused, match="closed on"):
        create_exam(challenge=challenge, author=author, now=closed, **exam_data())
    before_opening = challenge.opens_at - dt.timedelta(seconds=1)
    with pytest.raises(ContributionRefused, match="opens on"):
        create_exam(challenge=challenge, author=author, now=before_opening, **exam_data())
    assert not Exam.objects.exists()


def test_a_team_extension_keeps_the_window_open_for_that_team(challenge, author, organizer):
    team = Membership.objects.get(user=author).team
    WindowExtension.objects.create(
        challenge=challenge,
        team=team,
        closes_at=challenge.closes_at + dt.timedelta(days=2),
        reason="Late exam",
        created_by=organizer,
    )
    create_exam(
        challenge=challenge,
        author=author,
        now=challenge.closes_at + dt.timedelta(days=1),
        **exam_data(),
    )
    assert Exam.objects.count() == 1


# --- decide_exam ----------------------------------------------------------------------------------


def questions(exam, *statuses):
    return [ExamQuestionFactory(exam=exam, status=status) for status in statuses]


def test_accepting_an_exam_validates_its_pending_questions(
    exam, organizer, django_capture_on_commit_callbacks
):
    pending, rejected, invalidated = questions(exam, PENDING, REJECTED, INVALIDATED)
    received = []
    contributions_changed.connect(
        lambda **kwargs: received.append(kwargs["author_ids"]), weak=False, dispatch_uid="t1"
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            changed = decide_exam(exam=exam, status=VALIDATED, by=organizer)
    finally:
        contributions_changed.disconnect(dispatch_uid="t1")
    assert changed == 1
    exam.refresh_from_db()
    assert exam.status == VALIDATED and exam.decided_by == organizer and exam.decided_at is not None
    statuses = dict(ExamQuestion.objects.values_list("pk", "status"))
    assert statuses == {pending.pk: VALIDATED, rejected.pk: REJECTED, invalidated.pk: INVALIDATED}
    recorded = set(ReviewDecision.objects.values_list("item_type", "item_id", "status"))
    assert recorded == {
        ("include.examquestion", pending.pk, VALIDATED),
        ("include.exam", exam.pk, VALIDATED),
    }
    assert received == [[exam.author_id]]


def test_rejecting_an_exam_needs_a_reason_and_rejects_its_pending_questions(exam, organizer):
    pending, validated = questions(exam, PENDING, VALIDATED)
    with pytest.raises(ContributionRefused, match="reason"):
        decide_exam(exam=exam, status=REJECTED, by=organizer, reason="  ")
    assert (
        ExamQuestion.objects.filter(status=PENDING).count() == 1
        and not ReviewDecision.objects.exists()
    )
    assert decide_exam(exam=exam, status=REJECTED, by=organizer, reason="Proprietary exam") == 1
    pending.refresh_from_db()
    validated.refresh_from_db()
    exam.refresh_from_db()
    assert (exam.status, exam.decision_reason) == (REJECTED, "Proprietary exam")
    assert (pending.status, pending.decision_reason) == (REJECTED, "Proprietary exam")
    assert validated.status == VALIDATED


def test_with_include_decided_the_questions_decided_one_by_one_follow(exam, organizer):
    rejected, validated, invalidated = questions(exam, REJECTED, VALIDATED, INVALIDATED)
    assert decide_exam(exam=exam, status=VALIDATED, by=organizer, include_decided=True) == 1
    rejected.refresh_from_db()
    assert rejected.status == VALIDATED
    assert (
        decide_exam(
            exam=exam,
            status=REJECTED,
            reason="Licence is proprietary",
            by=organizer,
            include_decided=True,
        )
        == 2
    )
    assert set(ExamQuestion.objects.values_list("status", flat=True)) == {REJECTED, INVALIDATED}


def test_deciding_the_same_again_changes_nothing(exam, organizer):
    questions(exam, PENDING)
    decide_exam(exam=exam, status=VALIDATED, by=organizer)
    recorded = ReviewDecision.objects.count()
    assert decide_exam(exam=exam, status=VALIDATED, by=organizer) == 0
    assert ReviewDecision.objects.count() == recorded


def test_accepting_again_takes_the_questions_uploaded_since(exam, organizer):
    decide_exam(exam=exam, status=VALIDATED, by=organizer)
    (late,) = questions(exam, PENDING)
    assert decide_exam(exam=exam, status=VALIDATED, by=organizer) == 1
    late.refresh_from_db()
    assert late.status == VALIDATED
    assert ReviewDecision.objects.filter(item_type="include.exam").count() == 1


@pytest.mark.parametrize("status", [PENDING, INVALIDATED, "draft", "nonsense"])
def test_an_exam_is_only_accepted_or_rejected(exam, organizer, status):
    with pytest.raises(ContributionRefused):
        decide_exam(exam=exam, status=status, by=organizer, reason="why")
    exam.refresh_from_db()
    assert exam.status == PENDING and not ReviewDecision.objects.exists()


def test_only_validated_questions_count(exam, organizer):
    from challenges.domain import count_by_status

    questions(exam, PENDING, PENDING, REJECTED)
    decide_exam(exam=exam, status=VALIDATED, by=organizer)
    counts = count_by_status(
        model=ExamQuestion, challenge=exam.challenge, author_ids=[exam.author_id]
    )
    assert (counts[VALIDATED], counts[REJECTED], counts[PENDING]) == (2, 1, 0)


# --- reading ---------------------------------------------------------------------------------------


def test_count_questions_by_exam_in_one_query(exam, django_assert_num_queries):
    other = ExamFactory(challenge=exam.challenge, author=exam.author)
    questions(exam, PENDING, VALIDATED, VALIDATED)
    ExamQuestionFactory(exam=exam, status=REJECTED, flagged_category=True)
    with django_assert_num_queries(1):
        counts = count_questions_by_exam(exam_ids=[exam.pk, other.pk])
    mine = counts[exam.pk]
    assert (mine.total, mine.pending, mine.validated, mine.rejected, mine.flagged) == (
        4,
        1,
        2,
        1,
        1,
    )
    assert other.pk not in counts


def test_next_pending_exam_goes_forward_then_wraps(
    challenge, author, django_assert_max_num_queries
):
    now = timezone.now()
    first, second, third = (ExamFactory(challenge=challenge, author=author) for _ in range(3))
    for offset, exam in enumerate([first, second, third]):
        Exam.objects.filter(pk=exam.pk).update(created_at=now + dt.timedelta(minutes=offset))
        exam.refresh_from_db()
    Exam.objects.filter(pk=second.pk).update(status=VALIDATED)
    with django_assert_max_num_queries(2):
        assert find_next_pending_exam(exam=first) == third
    assert find_next_pending_exam(exam=third) == first
    Exam.objects.filter(pk=first.pk).update(status=REJECTED)
    assert find_next_pending_exam(exam=third) is None
