"""People: the account (email login), the participant profile and consents."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from accounts.validators import validate_hub_username


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """An account; people sign in with their email address."""

    email = models.EmailField(_("email address"), unique=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="unique_user_email_ci",
                violation_error_message=_("An account with this email address already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def display_name(self) -> str:
        profile = getattr(self, "profile", None)
        if profile and profile.display_name:
            return profile.display_name
        # No profile yet: the first word of the email's local part ("ana.quispe@…" is "Ana"),
        # never the rest of the address nor a database id.
        first = re.split(r"[^\w]|\d|_", self.email.partition("@")[0], maxsplit=1)[0]
        if len(first) >= 2:
            return _("%(name)s (no profile yet)") % {"name": first.capitalize()}
        return _("A participant without a profile")


class Profile(models.Model):
    """What a participant tells the organizers about themselves: the registration form."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("user"),
    )
    display_name = models.CharField(
        _("display name"), max_length=80, help_text=_("Shown publicly on your team's page.")
    )
    discord_username = models.CharField(_("Discord username"), max_length=40, blank=True)
    hub_username = models.CharField(
        _("Hugging Face username"), max_length=42, blank=True, validators=[validate_hub_username]
    )
    country = CountryField(_("country"), blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    arena_identity = models.CharField(
        _("arena identity"),
        max_length=80,
        blank=True,
        help_text=_(
            "The name or identifier the LLM arena records for your votes, to credit them to you."
        ),
    )
    hub_membership_verified_at = models.DateTimeField(
        _("Hub organization membership verified"), null=True, blank=True
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("participant profile")
        verbose_name_plural = _("participant profiles")
        constraints = [
            models.UniqueConstraint(
                Lower("arena_identity"),
                condition=~models.Q(arena_identity=""),
                name="unique_profile_arena_identity_ci",
                violation_error_message=_(
                    "This arena identity is already declared by another participant."
                ),
            ),
            models.UniqueConstraint(
                Lower("hub_username"),
                condition=~models.Q(hub_username=""),
                name="unique_profile_hub_username_ci",
                violation_error_message=_(
                    "This Hugging Face username is already used by another participant."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or str(self.user)


class Consent(models.Model):
    """A person accepted one version of an edition's consent text, at a moment."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="consents",
        verbose_name=_("user"),
    )
    edition = models.ForeignKey(
        "challenges.Edition",
        on_delete=models.CASCADE,
        related_name="consents",
        verbose_name=_("edition"),
    )
    version = models.CharField(_("consent text version"), max_length=40)
    accepted_at = models.DateTimeField(_("accepted"), default=timezone.now)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "edition", "version"], name="unique_consent_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.edition} · {self.version}"
