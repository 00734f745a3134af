"""Judging at scale: the edition's judges and their invitations, conflicts of interest, the
judges assigned to each team per challenge, and each judged challenge's judging settings."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_invitation_token() -> str:
    return secrets.token_urlsafe(32)


class JudgeInvitation(models.Model):
    """An organizer invited someone to judge the edition: the link carries the token; following
    it creates or links the account and verifies the address."""

    edition = models.ForeignKey(
        "challenges.Edition", on_delete=models.CASCADE, related_name="+", verbose_name=_("edition")
    )
    email = models.EmailField(_("email address"))
    token = models.CharField(
        max_length=64, unique=True, default=new_invitation_token, editable=False
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("invited by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("accepted by"),
    )  # fmt: skip
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("judge invitation")
        verbose_name_plural = _("judge invitations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.email


class EditionJudge(models.Model):
    """Someone judges the edition, taking at most ``capacity`` teams in each judged challenge."""

    edition = models.ForeignKey(
        "challenges.Edition", on_delete=models.CASCADE, related_name="+", verbose_name=_("edition")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="judge_seats",
        verbose_name=_("judge"),
    )  # fmt: skip
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text=_("At most this many teams in each judged challenge."),
    )
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("judge of the edition")
        verbose_name_plural = _("judges of the edition")
        constraints = [
            models.UniqueConstraint(fields=["edition", "user"], name="one_seat_per_judge_edition")
        ]

    def __str__(self) -> str:
        return str(self.user)


class Conflict(models.Model):
    """A conflict of interest declared by a judge or by the organizers: never assigned."""

    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("judge"),
    )
    team = models.ForeignKey(
        "teams.Team", on_delete=models.CASCADE, related_name="+", verbose_name=_("team")
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("declared by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("declared"), auto_now_add=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(fields=["judge", "team"], name="one_conflict_per_judge_team")
        ]

    def __str__(self) -> str:
        return f"{self.judge} × {self.team}"


class Assignment(models.Model):
    """A judge marks a team in a challenge."""

    class Source(models.TextChoices):
        AUTOMATIC = "automatic", _("automatic")
        MANUAL = "manual", _("by hand")

    challenge = models.ForeignKey(
        "challenges.Challenge", on_delete=models.CASCADE, related_name="+",
        verbose_name=_("challenge"),
    )  # fmt: skip
    team = models.ForeignKey(
        "teams.Team", on_delete=models.CASCADE, related_name="+", verbose_name=_("team")
    )
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("judge"),
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.AUTOMATIC
    )
    created_at = models.DateTimeField(_("assigned"), auto_now_add=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "team", "judge"], name="one_assignment_per_judge_team"
            )
        ]
        indexes = [models.Index(fields=["challenge", "judge"], name="assignment_judge_idx")]

    def __str__(self) -> str:
        return f"{self.judge} → {self.team}"


class JudgingSettings(models.Model):
    """How a judged challenge is judged: judges per team, blind or not, the same-country rule."""

    challenge = models.OneToOneField(
        "challenges.Challenge", on_delete=models.CASCADE, related_name="judging_settings",
        verbose_name=_("challenge"),
    )  # fmt: skip
    per_team = models.PositiveSmallIntegerField(
        _("judges per team"), default=3, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    blind = models.BooleanField(
        _("blind judging"),
        default=False,
        help_text=_("Judges see a code instead of the team's name and members."),
    )
    same_country_conflict = models.BooleanField(
        _("same country is a conflict"),
        default=False,
        help_text=_("Judges are not assigned teams from their own country."),
    )

    class Meta:
        verbose_name = _("judging settings")
        verbose_name_plural = _("judging settings")

    def __str__(self) -> str:
        return str(self.challenge)
