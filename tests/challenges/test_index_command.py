"""``manage.py index_near_duplicates``: every stored item indexed again, nothing twice."""

import pytest
from django.core.management import call_command

from challenges.models import NearDuplicateBand
from challenges.near_duplicates import band_layout, threshold
from tests.challenges.include.factories import (
    ExamFactory,
    ExamQuestionFactory,
    IncludeChallengeFactory,
)
from tests.challenges.preferences.factories import PreferencesChallengeFactory, PromptFactory

pytestmark = pytest.mark.django_db


def test_the_command_indexes_every_item_once(edition):
    exam = ExamFactory(challenge=IncludeChallengeFactory(edition=edition))
    questions = ExamQuestionFactory.create_batch(2, exam=exam)
    prompt = PromptFactory(challenge=PreferencesChallengeFactory(edition=edition))
    call_command("index_near_duplicates", stdout=None)
    call_command("index_near_duplicates", stdout=None)
    bands, _rows = band_layout(threshold())
    indexed = sorted(NearDuplicateBand.objects.values_list("item_type", "item_id").distinct())
    assert indexed == sorted(
        [("include.examquestion", q.pk) for q in questions] + [("preferences.prompt", prompt.pk)]
    )
    assert NearDuplicateBand.objects.count() == 3 * bands
