"""Two validators deciding the same prompt at once, on two real connections (PostgreSQL): the
item's row is locked before its votes are counted, so the quorum is applied once."""

import pytest

from challenges.models import ContributionStatus, ReviewDecision
from challenges.preferences import domain
from challenges.preferences.models import Prompt, PromptValidation
from tests.challenges.blend.test_race import _race
from tests.challenges.preferences.factories import PreferencesChallengeFactory, PromptFactory
from tests.factories import EditionFactory, UserFactory


def _validate(challenge, prompt, validator, approve):
    return lambda: domain.validate_prompt(
        challenge=challenge,
        prompt_id=prompt.pk,
        validator=validator,
        well_designed=approve,
        culturally_anchored=True,
    )


@pytest.mark.django_db(transaction=True)
def test_two_validators_at_once_decide_a_prompt_once(need_postgres):
    challenge = PreferencesChallengeFactory(edition=EditionFactory())
    prompt = PromptFactory(challenge=challenge)
    outcomes = _race(
        [
            _validate(challenge, prompt, UserFactory(), True),
            _validate(challenge, prompt, UserFactory(), False),
        ]
    )
    assert sorted(outcome.split(":")[0] for outcome in outcomes) == ["done", "refused"]
    assert any("already been decided" in outcome for outcome in outcomes)
    assert PromptValidation.objects.count() == 1 and ReviewDecision.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_quorum_is_reached_once_when_the_last_two_votes_arrive_together(need_postgres):
    challenge = PreferencesChallengeFactory(edition=EditionFactory(), approvals_to_validate=3)
    prompt = PromptFactory(challenge=challenge)
    domain.validate_prompt(
        challenge=challenge,
        prompt_id=prompt.pk,
        validator=UserFactory(),
        well_designed=True,
        culturally_anchored=True,
    )
    third, fourth = UserFactory(), UserFactory()
    outcomes = _race(
        [
            _validate(challenge, prompt, third, True),
            _validate(challenge, prompt, fourth, True),
            _validate(challenge, prompt, UserFactory(), True),
        ]
    )
    assert sorted(outcome.split(":")[0] for outcome in outcomes) == ["done", "done", "refused"]
    prompt = Prompt.objects.get(pk=prompt.pk)
    assert (prompt.status, prompt.approvals) == (ContributionStatus.VALIDATED, 3)
    assert ReviewDecision.objects.filter(status=ContributionStatus.VALIDATED).count() == 1
