"""The edition's judges: invitations by email, accepting one, capacities, removing a judge."""

from __future__ import annotations

from collections.abc import Callable

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Profile
from accounts.roles import JUDGES, ensure_role_groups
from challenges.models import Edition
from hackathon.errors import RuleRefused
from judging.models import Assignment, EditionJudge, JudgeInvitation
from scoring.models import JudgeReview


class InvitationRefused(RuleRefused):
    """An invitation could not be sent or accepted."""


def invite_judge(
    *, edition: Edition, email: str, by, link_for: Callable[[str], str]
) -> JudgeInvitation:
    """An organizer invites someone to judge the edition: an email with a link of its own
    (``link_for(token)``). Inviting again a pending address sends the same link again; a
    judge of the edition already is not invited."""
    email = email.strip().lower()
    if not email:
        raise InvitationRefused(_("Give the judge's email address."))
    if EditionJudge.objects.filter(edition=edition, user__email__iexact=email).exists():
        raise InvitationRefused(_("%(email)s already judges this edition.") % {"email": email})
    with transaction.atomic():
        invitation = JudgeInvitation.objects.filter(
            edition=edition, email=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).first() or JudgeInvitation.objects.create(edition=edition, email=email, invited_by=by)
        link = link_for(invitation.token)
        transaction.on_commit(
            lambda: send_mail(
                subject=_("You are invited to judge %(edition)s") % {"edition": edition.name},
                message=_(
                    "The organizers of %(edition)s invite you to judge the teams' projects.\n\n"
                    "Accept the invitation here (the link is yours alone):\n%(link)s\n"
                )
                % {"edition": edition.name, "link": link},
                from_email=None,
                recipient_list=[email],
            )
        )
    return invitation


def find_invitation(*, token: str) -> JudgeInvitation | None:
    """The pending invitation with this token (None when unknown, accepted or revoked)."""
    return (
        JudgeInvitation.objects.filter(
            token=token, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("edition")
        .first()
    )


def account_exists(*, email: str) -> bool:
    return get_user_model().objects.filter(email__iexact=email).exists()


def accept_invitation(
    *, invitation: JudgeInvitation, user=None, password: str = "", display_name: str = ""
):
    """Following the link makes its owner a judge of the edition: the signed-in person, or
    the account with the invited address, or a new account with that address and the
    password given. The invited address is verified by the link itself (the token reached
    that mailbox), so the judge is never stopped at email verification. Returns the judge."""
    users = get_user_model()
    with transaction.atomic():
        invitation = JudgeInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at or invitation.revoked_at:
            raise InvitationRefused(_("This invitation was already used or withdrawn."))
        if user is None or not user.is_authenticated:
            user = users.objects.filter(email__iexact=invitation.email).first()
            if user is None:
                try:
                    validate_password(password)
                except ValidationError as error:
                    raise InvitationRefused(" ".join(error.messages)) from error
                if not display_name.strip():
                    raise InvitationRefused(_("Give the name shown to the organizers."))
                user = users.objects.create_user(email=invitation.email, password=password)
                Profile.objects.create(user=user, display_name=display_name.strip()[:80])
        address = EmailAddress.objects.filter(user=user, email__iexact=invitation.email).first()
        if address is None and user.email.lower() == invitation.email:
            address = EmailAddress(user=user, email=user.email, primary=True)
        if address is not None and not address.verified:
            address.verified = True
            address.save()
        ensure_role_groups()
        user.groups.add(Group.objects.get(name=JUDGES))
        EditionJudge.objects.get_or_create(edition=invitation.edition, user=user)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


def set_capacity(*, edition: Edition, user, capacity: int) -> EditionJudge:
    if not 1 <= capacity <= 500:
        raise InvitationRefused(_("A capacity goes from 1 to 500 teams."))
    seat = EditionJudge.objects.filter(edition=edition, user=user).first()
    if seat is None:
        raise InvitationRefused(_("This person does not judge the edition."))
    seat.capacity = capacity
    seat.save(update_fields=["capacity"])
    return seat


def withdraw_invitation(*, invitation: JudgeInvitation) -> None:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])


def remove_judge(*, edition: Edition, user) -> int:
    """An organizer removes a judge from the edition: their assignments without submitted
    marks go (submitted marks stay, and count), and they leave the judges' group unless
    they judge another edition. Returns how many assignments were removed."""
    with transaction.atomic():
        deleted, _details = EditionJudge.objects.filter(edition=edition, user=user).delete()
        if not deleted:
            raise InvitationRefused(_("This person does not judge the edition."))
        submitted = set(
            JudgeReview.objects.filter(
                challenge__edition=edition, judge=user, submitted_at__isnull=False
            ).values_list("challenge_id", "team_id")
        )
        removable = [
            pk
            for pk, challenge_id, team_id in Assignment.objects.filter(
                challenge__edition=edition, judge=user
            ).values_list("pk", "challenge_id", "team_id")
            if (challenge_id, team_id) not in submitted
        ]
        Assignment.objects.filter(pk__in=removable).delete()
        if not EditionJudge.objects.filter(user=user).exists():
            user.groups.remove(*Group.objects.filter(name=JUDGES))
    return len(removable)
