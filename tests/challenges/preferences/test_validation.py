import datetime as dt

import pytest
from django.utils import timezone

from challenges.domain import ContributionRefused, contributions_changed
from challenges.models import ContributionStatus, ReviewDecision
from challenges.preferences import domain
from challenges.preferences.models import ArenaVote, Prompt, PromptValidation
from teams.models import Membership
from tests.challenges.preferences.factories import (
    ArenaVoteFactory,
    PromptFactory,
    PromptValidationFactory,
)
from tests.factories import UserFactory, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def teams(edition):
    """Two teams of two: (validator, teammate) and (author, author's teammate)."""
    mine = make_team(edition=edition, members=2, name="Mine")
    theirs = make_team(edition=edition, members=2, name="Theirs")
    validator, teammate = [m.user for m in mine.memberships.order_by("pk")]
    author, partner = [m.user for m in theirs.memberships.order_by("pk")]
    return validator, teammate, author, partner


def validate(challenge, prompt, validator, **overrides):
    values = {
        "well_designed": True,
        "culturally_anchored": True,
        "keep_chosen": None,
        "improved_answer": "",
    }
    values.update(overrides)
    return domain.validate_prompt(
        challenge=challenge, prompt_id=prompt.pk, validator=validator, **values
    )


def test_the_queue_offers_other_teams_pending_prompts_oldest_first(challenge, teams):
    validator, teammate, author, partner = teams
    PromptFactory(challenge=challenge, author=validator)
    PromptFactory(challenge=challenge, author=teammate)
    PromptFactory(challenge=challenge, author=author, status=ContributionStatus.VALIDATED)
    done = PromptFactory(challenge=challenge, author=author)
    PromptValidationFactory(prompt=done, validator=validator)
    first = PromptFactory(challenge=challenge, author=author)
    second = PromptFactory(challenge=challenge, author=partner)
    loner = PromptFactory(challenge=challenge)  # somebody without a team
    assert domain.next_prompt_to_validate(challenge=challenge, validator=validator) == first
    assert (
        domain.next_prompt_to_validate(challenge=challenge, validator=validator, after_id=first.pk)
        == second
    )
    assert (
        domain.next_prompt_to_validate(challenge=challenge, validator=validator, after_id=second.pk)
        == loner
    )
    # skipping the last one comes back to the first
    assert (
        domain.next_prompt_to_validate(challenge=challenge, validator=validator, after_id=loner.pk)
        == first
    )


def test_someone_without_a_team_may_validate_any_prompt_but_their_own(
    challenge, teams, participant
):
    validator, _teammate, author, _partner = teams
    PromptFactory(challenge=challenge, author=participant)
    theirs = PromptFactory(challenge=challenge, author=validator)
    assert domain.next_prompt_to_validate(challenge=challenge, validator=participant) == theirs


def test_the_queue_is_empty_when_everything_is_done(challenge, teams):
    validator, *_rest = teams
    PromptFactory(challenge=challenge, author=validator)
    assert domain.next_prompt_to_validate(challenge=challenge, validator=validator) is None


