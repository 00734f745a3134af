"""The BLEND rules, function by function."""

import datetime as dt

import pytest
from django.utils import timezone

from challenges.blend import domain
from challenges.blend.models import (
    PEER_VALIDATION_REASON,
    BlendAnswer,
    BlendProfile,
    BlendSkip,
    BlendValidation,
)
from challenges.domain import ContributionRefused, contributions_changed
from challenges.models import ContributionStatus, ReviewDecision
from tests.challenges.blend.factories import (
    BlendAnswerFactory,
    BlendChallengeFactory,
    BlendQuestionFactory,
    BlendValidationFactory,
)

pytestmark = pytest.mark.django_db

CONTENT = {"answer_1": "Suspiro a la limeña", "answer_2": "Picarones", "region": "Lima"}


def close(challenge):
    challenge.opens_at = timezone.now() - dt.timedelta(days=10)
    challenge.closes_at = timezone.now() - dt.timedelta(days=1)
    challenge.save()


# --- countries ------------------------------------------------------------------------------


def test_countries_are_the_profiles_then_the_declared_ones(make_person):
    person = make_person("PE")
    assert domain.get_countries(user=person) == ["PE"]
    domain.set_known_countries(user=person, countries=["cl", "PE", "CL", "XX"])
    assert BlendProfile.objects.get(user=person).countries == ["CL", "PE"]
    assert domain.get_countries(user=person) == ["PE", "CL"]


def test_a_person_without_a_country_has_none(make_person):
    person = make_person("")
    assert domain.get_countries(user=person) == []
    assert domain.get_home_country(user=person) == ""


def test_the_home_country_is_the_profiles_only(make_person):
    person = make_person("PE")
    domain.set_known_countries(user=person, countries=["CL"])
    assert domain.get_home_country(user=person) == "PE"


# --- the next question ----------------------------------------------------------------------


def test_next_question_is_the_oldest_of_my_countries_not_answered_nor_skipped(
    challenge, make_person
):
    person = make_person("PE")
    first, second, third, fourth = (BlendQuestionFactory(challenge=challenge) for _ in range(4))
    BlendQuestionFactory(challenge=challenge, country="CL")
    assert domain.find_next_question(challenge=challenge, user=person, countries=["PE"]) == first
    BlendAnswerFactory(question=first, author=person, status=ContributionStatus.DRAFT, answer_1="")
    assert domain.find_next_question(challenge=challenge, user=person, countries=["PE"]) == second
    BlendSkip.objects.create(challenge=challenge, question=second, user=person)
    assert domain.find_next_question(challenge=challenge, user=person, countries=["PE"]) == third
    # Somebody else's answer changes nothing for me.
    BlendAnswerFactory(question=third)
    assert domain.find_next_question(challenge=challenge, user=person, countries=["PE"]) == third
    BlendAnswerFactory(question=third, author=person)
    BlendAnswerFactory(question=fourth, author=person, status=ContributionStatus.REJECTED)
    assert domain.find_next_question(challenge=challenge, user=person, countries=["PE"]) is None


def test_next_question_covers_every_declared_country_and_only_this_challenge(
    edition, challenge, make_person
):
    person = make_person("PE")
    other = BlendChallengeFactory(edition=edition)
    BlendQuestionFactory(challenge=other, country="CL")
    chilean = BlendQuestionFactory(challenge=challenge, country="CL")
    assert domain.find_next_question(challenge=challenge, user=person, countries=["PE"]) is None
    assert (
        domain.find_next_question(challenge=challenge, user=person, countries=["PE", "CL"])
        == chilean
    )
    assert domain.find_next_question(challenge=challenge, user=person, countries=[]) is None


def test_next_question_runs_one_query(challenge, make_person, django_assert_num_queries):
    person = make_person("PE")
    for _ in range(3):
        question = BlendQuestionFactory(challenge=challenge)
        BlendAnswerFactory(question=question, author=person)
    wanted = BlendQuestionFactory(challenge=challenge)
    with django_assert_num_queries(1):
        assert (
            domain.find_next_question(challenge=challenge, user=person, countries=["PE"]) == wanted
        )


# --- the content of an answer ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "submit", "field"),
    [
        ({"answer_1": ""}, True, "answer_1"),
        ({"answer_1": "", "answer_2": "b"}, False, "answer_1"),
        ({"answer_1": "", "answer_3": "c"}, True, "answer_1"),
        ({"answer_1": "a", "no_answer_reason": "not_applicable"}, True, "no_answer_reason"),
        ({"answer_1": "", "no_answer_reason": "because"}, True, "no_answer_reason"),
        ({"answer_1": "x" * 501}, True, "answer_1"),
        ({"answer_1": "a", "region": "r" * 201}, True, "region"),
        ({"answer_1": "a", "reworded_question": "q" * 1001}, True, "reworded_question"),
        ({"answer_1": "<script>alert(1)</script>"}, True, "answer_1"),
    ],
)
def test_check_answer_names_the_wrong_field(values, submit, field):
    assert field in domain.check_answer(**values, submit=submit)


