"""Announcements organizers post to everyone: on the site, in an Atom feed, on Discord."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges.models import Edition, pick_translation


class Announcement(models.Model):
    """One announcement, in es/pt/en, its body in Markdown (rendered and sanitized on display),
    and where its one post to the Discord channel stands."""

    class DiscordState(models.TextChoices):
        # No webhook was configured when it was posted: it never goes to Discord.
        NOT_SENT = "not_sent", _("not sent")
        QUEUED = "queued", _("queued")
        # The request to Discord is under way: never sent again (it may have arrived).
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    edition = models.ForeignKey(
        Edition,
        on_delete=models.CASCADE,
        related_name="announcements",
        verbose_name=_("edition"),
    )
    title_es = models.CharField(_("title (Spanish)"), max_length=200)
    title_pt = models.CharField(_("title (Portuguese)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body_es = models.TextField(_("text (Spanish)"), help_text=_("Markdown."))
    body_pt = models.TextField(_("text (Portuguese)"), blank=True, help_text=_("Markdown."))
    body_en = models.TextField(_("text (English)"), blank=True, help_text=_("Markdown."))
    published_at = models.DateTimeField(_("published"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("posted by"),
    )
    discord_state = models.CharField(
        _("Discord"), max_length=10, choices=DiscordState.choices, default=DiscordState.NOT_SENT
    )
    discord_attempts = models.PositiveSmallIntegerField(_("Discord attempts"), default=0)
    discord_error = models.CharField(_("Discord error"), max_length=500, blank=True)
    discord_sent_at = models.DateTimeField(_("sent to Discord"), null=True, blank=True)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title_es

    @property
    def title(self) -> str:
        return pick_translation(self, "title")

    @property
    def body(self) -> str:
        return pick_translation(self, "body")