def test_an_approval_validates_the_prompt_after_the_challenges_number(
    challenge, teams, edition, django_capture_on_commit_callbacks
):
    validator, teammate, author, _partner = teams
    challenge.approvals_to_validate = 2
    challenge.save()
    prompt = PromptFactory(challenge=challenge, author=author)
    validate(challenge, prompt, validator)
    prompt.refresh_from_db()
    assert (prompt.status, prompt.approvals) == (ContributionStatus.PENDING, 1)
    assert not ReviewDecision.objects.exists()
    received = []
    contributions_changed.connect(
        lambda **kwargs: received.append(kwargs["author_ids"]), weak=False, dispatch_uid="t"
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            validate(challenge, prompt, teammate)
    finally:
        contributions_changed.disconnect(dispatch_uid="t")
    prompt.refresh_from_db()
    assert (prompt.status, prompt.approvals) == (ContributionStatus.VALIDATED, 2)
    decision = ReviewDecision.objects.get()
    assert (decision.item_type, decision.item_id, decision.status, decision.decided_by) == (
        "preferences.prompt",
        prompt.pk,
        ContributionStatus.VALIDATED,
        None,
    )
    assert received == [[author.pk]]
    assert domain.next_prompt_to_validate(challenge=challenge, validator=UserFactory()) is None


def test_rejections_reject_the_prompt_with_a_reason_for_its_author(challenge, teams):
    validator, _teammate, author, _partner = teams
    prompt = PromptFactory(challenge=challenge, author=author)
    validation = validate(challenge, prompt, validator, culturally_anchored=False)
    assert validation.approves is False
    prompt.refresh_from_db()
    assert (prompt.status, prompt.rejections, prompt.approvals) == (
        ContributionStatus.REJECTED,
        1,
        0,
    )
    assert "0 found it not well designed, 1 not culturally anchored" in prompt.decision_reason
    assert ReviewDecision.objects.get().status == ContributionStatus.REJECTED


@pytest.mark.parametrize("who", ["author", "partner"])
def test_nobody_validates_their_own_or_their_teams_prompts(challenge, teams, who):
    _validator, _teammate, author, partner = teams
    prompt = PromptFactory(challenge=challenge, author=author)
    with pytest.raises(ContributionRefused, match="own"):
        validate(challenge, prompt, {"author": author, "partner": partner}[who])
    assert not PromptValidation.objects.exists()
    prompt.refresh_from_db()
    assert prompt.approvals == 0


def test_a_second_validation_by_the_same_person_is_refused(challenge, teams):
    validator, _teammate, author, _partner = teams
    challenge.approvals_to_validate = 3
    challenge.save()
    prompt = PromptFactory(challenge=challenge, author=author)
    validate(challenge, prompt, validator)
    with pytest.raises(ContributionRefused, match="already validated"):
        validate(challenge, prompt, validator)
    prompt.refresh_from_db()
    assert prompt.approvals == 1 and PromptValidation.objects.count() == 1


def test_a_decided_prompt_takes_no_more_validations(challenge, teams):
    validator, _teammate, author, _partner = teams
    prompt = PromptFactory(challenge=challenge, author=author, status=ContributionStatus.VALIDATED)
    with pytest.raises(ContributionRefused, match="already been decided"):
        validate(challenge, prompt, validator)
    assert not PromptValidation.objects.exists()


def test_validations_are_refused_when_the_challenge_is_closed(challenge, teams):
    validator, _teammate, author, _partner = teams
    prompt = PromptFactory(challenge=challenge, author=author)
    challenge.opens_at = timezone.now() - dt.timedelta(days=5)
    challenge.closes_at = timezone.now() - dt.timedelta(days=1)
    challenge.save()
    with pytest.raises(ContributionRefused, match="closed"):
        validate(challenge, prompt, validator)
    assert not PromptValidation.objects.exists()


def test_keep_chosen_is_asked_only_when_a_vote_chose_an_answer(challenge, teams):
    validator, teammate, author, _partner = teams
    with_vote = PromptFactory(challenge=challenge, author=author)
    ArenaVoteFactory(prompt=with_vote, vote_type=ArenaVote.VoteType.TIE, chosen="", rejected="")
    decisive = ArenaVoteFactory(prompt=with_vote)
    with pytest.raises(ContributionRefused, match="keep the chosen answer"):
        validate(challenge, with_vote, validator)
    validation = validate(
        challenge, with_vote, validator, keep_chosen=False, improved_answer="Ceviche."
    )
    assert (validation.keep_chosen, validation.vote, validation.improved_answer) == (
        False,
        decisive,
        "Ceviche.",
    )
    without = PromptFactory(challenge=challenge, author=author)
    ArenaVoteFactory(prompt=without, vote_type=ArenaVote.VoteType.BOTH_BAD, chosen="", rejected="")
    assert validate(challenge, without, teammate, keep_chosen=True).keep_chosen is None


def test_the_latest_decisive_vote_is_the_one_judged(challenge, teams):
    _validator, _teammate, author, _partner = teams
    prompt = PromptFactory(challenge=challenge, author=author)
    ArenaVoteFactory(prompt=prompt, tstamp=dt.datetime(2025, 4, 20, tzinfo=dt.UTC))
    latest = ArenaVoteFactory(
        prompt=prompt, vote_type="rightvote", tstamp=dt.datetime(2025, 4, 22, tzinfo=dt.UTC)
    )
    ArenaVoteFactory(
        prompt=prompt, vote_type="tievote", tstamp=dt.datetime(2025, 4, 23, tzinfo=dt.UTC)
    )
    assert domain.latest_decisive_vote(prompt=prompt) == latest


@pytest.mark.parametrize(
    ("answer", "message"),
    [("<b>mejor</b>", "HTML"), ("x" * (domain.IMPROVED_ANSWER_MAX_LENGTH + 1), "at most")],
)
def test_a_bad_improved_answer_is_refused(challenge, teams, answer, message):
    validator, _teammate, author, _partner = teams
    prompt = PromptFactory(challenge=challenge, author=author)
    with pytest.raises(ContributionRefused, match=message):
        validate(challenge, prompt, validator, improved_answer=answer)
    assert not PromptValidation.objects.exists()


def test_an_unknown_prompt_is_refused(challenge, teams):
    validator, *_rest = teams
    with pytest.raises(ContributionRefused, match="does not exist"):
        domain.validate_prompt(
            challenge=challenge,
            prompt_id=999999,
            validator=validator,
            well_designed=True,
            culturally_anchored=True,
        )


# --- the page ---


def test_the_page_shows_the_next_prompt_and_its_chosen_answer_and_records_a_validation(
    client, challenge, teams
):
    validator, _teammate, author, _partner = teams
    prompt = PromptFactory(challenge=challenge, author=author, text="¿Cómo se baila la marinera?")
    ArenaVoteFactory(prompt=prompt, chosen="Con pañuelo.", rejected="Con sombrero de copa.")
    client.force_login(validator)
    page = client.get(
        f"/preferences/{challenge.slug}/validate/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert (
        "¿Cómo se baila la marinera?" in page
        and "Con pañuelo." in page
        and 'name="keep_chosen"' in page
    )
    data = {
        "prompt": prompt.pk,
        "well_designed": "yes",
        "culturally_anchored": "yes",
        "keep_chosen": "no",
        "improved_answer": "Con pañuelo blanco.",
    }
    response = client.post(
        f"/preferences/{challenge.slug}/validate/", data, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "your validation was saved" in response.content.decode()
    validation = PromptValidation.objects.get()
    assert (validation.validator, validation.keep_chosen, validation.approves) == (
        validator,
        False,
        True,
    )
    assert "Nothing to validate right now" in response.content.decode()


def test_skipping_shows_the_next_prompt(client, challenge, teams):
    validator, _teammate, author, _partner = teams
    first = PromptFactory(challenge=challenge, author=author)
    second = PromptFactory(challenge=challenge, author=author)
    client.force_login(validator)
    assert client.get(f"/preferences/{challenge.slug}/validate/").context["prompt"] == first
    assert (
        client.get(f"/preferences/{challenge.slug}/validate/?after={first.pk}").context["prompt"]
        == second
    )
    assert (
        client.get(f"/preferences/{challenge.slug}/validate/?after=nonsense").context["prompt"]
        == first
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"well_designed": ""}, "well_designed"),
        ({"culturally_anchored": "maybe"}, "culturally_anchored"),
        ({"keep_chosen": ""}, "keep_chosen"),
        ({"improved_answer": "<script>x</script>"}, "improved_answer"),
    ],
)
def test_bad_validation_input_is_refused_and_nothing_changes(
    client, challenge, teams, overrides, field
):
    validator, _teammate, author, _partner = teams
    prompt = PromptFactory(challenge=challenge, author=author)
    ArenaVoteFactory(prompt=prompt)
    client.force_login(validator)
    data = {
        "prompt": prompt.pk,
        "well_designed": "yes",
        "culturally_anchored": "yes",
        "keep_chosen": "yes",
        "improved_answer": "",
    }
    data.update(overrides)
    response = client.post(f"/preferences/{challenge.slug}/validate/", data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not PromptValidation.objects.exists()
    prompt.refresh_from_db()
    assert (prompt.approvals, prompt.rejections, prompt.status) == (
        0,
        0,
        ContributionStatus.PENDING,
    )


@pytest.mark.parametrize("prompt_id", ["", "abc", "999999"])
def test_an_unknown_prompt_on_the_page_is_a_message(client, challenge, teams, prompt_id):
    validator, *_rest = teams
    client.force_login(validator)
    response = client.post(
        f"/preferences/{challenge.slug}/validate/",
        {"prompt": prompt_id, "well_designed": "yes", "culturally_anchored": "yes"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "This prompt does not exist." in response.content.decode()
    assert not PromptValidation.objects.exists()


def test_a_tampered_post_on_a_teammates_prompt_is_refused(client, challenge, teams):
    validator, teammate, *_rest = teams
    prompt = PromptFactory(challenge=challenge, author=teammate)
    client.force_login(validator)
    response = client.post(
        f"/preferences/{challenge.slug}/validate/",
        {"prompt": prompt.pk, "well_designed": "yes", "culturally_anchored": "yes"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "own team" in response.content.decode()
    assert not PromptValidation.objects.exists()
    assert Membership.objects.filter(user=teammate).exists()
    assert Prompt.objects.get().approvals == 0
