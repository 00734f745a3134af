"""The quiz on the prompt guide: passing it opens the prompt submission."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from challenges.domain import (
    ContributionRefused,
    EditionFileError,
    record_changes,
    take_snapshot,
)
from challenges.models import Challenge, ChangeRecord
from challenges.preferences.models import (
    Prompt,
    Quiz,
    QuizAttempt,
    QuizChoice,
    QuizQuestion,
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


def count_attempts(*, quiz: Quiz, user) -> int:
    return QuizAttempt.objects.filter(quiz=quiz, user=user).count()


def count_attempts_left(*, quiz: Quiz, user) -> int | None:
    """How many more times the person may take the quiz (None: no limit). Someone who passed
    may always practise again."""
    if not quiz.max_attempts or has_passed_quiz(challenge=quiz.challenge, user=user):
        return None
    return max(quiz.max_attempts - count_attempts(quiz=quiz, user=user), 0)


def order_choices(*, choices: Sequence, quiz: Quiz, question_id: int, user, attempt: int) -> list:
    """The choices of a question in the order one attempt shows them: shuffled, the same for
    the same person and attempt (a page shown again after an error keeps its order), another
    for the next attempt, so the correct answer is not always in the same place."""
    ordered = list(choices)
    random.Random(f"{quiz.pk}:{question_id}:{user.pk}:{attempt}").shuffle(ordered)
    return ordered


def take_quiz(*, quiz: Quiz, user, answers: Mapping[int, int]) -> QuizAttempt:
    """Score one attempt: one answer for every question, each one of that question's choices.

    The attempt is kept whatever it scores; people may retry up to the quiz's ``max_attempts``
    (0: as often as they like; once passed, always).
    """
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if count_attempts_left(quiz=quiz, user=user) == 0:
            raise ContributionRefused(
                ngettext(
                    "You have used your %(count)s attempt at the quiz; ask the organizers for another.",
                    "You have used your %(count)s attempts at the quiz; ask the organizers for another.",
                    quiz.max_attempts,
                )
                % {"count": quiz.max_attempts}
            )
        return _score_attempt(quiz=quiz, user=user, answers=answers)


def _score_attempt(*, quiz: Quiz, user, answers: Mapping[int, int]) -> QuizAttempt:
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


# --- the quiz in the edition file ----------------------------------------------------------------

QUIZ_FIELDS = ["title", "introduction", "guide_url", "pass_mark", "pass_mark_kind", "max_attempts"]
QUIZ_FILE_KEYS = {"guide": "guide_url"}


def _quiz_questions(quiz: Quiz) -> list[dict[str, Any]]:
    """The quiz's questions as the file writes them: question, options, answer (0-based)."""
    rows = []
    for question in quiz.questions.prefetch_related("choices").order_by("position", "pk"):
        choices = sorted(question.choices.all(), key=lambda c: (c.position, c.pk))
        correct = [n for n, choice in enumerate(choices) if choice.is_correct]
        rows.append(
            {
                "question": question.text,
                "options": [choice.text for choice in choices],
                "answer": correct[0] if len(correct) == 1 else correct,
            }
        )
    return rows


def check_quiz_table(value: Any, *, label: str) -> list[str]:
    """The problems of a ``[challenges.quiz]`` table: a title, known keys, and questions each
    with at least two options and ``answer`` the 0-based index of the one correct option."""
    if not isinstance(value, dict):
        return [_("%(label)s: quiz is a table.") % {"label": label}]
    problems = []
    known = {*QUIZ_FIELDS, *QUIZ_FILE_KEYS, "questions"}
    unknown = set(value) - known
    if unknown:
        problems.append(
            _("%(label)s: unknown quiz keys %(keys)s.")
            % {"label": label, "keys": ", ".join(sorted(unknown))}
        )
    if not value.get("title"):
        problems.append(_("%(label)s: the quiz needs a title.") % {"label": label})
    questions = value.get("questions") or []
    if not isinstance(questions, list) or not questions:
        problems.append(_("%(label)s: the quiz needs questions.") % {"label": label})
        return problems
    for number, question in enumerate(questions, start=1):
        options = question.get("options") if isinstance(question, dict) else None
        answer = question.get("answer") if isinstance(question, dict) else None
        if not isinstance(question, dict) or not question.get("question"):
            problems.append(
                _("%(label)s: quiz question %(number)s has no text.")
                % {"label": label, "number": number}
            )
            continue
        if not isinstance(options, list) or len(options) < 2 or not all(options):
            problems.append(
                _("%(label)s: quiz question %(number)s needs at least two options.")
                % {"label": label, "number": number}
            )
            continue
        if (
            isinstance(answer, bool)
            or not isinstance(answer, int)
            or not 0 <= answer < len(options)
        ):
            problems.append(
                _(
                    "%(label)s: quiz question %(number)s: answer is the number of the correct option, counting from 0."
                )
                % {"label": label, "number": number}
            )
    return problems


def load_quiz_table(*, challenge: Challenge, value: Any, record: bool) -> list[ChangeRecord]:
    """Create or update the challenge's quiz from the edition file's ``[challenges.quiz]``.

    The file is the source of truth: each differing field is updated, and the questions, when
    they differ in any way, are rewritten as the file says (attempts already taken keep their
    scores). Each change is recorded (the questions as one change holding both versions);
    loading the same table again changes nothing.
    """
    label = _("challenge “%(slug)s”") % {"slug": challenge.slug}
    problems = check_quiz_table(value, label=label)
    if problems:
        raise EditionFileError(problems)
    quiz = Quiz.objects.filter(challenge=challenge).first()
    is_new = quiz is None
    quiz = quiz or Quiz(challenge=challenge)
    values = {QUIZ_FILE_KEYS.get(k, k): v for k, v in value.items() if k != "questions"}
    before = take_snapshot(instance=quiz, fields=list(values))
    for name, new in values.items():
        setattr(quiz, name, new)
    try:
        quiz.full_clean(exclude=["challenge"], validate_constraints=False)
    except ValidationError as error:
        raise EditionFileError(
            [f"{label}: quiz: {name}: {m}" for name, ms in error.message_dict.items() for m in ms]
        ) from error
    if quiz.pass_mark_kind == Quiz.PassMarkKind.PERCENT and quiz.pass_mark > 100:
        raise EditionFileError([_("A percentage pass mark is between 1 and 100.")])
    quiz.save()
    questions = [
        {"question": q["question"], "options": list(q["options"]), "answer": q["answer"]}
        for q in value["questions"]
    ]
    old_questions = [] if is_new else _quiz_questions(quiz)
    if questions != old_questions:
        quiz.questions.all().delete()
        for position, row in enumerate(questions):
            question = QuizQuestion.objects.create(
                quiz=quiz, text=row["question"], position=position
            )
            QuizChoice.objects.bulk_create(
                QuizChoice(question=question, text=text, is_correct=n == row["answer"], position=n)
                for n, text in enumerate(row["options"])
            )
    if not record:
        return []
    quiz.questions_as_written = questions
    before["questions_as_written"] = old_questions
    return record_changes(
        edition=challenge.edition,
        instance=quiz,
        before=before,
        source=ChangeRecord.Source.EDITION_FILE,
    )
