"""The quiz on the prompt guide: passing it opens the prompt submission."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from django.utils.translation import gettext as _

from challenges.domain import (
    ContributionRefused,
)
from challenges.models import Challenge
from challenges.preferences.models import (
    Prompt,
    Quiz,
    QuizAttempt,
)


def get_quiz(*, challenge: Challenge) -> Quiz | None:
    """The challenge's quiz on the prompt guide, if the organizers wrote one."""
    return Quiz.objects.filter(challenge=challenge).first()


def has_passed_quiz(*, challenge: Challenge, user) -> bool:
    """Passed once is passed for good, whatever later attempts score."""
    if not user.is_authenticated:
        return False
    return QuizAttempt.objects.filter(quiz__challenge=challenge, user=user, passed=True).exists()


def ensure_quiz_passed(*, challenge: Challenge, user) -> None:
    """Only people who passed the quiz on the prompt guide submit prompts."""
    if not has_passed_quiz(challenge=challenge, user=user):
        raise ContributionRefused(_("Pass the quiz on the prompt guide before submitting prompts."))


def take_quiz(*, quiz: Quiz, user, answers: Mapping[int, int]) -> QuizAttempt:
    """Score one attempt: one answer for every question, each one of that question's choices.

    The attempt is kept whatever it scores; people may retry as often as they like.
    """
    questions: dict[int, dict[int, bool]] = {}
    for question_id, choice_id, is_correct in quiz.questions.values_list(
        "pk", "choices__pk", "choices__is_correct"
    ):
        choices = questions.setdefault(question_id, {})
        if choice_id is not None:
            choices[choice_id] = is_correct
    if not questions:
        raise ContributionRefused(_("This quiz has no questions yet."))
    score = 0
    kept = {}
    for question_id, choices in questions.items():
        choice_id = answers.get(question_id)
        if choice_id not in choices:
            raise ContributionRefused(_("Answer every question of the quiz."))
        kept[str(question_id)] = choice_id
        score += bool(choices[choice_id])
    total = len(questions)
    return QuizAttempt.objects.create(
        quiz=quiz,
        user=user,
        score=score,
        total=total,
        passed=quiz.is_passing(score=score, total=total),
        answers=kept,
    )


def count_members_without_quiz(*, challenge: Challenge, team_ids: list[int]) -> dict[int, int]:
    """Per team, how many of its members submitted prompts without having passed the quiz
    (one query); teams where everyone passed are absent. The credits gate requires none."""
    passed = QuizAttempt.objects.filter(quiz__challenge=challenge, passed=True).values("user_id")
    rows = (
        Prompt.objects.filter(challenge=challenge, author__memberships__team_id__in=team_ids)
        .exclude(author_id__in=passed)
        .values_list("author__memberships__team_id", "author_id")
        .distinct()
    )
    missing: dict[int, int] = defaultdict(int)
    for team_id, _author in rows:
        missing[team_id] += 1
    return dict(missing)