@pytest.mark.parametrize(
    ("values", "submit"),
    [
        ({"answer_1": "Ceviche"}, True),
        ({"answer_1": "Ceviche", "answer_2": "Lomo", "answer_3": "Ají", "region": "Costa"}, True),
        ({"answer_1": "", "no_answer_reason": "no_specific_answer"}, True),
        ({"answer_1": "", "no_answer_reason": "not_applicable", "region": "Sierra"}, True),
        ({"answer_1": ""}, False),  # a draft may be empty
        ({"answer_1": "I <3 it"}, True),
    ],
)
def test_check_answer_accepts_complete_answers_and_drafts(values, submit):
    assert domain.check_answer(**values, submit=submit) == {}


# --- saving an answer -----------------------------------------------------------------------


def test_a_draft_is_edited_then_submitted(challenge, question, make_person):
    person = make_person("PE")
    draft = domain.save_answer(
        challenge=challenge, question_id=question.pk, author=person, answer_1="", submit=False
    )
    assert draft.status == ContributionStatus.DRAFT and draft.country == "PE"
    edited = domain.save_answer(
        challenge=challenge,
        question_id=question.pk,
        author=person,
        answer_1=" Picarones ",
        submit=False,
    )
    assert edited.pk == draft.pk and edited.answer_1 == "Picarones"
    submitted = domain.save_answer(
        challenge=challenge, question_id=question.pk, author=person, submit=True, **CONTENT
    )
    assert submitted.pk == draft.pk
    stored = BlendAnswer.objects.get()
    assert stored.status == ContributionStatus.PENDING
    assert (stored.answer_1, stored.answer_2, stored.region) == (
        "Suspiro a la limeña",
        "Picarones",
        "Lima",
    )


def test_a_reason_for_no_answer_is_a_complete_answer(challenge, question, make_person):
    person = make_person("PE")
    answer = domain.save_answer(
        challenge=challenge,
        question_id=question.pk,
        author=person,
        answer_1="",
        no_answer_reason=BlendAnswer.NoAnswerReason.NOT_APPLICABLE,
        submit=True,
    )
    assert answer.status == ContributionStatus.PENDING and answer.answers == []


def test_submitting_without_answer_1_is_refused_and_nothing_stored(
    challenge, question, make_person
):
    person = make_person("PE")
    with pytest.raises(ContributionRefused, match="answer 1"):
        domain.save_answer(
            challenge=challenge, question_id=question.pk, author=person, answer_1="  ", submit=True
        )
    assert not BlendAnswer.objects.exists()


def test_a_question_of_another_country_is_refused(challenge, make_person):
    chilean = BlendQuestionFactory(challenge=challenge, country="CL")
    person = make_person("PE")
    with pytest.raises(ContributionRefused, match="Chile"):
        domain.save_answer(
            challenge=challenge, question_id=chilean.pk, author=person, submit=True, **CONTENT
        )
    assert not BlendAnswer.objects.exists()
    domain.set_known_countries(user=person, countries=["CL"])
    domain.save_answer(
        challenge=challenge, question_id=chilean.pk, author=person, submit=True, **CONTENT
    )
    assert BlendAnswer.objects.get().country == "CL"


def test_a_question_of_another_challenge_is_refused(edition, challenge, make_person):
    foreign = BlendQuestionFactory(challenge=BlendChallengeFactory(edition=edition))
    with pytest.raises(ContributionRefused, match="does not exist"):
        domain.save_answer(
            challenge=challenge,
            question_id=foreign.pk,
            author=make_person("PE"),
            submit=True,
            **CONTENT,
        )
    assert not BlendAnswer.objects.exists()


def test_a_second_answer_to_the_same_question_is_refused(challenge, question, make_person):
    person = make_person("PE")
    domain.save_answer(
        challenge=challenge, question_id=question.pk, author=person, submit=True, **CONTENT
    )
    with pytest.raises(ContributionRefused, match="already submitted"):
        domain.save_answer(
            challenge=challenge,
            question_id=question.pk,
            author=person,
            answer_1="Otra",
            submit=True,
        )
    with pytest.raises(ContributionRefused, match="already submitted"):
        domain.save_answer(
            challenge=challenge,
            question_id=question.pk,
            author=person,
            answer_1="Otra",
            submit=False,
        )
    assert BlendAnswer.objects.get().answer_1 == CONTENT["answer_1"]


