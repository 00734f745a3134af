"""factory_boy factories of the preference dataset challenge."""

import datetime as dt
import json

import factory

from challenges.models import Challenge
from challenges.preferences.models import (
    ArenaVote,
    Prompt,
    PromptValidation,
    Quiz,
    QuizAttempt,
    QuizChoice,
    QuizQuestion,
)
from challenges.text import fingerprint
from tests.factories import ChallengeFactory, UserFactory


class PreferencesChallengeFactory(ChallengeFactory):
    slug = "preferencias"
    kind = Challenge.Kind.PREFERENCES
    category = Challenge.Category.MAIN
    title_es = "Dataset de preferencias"
    title_en = "Preference dataset"


class QuizFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quiz

    challenge = factory.SubFactory(PreferencesChallengeFactory)
    title = "Quiz on the prompt guide"
    pass_mark = 50
    pass_mark_kind = Quiz.PassMarkKind.PERCENT


class QuizQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuizQuestion

    quiz = factory.SubFactory(QuizFactory)
    text = factory.Sequence(lambda n: f"Question {n}?")
    position = factory.Sequence(lambda n: n)


class QuizChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuizChoice

    question = factory.SubFactory(QuizQuestionFactory)
    text = factory.Sequence(lambda n: f"Answer {n}")
    is_correct = False


class QuizAttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuizAttempt

    quiz = factory.SubFactory(QuizFactory)
    user = factory.SubFactory(UserFactory)
    score = 2
    total = 2
    passed = True


def make_quiz(*, challenge, questions: int = 2, **kwargs) -> Quiz:
    """A quiz whose every question has a right answer ("right") and a wrong one ("wrong")."""
    quiz = QuizFactory(challenge=challenge, **kwargs)
    for _number in range(questions):
        question = QuizQuestionFactory(quiz=quiz)
        QuizChoiceFactory(question=question, text="right", is_correct=True)
        QuizChoiceFactory(question=question, text="wrong", is_correct=False)
    return quiz


def answers_for(quiz: Quiz, *, right: int) -> dict[int, int]:
    """Answers to ``quiz``: the first ``right`` questions right, the others wrong."""
    answers = {}
    for index, question in enumerate(quiz.questions.order_by("position", "pk")):
        correct = index < right
        answers[question.pk] = question.choices.get(is_correct=correct).pk
    return answers


def pass_quiz(*, challenge, user) -> QuizAttempt:
    quiz = Quiz.objects.filter(challenge=challenge).first() or make_quiz(challenge=challenge)
    return QuizAttemptFactory(quiz=quiz, user=user)


class PromptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prompt

    challenge = factory.SubFactory(PreferencesChallengeFactory)
    author = factory.SubFactory(UserFactory)
    country = "PE"
    language = "es"
    text = factory.Sequence(lambda n: f"¿Qué se come en Lima el domingo número {n}?")
    fingerprint = factory.LazyAttribute(lambda prompt: fingerprint(prompt.text))
    source = Prompt.Source.FORM


class ArenaVoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ArenaVote

    challenge = factory.SelfAttribute("prompt.challenge")
    prompt = factory.SubFactory(PromptFactory)
    user = factory.SelfAttribute("prompt.author")
    identity = factory.Sequence(lambda n: f"voter-{n}")
    vote_type = ArenaVote.VoteType.LEFT
    model_a = "model-alpha"
    model_b = "model-beta"
    question = factory.SelfAttribute("prompt.text")
    question_fingerprint = factory.LazyAttribute(lambda vote: fingerprint(vote.question))
    answer_a = "Pollo a la brasa."
    answer_b = "Hamburguesas."
    chosen = "Pollo a la brasa."
    rejected = "Hamburguesas."
    tstamp = factory.Sequence(
        lambda n: dt.datetime(2025, 4, 20, tzinfo=dt.UTC) + dt.timedelta(minutes=n)
    )
    raw = factory.LazyFunction(dict)
    fingerprint = factory.Sequence(lambda n: f"{n:064d}")


class PromptValidationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PromptValidation

    prompt = factory.SubFactory(PromptFactory)
    validator = factory.SubFactory(UserFactory)
    well_designed = True
    culturally_anchored = True
    approves = True


def vote_line(**overrides) -> dict:
    """One line of the arena's vote log, as in /work/shared/samples/arena_votes.jsonl."""
    question = overrides.pop("question", "¿Qué se suele comer en Lima un domingo con la familia?")
    system = overrides.pop("system", "Eres un asistente que responde como una persona de Lima.")
    line = {
        "tstamp": 1745330000.51,
        "type": "leftvote",
        "models": ["model-alpha", "model-beta"],
        "states": [
            {
                "template_name": "chatml",
                "system_message": system,
                "roles": ["user", "assistant"],
                "messages": [["user", question], ["assistant", "Pollo a la brasa o ceviche."]],
                "offset": 0,
                "conv_id": "a1b2c3",
                "model_name": "model-alpha",
            },
            {
                "template_name": "chatml",
                "system_message": system,
                "roles": ["user", "assistant"],
                "messages": [["user", question], ["assistant", "Hamburguesas."]],
                "offset": 0,
                "conv_id": "d4e5f6",
                "model_name": "model-beta",
            },
        ],
        "ip": "redacted",
    }
    line.update(overrides)
    return line


def vote_log(*lines: dict) -> str:
    return "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n"
