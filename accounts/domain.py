"""Rules about participants: their profile, their consent and their 'before you start' list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Consent, Profile, User
from accounts.roles import ORGANIZERS, ensure_role_groups
from accounts.validators import HUB_USERNAME_PATTERN

if TYPE_CHECKING:
    from challenges.models import Edition

StepState = Literal["done", "pending", "pending_verification"]


@dataclass(frozen=True)
class ChecklistStep:
    key: str
    label: Promise
    state: StepState
    hint: Promise | str = ""


def has_consented(*, user: User, edition: Edition) -> bool:
    """A person has consented when they accepted the edition's current consent version."""
    return Consent.objects.filter(
        user=user, edition=edition, version=edition.consent_version
    ).exists()


def update_profile(
    *, user: User, edition: Edition | None, values: dict[str, Any], accept_consent: bool
) -> Profile:
    """Save the participant's profile; accepting records the edition's consent version and time.

    Accepting the same version twice keeps the first acceptance time.
    """
    with transaction.atomic():
        profile, _created = Profile.objects.select_for_update().get_or_create(
            user=user, defaults={"display_name": values.get("display_name", "")}
        )
        for field, value in values.items():
            setattr(profile, field, value)
        profile.save()
        if accept_consent and edition is not None:
            Consent.objects.get_or_create(
                user=user, edition=edition, version=edition.consent_version
            )
    return profile


def fill_hub_username(*, user: User, hub_username: str) -> bool:
    """After signing in with Hugging Face, the profile takes the Hub username it came with.

    A username already on the profile, one that breaks the Hub's rules, or one claimed by
    someone else is left alone. Returns whether the profile changed.
    """
    if not hub_username or not HUB_USERNAME_PATTERN.fullmatch(hub_username):
        return False
    try:
        with transaction.atomic():
            profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
            if profile.hub_username:
                return False
            if not profile.display_name:
                profile.display_name = hub_username
            profile.hub_username = hub_username
            profile.save()
    except IntegrityError:
        return False
    return True


def mark_hub_membership_verified(*, profile: Profile) -> None:
    """The Hub sync saw this person among the organization's members."""
    if profile.hub_membership_verified_at is None:
        profile.hub_membership_verified_at = timezone.now()
        profile.save(update_fields=["hub_membership_verified_at", "updated_at"])


def build_checklist(
    *, user: User, edition: Edition, membership=None, consented: bool
) -> list[ChecklistStep]:
    """The steps of the edition's 'before you start' list, each done or pending.

    Discord and Hub accounts count as done once the person gave their names; the registration
    form once the profile is complete and the current consent accepted; the organization once
    the Hub sync verified it (until then: pending verification); the team once they belong to
    one, and its registration once a member registered it.
    """
    profile = getattr(user, "profile", None)
    discord = bool(profile and profile.discord_username)
    hub = bool(profile and profile.hub_username)
    complete = bool(
        profile
        and profile.display_name
        and discord
        and hub
        and profile.country
        and profile.languages
        and consented
    )
    if profile and profile.hub_membership_verified_at:
        organization: StepState = "done"
    elif hub:
        organization = "pending_verification"
    else:
        organization = "pending"
    team = membership.team if membership else None
    return [
        ChecklistStep("discord", _("Join the community Discord"), "done" if discord else "pending"),
        ChecklistStep(
            "hub_account", _("Create a Hugging Face account"), "done" if hub else "pending"
        ),
        ChecklistStep(
            "registration", _("Fill in the registration form"), "done" if complete else "pending"
        ),
        ChecklistStep(
            "hub_organization",
            _("Join the edition's Hugging Face organization"),
            organization,
            _("The Hub sync verifies it by your Hugging Face username.")
            if organization != "done"
            else "",
        ),
        ChecklistStep("team", _("Create or join a team"), "done" if team else "pending"),
        ChecklistStep(
            "team_registered",
            _("One member registers the team"),
            "done" if team and team.registered_at else "pending",
        ),
    ]


def make_organizer(*, email: str, password: str, keep_password: bool = False) -> tuple[User, bool]:
    """Create or update an organizer: in the organizers group, allowed into the admin, with a
    verified primary email so that they can sign in at once."""
    ensure_role_groups()
    email = email.strip().lower()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        created = user is None
        if created:
            user = User.objects.create_user(email=email, password=password)
        elif not keep_password:
            user.set_password(password)
        user.is_staff = True
        user.save()
        user.groups.add(Group.objects.get(name=ORGANIZERS))
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        Profile.objects.get_or_create(user=user, defaults={"display_name": "Organizer"})
    return user, created