def test_submitting_the_same_answer_twice_stores_one(challenge, question, make_person):
    person = make_person("PE")
    first = domain.save_answer(
        challenge=challenge, question_id=question.pk, author=person, submit=True, **CONTENT
    )
    again = domain.save_answer(
        challenge=challenge, question_id=question.pk, author=person, submit=True, **CONTENT
    )
    assert again.pk == first.pk and BlendAnswer.objects.count() == 1


def test_nobody_answers_while_the_window_is_closed(challenge, question, make_person):
    close(challenge)
    with pytest.raises(ContributionRefused, match="closed"):
        domain.save_answer(
            challenge=challenge,
            question_id=question.pk,
            author=make_person("PE"),
            submit=True,
            **CONTENT,
        )
    assert not BlendAnswer.objects.exists()


# --- skipping -------------------------------------------------------------------------------


def test_a_skipped_question_is_never_shown_again_and_skipping_twice_is_harmless(
    challenge, question, make_person
):
    person = make_person("PE")
    domain.skip_question(challenge=challenge, question_id=question.pk, user=person)
    domain.skip_question(challenge=challenge, question_id=question.pk, user=person)
    assert BlendSkip.objects.filter(user=person).count() == 1
    assert domain.find_next_question(challenge=challenge, user=person, countries=["PE"]) is None
    assert not BlendAnswer.objects.exists()


def test_skipping_drops_my_draft_but_never_a_submitted_answer(challenge, make_person):
    person = make_person("PE")
    drafted, submitted = (
        BlendQuestionFactory(challenge=challenge),
        BlendQuestionFactory(challenge=challenge),
    )
    BlendAnswerFactory(question=drafted, author=person, status=ContributionStatus.DRAFT)
    BlendAnswerFactory(question=submitted, author=person)
    domain.skip_question(challenge=challenge, question_id=drafted.pk, user=person)
    assert not BlendAnswer.objects.filter(question=drafted).exists()
    with pytest.raises(ContributionRefused, match="cannot be skipped"):
        domain.skip_question(challenge=challenge, question_id=submitted.pk, user=person)
    assert BlendAnswer.objects.filter(question=submitted).exists()
    assert not BlendSkip.objects.filter(question=submitted).exists()


def test_nobody_skips_while_the_window_is_closed(challenge, question, make_person):
    close(challenge)
    with pytest.raises(ContributionRefused):
        domain.skip_question(challenge=challenge, question_id=question.pk, user=make_person("PE"))
    assert not BlendSkip.objects.exists()


# --- validating -----------------------------------------------------------------------------


def test_the_validators_queue(challenge, make_person):
    me = make_person("PE")
    mine = BlendAnswerFactory(question__challenge=challenge, author=me)
    oldest = BlendAnswerFactory(question__challenge=challenge)
    newer = BlendAnswerFactory(question__challenge=challenge)
    BlendAnswerFactory(question__challenge=challenge, status=ContributionStatus.DRAFT)
    BlendAnswerFactory(question__challenge=challenge, status=ContributionStatus.VALIDATED)
    BlendAnswerFactory(question__challenge=challenge, question__country="CL", country="CL")
    assert mine.pk < oldest.pk
    assert (
        domain.find_next_answer_to_validate(challenge=challenge, validator=me, country="PE")
        == oldest
    )
    BlendValidationFactory(answer=oldest, validator=me)
    assert (
        domain.find_next_answer_to_validate(challenge=challenge, validator=me, country="PE")
        == newer
    )
    assert (
        domain.find_next_answer_to_validate(challenge=challenge, validator=me, country="") is None
    )


def test_the_validators_queue_runs_one_query(challenge, make_person, django_assert_num_queries):
    me = make_person("PE")
    for _ in range(3):
        BlendValidationFactory(answer__question__challenge=challenge, validator=me)
    wanted = BlendAnswerFactory(question__challenge=challenge)
    with django_assert_num_queries(1):
        found = domain.find_next_answer_to_validate(challenge=challenge, validator=me, country="PE")
        assert found == wanted and found.question.topic == "Food"


def test_one_approval_validates_records_the_decision_and_tells_scoring(
    challenge, make_person, django_capture_on_commit_callbacks
):
    answer = BlendAnswerFactory(question__challenge=challenge)
    heard = []

    def listener(sender, challenge, author_ids, **kwargs):
        heard.append(author_ids)

    contributions_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            decided = domain.validate_answer(
                challenge=challenge, answer_id=answer.pk, validator=make_person("PE"), approve=True
            )
    finally:
        contributions_changed.disconnect(listener)
    assert decided.status == ContributionStatus.VALIDATED and decided.approvals == 1
    answer.refresh_from_db()
    assert answer.status == ContributionStatus.VALIDATED and answer.decided_at is not None
    decision = ReviewDecision.objects.get()
    assert (decision.item_type, decision.item_id, decision.status) == (
        "blend.blendanswer",
        answer.pk,
        "validated",
    )
    assert decision.decided_by is None and decision.reason == PEER_VALIDATION_REASON
    assert heard == [[answer.author_id]]


