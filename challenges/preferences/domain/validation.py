"""Cross-team validation: people of other teams approve or reject each prompt."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges.domain import (
    ContributionRefused,
    announce_change,
    ensure_window_open,
    item_type_of,
)
from challenges.models import Challenge, ContributionStatus, ReviewDecision
from challenges.preferences.models import (
    Prompt,
    PromptValidation,
)
from challenges.uploads import (
    contains_html,
)
from teams.models import Membership

from .arena import latest_decisive_vote

IMPROVED_ANSWER_MAX_LENGTH = 8000


def get_team_id(*, user, challenge: Challenge) -> int | None:
    """The team the person is in for the challenge's edition (one at most), if any."""
    return (
        Membership.objects.filter(user=user, edition_id=challenge.edition_id)
        .values_list("team_id", flat=True)
        .first()
    )


def next_prompt_to_validate(
    *, challenge: Challenge, validator, after_id: int | None = None
) -> Prompt | None:
    """The next pending prompt this person may validate: not theirs, not of their team's
    current members, not validated by them already; oldest first, or the first after
    ``after_id`` (to skip one), coming back to the start at the end.

    Two queries whatever the data size: the person's team, then one index-backed scan of the
    pending prompts with anti-joins on the validations and the team's memberships.
    """
    team_id = get_team_id(user=validator, challenge=challenge)
    candidates = (
        Prompt.objects.filter(challenge=challenge, status=ContributionStatus.PENDING)
        .exclude(author=validator)
        .filter(
            ~Exists(PromptValidation.objects.filter(prompt_id=OuterRef("pk"), validator=validator))
        )
        .order_by("pk")
    )
    if team_id is not None:
        candidates = candidates.filter(
            ~Exists(
                Membership.objects.filter(
                    user_id=OuterRef("author_id"), edition_id=challenge.edition_id, team_id=team_id
                )
            )
        )
    if after_id:
        following = candidates.filter(pk__gt=after_id).first()
        if following is not None:
            return following
    return candidates.first()


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
    may write a better one. After the edition's number of approvals the prompt is validated
    (it counts); after its number of rejections it is rejected. Either way it leaves the queue,
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
    team_id = get_team_id(user=validator, challenge=challenge)
    edition = challenge.edition
    with transaction.atomic():
        prompt = (
            Prompt.objects.select_for_update().filter(challenge=challenge, pk=prompt_id).first()
        )
        if prompt is None:
            raise ContributionRefused(_("This prompt does not exist."))
        if prompt.author_id == validator.pk:
            raise ContributionRefused(_("You cannot validate your own prompts."))
        if (
            team_id is not None
            and Membership.objects.filter(team_id=team_id, user_id=prompt.author_id).exists()
        ):
            raise ContributionRefused(_("You cannot validate prompts of your own team."))
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
        if approves:
            prompt.approvals += 1
        else:
            prompt.rejections += 1
        fields = ["approvals", "rejections", "updated_at"]
        decided = None
        if prompt.approvals >= edition.approvals_to_validate:
            decided = ContributionStatus.VALIDATED
            prompt.decision_reason = ""
        elif prompt.rejections >= edition.rejections_to_reject:
            decided = ContributionStatus.REJECTED
            prompt.decision_reason = _describe_rejection(prompt=prompt)
        if decided:
            prompt.status = decided
            prompt.decided_at = now or timezone.now()
            fields += ["status", "decision_reason", "decided_at"]
        prompt.save(update_fields=fields)
        if decided:
            ReviewDecision.objects.create(
                challenge=challenge,
                item_type=item_type_of(Prompt),
                item_id=prompt.pk,
                status=decided,
                reason=prompt.decision_reason,
                decided_by=None,
            )
            announce_change(challenge=challenge, author_ids=[prompt.author_id])
    return validation


def _describe_rejection(*, prompt: Prompt) -> str:
    """Why peers rejected a prompt, in numbers, for its author."""
    counts = prompt.validations.filter(approves=False).aggregate(
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
