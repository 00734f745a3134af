import pytest

from challenges.domain import ContributionRefused
from challenges.preferences import domain
from challenges.preferences.models import Quiz, QuizAttempt
from tests.challenges.preferences.factories import (
    PreferencesChallengeFactory,
    QuizAttemptFactory,
    QuizFactory,
    answers_for,
    make_quiz,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "mark", "score", "total", "passes"),
    [
        (Quiz.PassMarkKind.PERCENT, 80, 4, 5, True),
        (Quiz.PassMarkKind.PERCENT, 80, 3, 5, False),
        (Quiz.PassMarkKind.PERCENT, 100, 5, 5, True),
        (Quiz.PassMarkKind.COUNT, 3, 3, 5, True),
        (Quiz.PassMarkKind.COUNT, 3, 2, 5, False),
        (Quiz.PassMarkKind.COUNT, 1, 0, 0, False),
    ],
)
def test_pass_mark_is_a_percentage_or_a_number_of_right_answers(kind, mark, score, total, passes):
    assert Quiz(pass_mark=mark, pass_mark_kind=kind).is_passing(score=score, total=total) is passes


def test_taking_the_quiz_stores_the_attempt_with_its_score(challenge, participant):
    quiz = make_quiz(challenge=challenge, questions=4, pass_mark=75)
    attempt = domain.take_quiz(quiz=quiz, user=participant, answers=answers_for(quiz, right=3))
    assert (attempt.score, attempt.total, attempt.passed) == (3, 4, True)
    assert QuizAttempt.objects.get().answers == {
        str(k): v for k, v in answers_for(quiz, right=3).items()
    }


def test_a_failed_attempt_is_kept_and_a_retry_can_pass(challenge, participant, quiz):
    first = domain.take_quiz(quiz=quiz, user=participant, answers=answers_for(quiz, right=0))
    assert not first.passed
    assert not domain.has_passed_quiz(challenge=challenge, user=participant)
    domain.take_quiz(quiz=quiz, user=participant, answers=answers_for(quiz, right=2))
    assert domain.has_passed_quiz(challenge=challenge, user=participant)
    assert QuizAttempt.objects.filter(user=participant).count() == 2


def test_passed_once_is_passed_for_good(challenge, participant, quiz):
    domain.take_quiz(quiz=quiz, user=participant, answers=answers_for(quiz, right=2))
    domain.take_quiz(quiz=quiz, user=participant, answers=answers_for(quiz, right=0))
    assert domain.has_passed_quiz(challenge=challenge, user=participant)


def test_an_attempt_needs_every_question_answered_with_its_own_choices(
    challenge, participant, quiz
):
    questions = list(quiz.questions.all())
    other = PreferencesChallengeFactory(edition=challenge.edition, slug="otro")
    other_quiz_choice = make_quiz(challenge=other).questions.first().choices.first()
    partial = {questions[0].pk: questions[0].choices.first().pk}
    with pytest.raises(ContributionRefused, match="Answer every question"):
        domain.take_quiz(quiz=quiz, user=participant, answers=partial)
    foreign = {question.pk: other_quiz_choice.pk for question in questions}
    with pytest.raises(ContributionRefused, match="Answer every question"):
        domain.take_quiz(quiz=quiz, user=participant, answers=foreign)
    assert not QuizAttempt.objects.exists()


def test_a_quiz_without_questions_cannot_be_taken(challenge, participant):
    quiz = QuizFactory(challenge=challenge)
    with pytest.raises(ContributionRefused, match="no questions"):
        domain.take_quiz(quiz=quiz, user=participant, answers={})
    assert not QuizAttempt.objects.exists()


def test_passing_another_challenges_quiz_does_not_count(challenge, participant):
    other = PreferencesChallengeFactory(edition=challenge.edition, slug="otro")
    QuizAttemptFactory(quiz=make_quiz(challenge=other), user=participant, passed=True)
    assert not domain.has_passed_quiz(challenge=challenge, user=participant)


# --- the page ---


def test_quiz_page_lists_the_questions_and_passing_sends_to_the_prompts(
    client, challenge, participant, quiz
):
    client.force_login(participant)
    page = client.get(f"/preferences/{challenge.slug}/quiz/", HTTP_ACCEPT_LANGUAGE="en")
    content = page.content.decode()
    assert page.status_code == 200
    for question in quiz.questions.all():
        assert question.text in content
    data = {f"question_{q}": c for q, c in answers_for(quiz, right=2).items()}
    response = client.post(
        f"/preferences/{challenge.slug}/quiz/", data, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.redirect_chain[-1][0] == f"/preferences/{challenge.slug}/"
    assert "You passed" in response.content.decode()
    assert QuizAttempt.objects.get(user=participant).passed


def test_failing_on_the_page_says_so_and_offers_a_retry(client, challenge, participant, quiz):
    client.force_login(participant)
    data = {f"question_{q}": c for q, c in answers_for(quiz, right=0).items()}
    response = client.post(
        f"/preferences/{challenge.slug}/quiz/", data, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.redirect_chain[-1][0] == f"/preferences/{challenge.slug}/quiz/"
    assert "not enough to pass" in response.content.decode()
    assert not QuizAttempt.objects.get().passed


@pytest.mark.parametrize("bad", ["missing", "not-a-number", "foreign"])
def test_bad_quiz_answers_are_refused_and_nothing_is_stored(
    client, challenge, participant, quiz, bad
):
    client.force_login(participant)
    questions = list(quiz.questions.all())
    data = {f"question_{q}": c for q, c in answers_for(quiz, right=2).items()}
    if bad == "missing":
        data.pop(f"question_{questions[0].pk}")
    elif bad == "not-a-number":
        data[f"question_{questions[0].pk}"] = "abc"
    else:
        data[f"question_{questions[0].pk}"] = questions[1].choices.first().pk
    before = QuizAttempt.objects.count()
    response = client.post(f"/preferences/{challenge.slug}/quiz/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.context["form"].errors[f"question_{questions[0].pk}"]
    assert QuizAttempt.objects.count() == before


def test_without_a_quiz_the_page_says_it_is_not_published(client, challenge, participant):
    client.force_login(participant)
    response = client.get(f"/preferences/{challenge.slug}/quiz/", HTTP_ACCEPT_LANGUAGE="en")
    assert "not published the quiz yet" in response.content.decode()
    response = client.post(f"/preferences/{challenge.slug}/quiz/", {}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and not QuizAttempt.objects.exists()
