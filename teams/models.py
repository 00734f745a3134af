"""Teams of an edition, who belongs to them, and the record of every membership change."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from challenges.text import fingerprint


def new_invite_token() -> str:
    return secrets.token_urlsafe(24)


def team_name_key(name: str) -> str:
    """What makes two team names the same: equal once folded (case, accents, spacing, quotes
    and invisible characters aside), as a digest."""
    return fingerprint(name)


class TeamQuerySet(models.QuerySet):
    def with_members(self):
        """Teams with their members and profiles in two more queries, whatever their number."""
        return self.annotate(member_count=Count("memberships")).prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("user__profile").order_by(
                    "joined_at", "id"
                ),
            )
        )


class Team(models.Model):
    class Track(models.TextChoices):
        A = "A", _("A: text LLM alignment")
        B = "B", _("B: multimodal alignment")

    edition = models.ForeignKey(
        "challenges.Edition",
        on_delete=models.CASCADE,
        related_name="teams",
        verbose_name=_("edition"),
    )
    name = models.CharField(_("team name"), max_length=60)
    # team_name_key(name), kept by save(): unique in the edition. Empty for a team whose name
    # already meant another team's when the key was introduced (migration teams 0002).
    name_key = models.CharField(_("name key"), max_length=64, blank=True, editable=False)
    countries = CountryField(_("countries represented"), multiple=True, blank=True)
    project_idea = models.TextField(_("project idea"), max_length=2000, blank=True)
    track = models.CharField(_("alignment track"), max_length=1, choices=Track.choices, blank=True)
    invite_token = models.CharField(
        _("invitation token"), max_length=64, unique=True, default=new_invite_token, editable=False
    )
    registered_at = models.DateTimeField(_("registered"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "edition",
                name="unique_team_name_per_edition_ci",
                violation_error_message=_("A team with this name already exists in this edition."),
            ),
            models.UniqueConstraint(
                fields=["edition", "name_key"],
                condition=~Q(name_key=""),
                name="unique_team_name_key_per_edition",
                violation_error_message=_("A team with this name already exists in this edition."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.name_key = team_name_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        # Before the constraints are validated (admin forms), so that the key is the name's.
        super().clean()
        self.name_key = team_name_key(self.name)

    @property
    def is_registered(self) -> bool:
        return self.registered_at is not None


class Membership(models.Model):
    """A person in a team. The edition is repeated here so the database can enforce one team
    per person per edition."""

    class Role(models.TextChoices):
        CAPTAIN = "captain", _("Captain")
        MEMBER = "member", _("Member")

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("team")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("person"),
    )
    edition = models.ForeignKey(
        "challenges.Edition", on_delete=models.CASCADE, related_name="+", verbose_name=_("edition")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "edition"],
                name="one_team_per_person_per_edition",
                violation_error_message=_("This person is already in a team of this edition."),
            ),
            models.UniqueConstraint(
                fields=["team"],
                condition=Q(role="captain"),
                name="one_captain_per_team",
                violation_error_message=_("A team has exactly one captain."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.team}"

    @property
    def is_captain(self) -> bool:
        return self.role == self.Role.CAPTAIN


class TeamEvent(models.Model):
    """Something that changed a team: kept after the team is gone, with its name."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Team created")
        JOINED = "joined", _("Joined")
        LEFT = "left", _("Left")
        REMOVED = "removed", _("Removed by the captain")
        CAPTAIN_CHANGED = "captain_changed", _("Captaincy handed over")
        INVITE_REGENERATED = "invite_regenerated", _("Invitation link regenerated")
        REGISTERED = "registered", _("Team registered")
        UPDATED = "updated", _("Team details edited")
        DISSOLVED = "dissolved", _("Team dissolved")

    edition = models.ForeignKey(
        "challenges.Edition",
        on_delete=models.CASCADE,
        related_name="team_events",
        verbose_name=_("edition"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("team"),
    )
    team_name = models.CharField(_("team name"), max_length=60)
    kind = models.CharField(_("what happened"), max_length=30, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person concerned"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("team event")
        verbose_name_plural = _("team events")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.team_name}: {self.get_kind_display()}"
