"""Cross-team validation: people of other teams approve or reject each prompt."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from challenges.domain import ContributionRefused, ensure_window_open
from challenges.domain.peer_validation import (
    count_vote,
    dependent_items,
    ensure_independent,
    offer_item,
    release_item,
)
from challenges.domain.queues import Queue, absent, fetch_rows
from challenges.intake import PeerValidation
from challenges.models import Challenge, ContributionStatus
from challenges.preferences.models import (
    Prompt,
    PromptValidation,
)
from challenges.uploads import (
    contains_html,
)

from .arena import latest_decisive_vote

IMPROVED_ANSWER_MAX_LENGTH = 8000


def describe_decision(prompt: Prompt, status: str) -> str:
    """The reason peers' decision gives the prompt's author: none when validated, the numbers
    when rejected."""
    if status == ContributionStatus.REJECTED:
        return _describe_rejection(prompt=prompt)
    return ""


PEER_VALIDATION = PeerValidation(
    vote_model=PromptValidation,
    item_field="prompt",
    approve_field="approves",
    decision_reason=describe_decision,
    own_item_refused=gettext_lazy("You cannot validate your own prompts."),
    team_item_refused=gettext_lazy("You cannot validate prompts of your own team."),
)


def next_prompt_to_validate(
    *, challenge: Challenge, validator, after_id: int | None = None
) -> Prompt | None:
    """The next pending prompt this person may validate: not theirs, not of their team's
    current members (``peer_validation.exclude_dependent_items``), not validated by them
    already; oldest first, or the first after ``after_id`` (to skip one), coming back to the
    start at the end.

    Prompts other validators hold now are skipped (``peer_validation.offer_item``), and a
    skipped one is let go. One query whatever the data size when no other validator is at
    the same place: an index-backed scan of the pending prompts with anti-joins on the
    validations and the team's memberships.
    """
    candidates = Queue(
        Prompt,
        equals={"challenge": challenge, "status": ContributionStatus.PENDING},
        conditions=[
            dependent_items(Prompt, validator=validator, edition_id=challenge.edition_id),
            absent(PromptValidation, outer=Prompt, link=("prompt", "pk"), validator=validator.pk),
        ],
    )
    if after_id:
        release_item(model=Prompt, item_id=after_id, validator_id=validator.pk)
        following = offer_item(candidates.after(after_id), validator=validator)
        if following is not None:
            return following
    return offer_item(candidates, validator=validator)


def count_validations(*, challenge: Challenge, validator) -> int:
    """How many of the challenge's prompts this person has validated. One query, written out
    (``queues.fetch_rows``): the validation page shows it on every request."""
    quote = connection.ops.quote_name
    validations, prompts = (quote(model._meta.db_table) for model in (PromptValidation, Prompt))
    ((count,),) = fetch_rows(
        f"SELECT COUNT(*) FROM {validations} v JOIN {prompts} p ON p.id = v.prompt_id"
        " WHERE v.validator_id = %s AND p.challenge_id = %s",
        [validator.pk, challenge.pk],
    )
    return count


def validate_prompt(
    *,
    challenge: Challenge,
    prompt_id: int,
    validator,
    well_designed: bool,
    culturally_anchored: bool,
    keep_chosen: bool | None = None,
    improved_answer: str = "",
    now: dt.datetime | None = None,
) -> PromptValidation:
    """A person validates a prompt of another team (never their own, nor their team's) once.

    The validation approves when the prompt is well designed and culturally anchored. When the
    prompt has a vote that chose an answer, the validator says whether they would keep it, and
    may write a better one. After the challenge's number of approvals the prompt is validated
    (it counts); after its number of rejections it is rejected (``peer_validation.count_vote``). Either way it leaves the queue,
    the decision is recorded (by nobody: the peers decided) and scoring is told.
    """
    ensure_window_open(challenge=challenge, user=validator, now=now)
    improved_answer = (improved_answer or "").strip()
    if len(improved_answer) > IMPROVED_ANSWER_MAX_LENGTH:
        raise ContributionRefused(
            _("The improved answer has at most %(limit)s characters.")
            % {"limit": IMPROVED_ANSWER_MAX_LENGTH}
        )
    if contains_html(improved_answer):
        raise ContributionRefused(_("HTML is not allowed here; send plain text."))
    with transaction.atomic():
        prompt = (
            Prompt.objects.select_for_update().filter(challenge=challenge, pk=prompt_id).first()
        )
        if prompt is None:
            raise ContributionRefused(_("This prompt does not exist."))
        ensure_independent(
            peer=PEER_VALIDATION,
            author_id=prompt.author_id,
            validator=validator,
            edition_id=challenge.edition_id,
        )
        if prompt.status != ContributionStatus.PENDING:
            raise ContributionRefused(_("This prompt has already been decided."))
        if PromptValidation.objects.filter(prompt=prompt, validator=validator).exists():
            raise ContributionRefused(_("You have already validated this prompt."))
        vote = latest_decisive_vote(prompt=prompt)
        if vote is None:
            keep_chosen = None
        elif keep_chosen is None:
            raise ContributionRefused(_("Say whether you would keep the chosen answer."))
        approves = bool(well_designed and culturally_anchored)
        try:
            with transaction.atomic():
                validation = PromptValidation.objects.create(
                    prompt=prompt,
                    validator=validator,
                    vote=vote,
                    well_designed=bool(well_designed),
                    culturally_anchored=bool(culturally_anchored),
                    keep_chosen=keep_chosen,
                    improved_answer=improved_answer,
                    approves=approves,
                )
        except IntegrityError as error:
            raise ContributionRefused(_("You have already validated this prompt.")) from error
        count_vote(
            challenge=challenge, peer=PEER_VALIDATION, item=prompt, approve=approves, now=now
        )
    release_item(model=Prompt, item_id=prompt.pk, validator_id=validator.pk)
    return validation


def _describe_rejection(*, prompt: Prompt) -> str:
    """Why peers rejected a prompt, in numbers, for its author."""
    counts = prompt.validations.filter(approves=False, voided_at__isnull=True).aggregate(
        not_designed=Count("pk", filter=Q(well_designed=False)),
        not_anchored=Count("pk", filter=Q(culturally_anchored=False)),
    )
    return (
        _(
            "Rejected by validators of other teams: %(not_designed)s found it not well designed, "
            "%(not_anchored)s not culturally anchored."
        )
        % counts
    )
