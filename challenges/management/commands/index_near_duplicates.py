from django.core.management.base import BaseCommand
from django.db import transaction

from challenges.blend.domain import QUESTION_NEAR_DUPLICATES as BLEND_QUESTIONS
from challenges.blend.models import BlendQuestion
from challenges.include.domain.upload import QUESTION_NEAR_DUPLICATES as INCLUDE_QUESTIONS
from challenges.include.models import ExamQuestion
from challenges.near_duplicates import index_stored
from challenges.preferences.domain.prompts import PROMPT_NEAR_DUPLICATES
from challenges.preferences.models import Prompt

INDEXED = [
    (ExamQuestion, INCLUDE_QUESTIONS),
    (Prompt, PROMPT_NEAR_DUPLICATES),
    (BlendQuestion, BLEND_QUESTIONS),
]


class Command(BaseCommand):
    help = (
        "Index every stored INCLUDE question, prompt and BLEND question again for the "
        "near-duplicate check: after changing NEAR_DUPLICATE_THRESHOLD (the bands follow it), "
        "or to take in prompts created from the arena's vote log. Running it twice changes "
        "nothing more."
    )

    def handle(self, *args, **options):
        for model, spec in INDEXED:
            with transaction.atomic():
                rows = index_stored(model=model, text=spec.text, scope=spec.scope, reads=spec.reads)
            self.stdout.write(f"{model._meta.label}: {rows} index rows.")
