"""factory_boy factories for the BLEND challenge."""

import factory

from challenges.blend.models import BlendAnswer, BlendQuestion, BlendValidation
from challenges.models import Challenge, ContributionStatus
from challenges.text import fingerprint
from tests.factories import ChallengeFactory, UserFactory


class BlendChallengeFactory(ChallengeFactory):
    slug = factory.Sequence(lambda n: f"blend-{n}")
    kind = Challenge.Kind.BLEND
    title_en = "BLEND cultural questions"
    title_es = "Preguntas culturales BLEND"


class BlendQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BlendQuestion

    challenge = factory.SubFactory(BlendChallengeFactory)
    external_id = factory.Sequence(lambda n: f"Fo-es-{n:03d}")
    country = "PE"
    language = "es"
    topic = "Food"
    question = factory.Sequence(lambda n: f"¿Qué se come de postre en Perú? ({n})")
    fingerprint = factory.LazyAttribute(lambda o: fingerprint(o.country, o.question))


class BlendAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BlendAnswer

    question = factory.SubFactory(BlendQuestionFactory)
    challenge = factory.SelfAttribute("question.challenge")
    author = factory.SubFactory(UserFactory)
    country = factory.SelfAttribute("question.country")
    status = ContributionStatus.PENDING
    answer_1 = "Suspiro a la limeña"


class BlendValidationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BlendValidation

    answer = factory.SubFactory(BlendAnswerFactory)
    validator = factory.SubFactory(UserFactory)
    approve = True
