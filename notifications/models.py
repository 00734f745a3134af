"""What people are told: notifications in the site, the emails that carry them (the outbox),
the organizers' messages to segments, and each person's email preferences."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    DECISION = "decision", _("A contribution was decided")
    MEMBERSHIP = "membership", _("A member joined or left the team")
    CAPTAINCY = "captaincy", _("Captaincy handed over")
    EXTENSION = "extension", _("A window was extended")
    GRANT = "grant", _("Credits or a GPU granted")
    JUDGED_POINTS = "judged_points", _("Judged points published")
    PROJECT_INCOMPLETE = "project_incomplete", _("The team's project is incomplete")
    WINDOW_CLOSING = "window_closing", _("A window closes with drafts unsent")
    MESSAGE = "message", _("A message from the organizers")
    JUDGING_REMINDER = "judging_reminder", _("Teams wait for the judge's marks")


# These always reach the person by email: nobody can turn them off (account emails are
# allauth's, sent outside this app).
ESSENTIAL_KINDS = frozenset({Kind.DECISION})


class Notification(models.Model):
    """One event, told to one person; shown in the site, and carried by one email."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    # What the text needs (names, counts, a reason), rendered in the reader's language.
    params = models.JSONField(_("details"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    # Periodic reminders say the same thing once: one per person and key.
    dedupe_key = models.CharField(_("once key"), max_length=200, blank=True)
    email = models.ForeignKey(
        "notifications.Email",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("email"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="one_notification_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()}"


class KindPolicy(models.Model):
    """Per kind of notification, whether its emails go at once or wait in the outbox."""

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, unique=True)
    hold = models.BooleanField(_("hold for review"), default=False)

    class Meta:
        verbose_name = _("notification policy")
        verbose_name_plural = _("notification policies")

    def __str__(self) -> str:
        return self.get_kind_display()


class Campaign(models.Model):
    """An email organizers write to a segment of people, in the three languages."""

    class Segment(models.TextChoices):
        EVERYONE = "everyone", _("Everyone in the edition")
        WITHOUT_PROJECT = "without_project", _("Teams without a project")
        COUNTRY = "country", _("People of a country")
        CONTRIBUTORS = "contributors", _("A challenge's contributors")
        MISSING_GATE = "missing_gate", _("Teams missing the credits gate")
        JUDGES = "judges", _("Judges")

    edition = models.ForeignKey(
        "challenges.Edition", on_delete=models.CASCADE, related_name="+", verbose_name=_("edition")
    )
    segment = models.CharField(_("segment"), max_length=20, choices=Segment.choices)
    country = models.CharField(_("country"), max_length=2, blank=True)
    challenge = models.ForeignKey(
        "challenges.Challenge",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("challenge"),
    )
    subject_es = models.CharField(_("subject (Spanish)"), max_length=200)
    subject_pt = models.CharField(_("subject (Portuguese)"), max_length=200)
    subject_en = models.CharField(_("subject (English)"), max_length=200)
    body_es = models.TextField(_("message (Spanish)"), max_length=20000)
    body_pt = models.TextField(_("message (Portuguese)"), max_length=20000)
    body_en = models.TextField(_("message (English)"), max_length=20000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organizers' message")
        verbose_name_plural = _("organizers' messages")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject_en


class Email(models.Model):
    """One email to one person, in their language: collecting the events of a kind for a
    moment, then held for review (draft) or queued, then sending, sent or failed."""

    class State(models.TextChoices):
        COLLECTING = "collecting", _("Collecting events")
        DRAFT = "draft", _("Held for review")
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("organizers' message"),
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.COLLECTING
    )
    language = models.CharField(_("language"), max_length=8)
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("message"), max_length=50000, blank=True)
    # Organizers edited the text: it is sent as they left it.
    edited = models.BooleanField(_("edited"), default=False)
    release_at = models.DateTimeField(_("collect until"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "release_at"], name="email_state_release")]

    def __str__(self) -> str:
        return f"{self.to} · {self.subject}"


class EmailSettings(models.Model):
    """A person's choices: the language of their emails and the kinds not sent to them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="email_settings",
        verbose_name=_("person"),
    )
    language = models.CharField(_("language of emails"), max_length=8, blank=True)
    muted = models.JSONField(_("kinds not sent by email"), default=list, blank=True)

    class Meta:
        verbose_name = _("email preferences")
        verbose_name_plural = _("email preferences")

    def __str__(self) -> str:
        return str(self.user)
