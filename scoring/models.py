"""Stored scores: each team's points per challenge, every change with its cause, and judging."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from challenges.models import Challenge, pick_translation

POINTS = {"max_digits": 7, "decimal_places": 3}


class TeamScore(models.Model):
    """A team's points in one challenge, as last computed: the count used and the points."""

    team = models.ForeignKey(
        "teams.Team", on_delete=models.CASCADE, related_name="scores", verbose_name=_("team")
    )
    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="+", verbose_name=_("challenge")
    )
    counted = models.PositiveIntegerField(_("counted contributions"), default=0)
    automatic_points = models.DecimalField(_("automatic points"), default=Decimal("0"), **POINTS)
    judged_points = models.DecimalField(_("judged points"), null=True, blank=True, **POINTS)
    points = models.DecimalField(
        _("points"),
        default=Decimal("0"),
        help_text=_("Capped at the challenge's maximum."),
        **POINTS,
    )
    public_points = models.DecimalField(
        _("public points"),
        default=Decimal("0"),
        help_text=_("Without judged points until they are published."),
        **POINTS,
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("team score")
        verbose_name_plural = _("team scores")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "challenge"], name="one_score_per_team_and_challenge"
            )
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.challenge.record_label}: {self.points}"


class ScoreChange(models.Model):
    """A team's points in a challenge changed: from, to, and why."""

    class Cause(models.TextChoices):
        CONTRIBUTIONS = "contributions", _("Contributions decided")
        MEMBERSHIP = "membership", _("Team members changed")
        RULES = "rules", _("Scoring rules changed")
        JUDGING = "judging", _("Judges' marks changed")
        OVERRIDE = "override", _("Adjusted by the organizers")
        RECOMPUTE = "recompute", _("Full recomputation")

    team = models.ForeignKey(
        "teams.Team", on_delete=models.CASCADE, related_name="score_changes", verbose_name=_("team")
    )
    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="+", verbose_name=_("challenge")
    )
    old_counted = models.PositiveIntegerField(_("old count"))
    new_counted = models.PositiveIntegerField(_("new count"))
    old_points = models.DecimalField(_("old points"), **POINTS)
    new_points = models.DecimalField(_("new points"), **POINTS)
    # The automatic part before and after: what participants see of a change while the
    # judged points are held back (``scoring.disclosure``).
    old_automatic = models.DecimalField(_("old automatic points"), default=Decimal("0"), **POINTS)
    new_automatic = models.DecimalField(_("new automatic points"), default=Decimal("0"), **POINTS)
    cause = models.CharField(_("cause"), max_length=20, choices=Cause.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("score change")
        verbose_name_plural = _("score changes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "-created_at"], name="score_change_team_idx")]

    def __str__(self) -> str:
        return f"{self.team}: {self.old_points} → {self.new_points} ({self.cause})"


class RecomputeRun(models.Model):
    """One recompute of every team of an edition, asked for by a rule change and run by the
    worker: its state, progress and how many score changes it recorded."""

    class State(models.TextChoices):
        # A recompute, not a sync: Spanish and Portuguese agree with its gender.
        QUEUED = "queued", pgettext_lazy("score recompute", "queued")
        RUNNING = "running", pgettext_lazy("score recompute", "running")
        DONE = "done", pgettext_lazy("score recompute", "done")
        FAILED = "failed", pgettext_lazy("score recompute", "failed")

    edition = models.ForeignKey(
        "challenges.Edition",
        on_delete=models.CASCADE,
        related_name="recompute_runs",
        verbose_name=_("edition"),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    # What the recorded score changes say: why they happened and, for rules, which fields.
    cause = models.CharField(_("cause"), max_length=20, choices=ScoreChange.Cause.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    teams_total = models.PositiveIntegerField(_("teams"), default=0)
    teams_done = models.PositiveIntegerField(_("teams recomputed"), default=0)
    changes = models.PositiveIntegerField(_("score changes"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("score recompute")
        verbose_name_plural = _("score recomputes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.edition_id} {self.created_at:%Y-%m-%d %H:%M} {self.state}"

    @property
    def is_active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)


class Criterion(models.Model):
    """One thing judges mark in a challenge (0 to its scale, 10 at most), with its weight in the
    challenge's rubric, guidance for the judges, and whether a mark is required."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("challenge")
    )
    label_es = models.CharField(_("label (Spanish)"), max_length=200)
    label_pt = models.CharField(_("label (Portuguese)"), max_length=200, blank=True)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    guidance_es = models.TextField(_("guidance (Spanish)"), max_length=2000, blank=True)
    guidance_pt = models.TextField(_("guidance (Portuguese)"), max_length=2000, blank=True)
    guidance_en = models.TextField(_("guidance (English)"), max_length=2000, blank=True)
    scale = models.PositiveSmallIntegerField(
        _("scale"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("Marks go from 0 to this number."),
    )
    required = models.BooleanField(_("required"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["challenge", "position", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return pick_translation(self, "label")

    @property
    def guidance(self) -> str:
        return pick_translation(self, "guidance")


class JudgeReview(models.Model):
    """One judge's marks for one team's project in one challenge."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="+", verbose_name=_("challenge")
    )
    team = models.ForeignKey(
        "teams.Team", on_delete=models.CASCADE, related_name="judge_reviews", verbose_name=_("team")
    )
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("judge"),
    )
    comment = models.TextField(_("comment"), max_length=4000, blank=True)
    # A draft the judge's page autosaves: {criterion id: mark as text}, and the comment above.
    # Only submitted marks (``CriterionMark``) count.
    draft = models.JSONField(_("draft marks"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("judge review")
        verbose_name_plural = _("judge reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "team", "judge"], name="one_review_per_judge_team_challenge"
            )
        ]

    def __str__(self) -> str:
        return f"{self.judge} → {self.team} ({self.challenge.record_label})"


class CriterionMark(models.Model):
    review = models.ForeignKey(
        JudgeReview, on_delete=models.CASCADE, related_name="marks", verbose_name=_("review")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="+", verbose_name=_("criterion")
    )
    mark = models.DecimalField(
        _("mark (0-10)"),
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )

    class Meta:
        verbose_name = _("mark")
        verbose_name_plural = _("marks")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_mark_per_criterion"),
            models.CheckConstraint(
                condition=models.Q(mark__gte=0, mark__lte=10), name="mark_between_0_and_10"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.mark}"


class JudgedOverride(models.Model):
    """Organizers replaced the judges' aggregated result for a team, with a recorded reason."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="+", verbose_name=_("challenge")
    )
    team = models.ForeignKey(
        "teams.Team", on_delete=models.CASCADE, related_name="+", verbose_name=_("team")
    )
    points = models.DecimalField(_("judged points"), validators=[MinValueValidator(0)], **POINTS)
    reason = models.CharField(_("reason"), max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("judged override")
        verbose_name_plural = _("judged overrides")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.team} · {self.challenge.record_label}: {self.points}"


class Grant(models.Model):
    """Organizers granted a team what the credits gate unlocks: API credits or a GPU."""

    class Kind(models.TextChoices):
        CREDITS = "credits", _("API credits")
        GPU = "gpu", _("GPU grant")

    team = models.ForeignKey(
        "teams.Team", on_delete=models.CASCADE, related_name="grants", verbose_name=_("team")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [
            models.UniqueConstraint(fields=["team", "kind"], name="one_grant_of_each_kind_per_team")
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.get_kind_display()}"
