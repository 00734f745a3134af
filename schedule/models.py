"""The edition's calendar: events organizers add (talks, office hours, deadlines), and each
team's secret address of its own calendar feed."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from challenges.models import Edition, pick_translation


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class Event(models.Model):
    class Kind(models.TextChoices):
        TALK = "talk", _("Talk")
        OFFICE_HOURS = "office_hours", _("Office hours")
        DEADLINE = "deadline", _("Deadline")
        OTHER = "other", _("Other")

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="events", verbose_name=_("edition")
    )
    # The event's identity in every calendar that subscribed: never changes once created.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TALK)
    title_es = models.CharField(_("title (Spanish)"), max_length=200)
    title_pt = models.CharField(_("title (Portuguese)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    description_pt = models.TextField(_("description (Portuguese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(
        _("ends"), null=True, blank=True, help_text=_("Empty for a moment, such as a deadline.")
    )
    url = models.URLField(_("link"), blank=True, help_text=_("Where to join or read more."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Changes each time the event is edited, so that calendars take the new version.
    sequence = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="event_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.title_es

    @property
    def title(self) -> str:
        return pick_translation(self, "title")

    @property
    def description(self) -> str:
        return pick_translation(self, "description")


class TeamFeed(models.Model):
    """The secret address of a team's own calendar (its extensions included): whoever has it
    reads it, so its members can regenerate it, which makes the old address stop working."""

    team = models.OneToOneField(
        "teams.Team", on_delete=models.CASCADE, related_name="calendar_feed", verbose_name=_("team")
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now=True)

    class Meta:
        verbose_name = _("team calendar feed")
        verbose_name_plural = _("team calendar feeds")

    def __str__(self) -> str:
        return str(self.team)