def test_thresholds_come_from_the_challenge(challenge, make_person):
    challenge.approvals_to_validate = 2
    challenge.rejections_to_reject = 2
    challenge.save()
    answer = BlendAnswerFactory(question__challenge=challenge)
    domain.validate_answer(
        challenge=challenge, answer_id=answer.pk, validator=make_person("PE"), approve=True
    )
    domain.validate_answer(
        challenge=challenge,
        answer_id=answer.pk,
        validator=make_person("PE"),
        approve=False,
        comment="Hmm",
    )
    answer.refresh_from_db()
    assert (answer.status, answer.approvals, answer.rejections) == ("pending", 1, 1)
    assert not ReviewDecision.objects.exists()
    domain.validate_answer(
        challenge=challenge, answer_id=answer.pk, validator=make_person("PE"), approve=False
    )
    answer.refresh_from_db()
    assert (answer.status, answer.rejections) == ("rejected", 2)
    assert ReviewDecision.objects.get().status == "rejected"


def test_a_rejection_keeps_the_comment_for_the_author(challenge, make_person):
    answer = BlendAnswerFactory(question__challenge=challenge)
    domain.validate_answer(
        challenge=challenge,
        answer_id=answer.pk,
        validator=make_person("PE"),
        approve=False,
        comment=" Eso es de Chile ",
    )
    answer.refresh_from_db()
    assert answer.status == ContributionStatus.REJECTED
    assert answer.reason_display == "Decided by validators of the country."
    assert BlendValidation.objects.get().comment == "Eso es de Chile"


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("own", "your own answer"),
        ("other_country", "profile country is Peru"),
        ("no_country", "profile country is Peru"),
        ("decided", "already decided"),
        ("twice", "already validated"),
        ("closed", "closed"),
        ("long_comment", "at most 500"),
        ("html_comment", "HTML"),
        ("missing", "does not exist"),
    ],
)
def test_validation_refusals_change_nothing(challenge, make_person, case, message):
    challenge.approvals_to_validate = 2
    challenge.save()
    answer = BlendAnswerFactory(question__challenge=challenge)
    validator, comment, answer_id = make_person("PE"), "", answer.pk
    if case == "own":
        validator = answer.author
    elif case == "other_country":
        validator = make_person("CL")
        domain.set_known_countries(user=validator, countries=["PE"])  # answering, not validating
    elif case == "no_country":
        validator = make_person("")
    elif case == "decided":
        BlendAnswer.objects.filter(pk=answer.pk).update(status=ContributionStatus.VALIDATED)
    elif case == "twice":
        domain.validate_answer(
            challenge=challenge, answer_id=answer.pk, validator=validator, approve=True
        )
    elif case == "closed":
        close(challenge)
    elif case == "long_comment":
        comment = "x" * 501
    elif case == "html_comment":
        comment = "<b>no</b>"
    elif case == "missing":
        answer_id = answer.pk + 1000
    before = (BlendValidation.objects.count(), ReviewDecision.objects.count())
    answer.refresh_from_db()
    counters = (answer.status, answer.approvals, answer.rejections)
    with pytest.raises(ContributionRefused, match=message):
        domain.validate_answer(
            challenge=challenge,
            answer_id=answer_id,
            validator=validator,
            approve=False,
            comment=comment,
        )
    assert (BlendValidation.objects.count(), ReviewDecision.objects.count()) == before
    answer.refresh_from_db()
    assert (answer.status, answer.approvals, answer.rejections) == counters


# --- countries in uploads -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Chile", "CL"),
        ("chile", "CL"),
        ("CL", "CL"),
        ("cl", "CL"),
        ("CHL", "CL"),
        ("España", "ES"),
        ("Espanha", "ES"),
        ("Spain", "ES"),
        ("espana", "ES"),
        ("Perú", "PE"),
        ("  peru ", "PE"),
        ("Brasil", "BR"),
        ("Brazil", "BR"),
        ("México", "MX"),
        ("Estados Unidos", "US"),
        ("Portugal", "PT"),
        ("Narnia", ""),
        ("", ""),
    ],
)
def test_parse_country_reads_names_in_three_languages_and_codes(value, code):
    assert domain.parse_country(value) == code
