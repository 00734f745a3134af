"""Factories for INCLUDE exams and questions."""

import factory

from challenges.include.models import Exam, ExamQuestion
from challenges.models import Challenge
from challenges.text import fingerprint
from tests.factories import ChallengeFactory, UserFactory


class IncludeChallengeFactory(ChallengeFactory):
    kind = Challenge.Kind.INCLUDE
    slug = "include"


class ExamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exam

    challenge = factory.SubFactory(IncludeChallengeFactory)
    author = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Examen de admisión {n}")
    language = "es"
    country = "PE"
    domain = "History"
    level = "University entrance"
    declared_questions = 50
    source = "https://example.org/exam.pdf"
    original_format = Exam.Format.PDF
    license = "unknown"


class ExamQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExamQuestion

    exam = factory.SubFactory(ExamFactory)
    challenge = factory.SelfAttribute("exam.challenge")
    author = factory.SelfAttribute("exam.author")
    language = factory.SelfAttribute("exam.language")
    country = "PE"
    exam_name = factory.SelfAttribute("exam.name")
    source = factory.SelfAttribute("exam.source")
    license = factory.SelfAttribute("exam.license")
    level = factory.SelfAttribute("exam.level")
    category_en = "History"
    category_original_lang = "Historia"
    original_question_num = factory.Sequence(lambda n: n + 1)
    question = factory.Sequence(lambda n: f"¿En qué año ocurrió el hecho número {n}?")
    options = factory.Sequence(
        lambda n: [f"{1800 + n}", f"{1850 + n}", f"{1900 + n}", f"{1950 + n}"]
    )
    answer = 1
    fingerprint = factory.LazyAttribute(
        lambda question: fingerprint(question.question, *question.options)
    )
