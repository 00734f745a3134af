"""The arena inside the platform: the edition's models, and battles between two of them.

A battle is one participant's conversation with two anonymous models at once. Its answers are
streamed by Celery tasks into ``BattleAnswer`` rows; the vote that ends it is stored as an
``ArenaVote`` of the preference challenge, on the person's account, so the dataset, the caps and
validation treat it as any vote of the arena's log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from challenges.models import Challenge, Edition
from challenges.preferences.models import ArenaVote, Prompt


class ArenaModel(models.Model):
    """One model of the edition's arena, reached through an OpenAI-compatible chat-completions
    API. The key is never stored: ``api_key_env`` names the environment variable holding it."""

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="arena_models", verbose_name=_("edition")
    )
    slug = models.SlugField(_("identifier"), max_length=100)
    display_name = models.CharField(_("name"), max_length=200)
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    base_url = models.CharField(_("API base URL"), max_length=500)
    model_id = models.CharField(_("model id"), max_length=200)
    api_key_env = models.CharField(
        _("environment variable with the key"),
        max_length=100,
        blank=True,
        help_text=_("The name of the variable, never the key itself."),
    )
    max_tokens = models.PositiveIntegerField(_("max tokens per answer"), default=1024)
    temperature = models.DecimalField(_("temperature"), max_digits=3, decimal_places=2, default=0.7)
    max_concurrency = models.PositiveIntegerField(
        _("answers at once"),
        default=20,
        help_text=_("How many answers this model may stream at the same time."),
    )
    daily_token_budget = models.PositiveIntegerField(
        _("tokens per day"), default=0, help_text=_("0: no limit.")
    )
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("arena model")
        verbose_name_plural = _("arena models")
        ordering = ["edition", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "slug"], name="arena_unique_model_slug")
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def record_label(self) -> str:
        return self.display_name


class Battle(models.Model):
    """Two anonymous models answering one person's prompt, turn after turn, until the vote."""

    class Status(models.TextChoices):
        ANSWERING = "answering", _("Answering")
        READY = "ready", _("Waiting for the vote")
        FAILED = "failed", _("A model failed")
        VOTED = "voted", _("Voted")

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="+", verbose_name=_("challenge")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="arena_battles",
        verbose_name=_("person"),
    )
    team = models.ForeignKey(
        "teams.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    prompt = models.ForeignKey(
        Prompt,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="battles",
        verbose_name=_("prompt"),
    )
    country = models.CharField(_("country"), max_length=2)
    language = models.CharField(_("language"), max_length=10, blank=True)
    system_prompt = models.TextField(_("system prompt"), blank=True)
    # What the person wrote, turn by turn; the first is the prompt.
    turns = models.JSONField(_("messages"), default=list)
    model_a = models.ForeignKey(
        ArenaModel, on_delete=models.PROTECT, related_name="+", verbose_name=_("model A")
    )
    model_b = models.ForeignKey(
        ArenaModel, on_delete=models.PROTECT, related_name="+", verbose_name=_("model B")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ANSWERING
    )
    vote = models.OneToOneField(
        ArenaVote,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="battle",
        verbose_name=_("vote"),
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    voted_at = models.DateTimeField(_("voted"), null=True, blank=True)

    class Meta:
        verbose_name = _("battle")
        verbose_name_plural = _("battles")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="arena_battle_user_idx"),
            models.Index(fields=["challenge", "model_a", "model_b"], name="arena_battle_pair_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"

    @property
    def revealed(self) -> bool:
        """The models' names are shown only once the person has voted."""
        return self.status == self.Status.VOTED


class BattleAnswer(models.Model):
    """One model's answer to one turn of a battle, filled in as it streams."""

    class Side(models.TextChoices):
        A = "a", "A"
        B = "b", "B"

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        STREAMING = "streaming", _("Writing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Failure(models.TextChoices):
        TIMEOUT = "timeout", _("The model took too long to answer.")
        RATE_LIMITED = "rate_limited", _("The model's service is busy (rate limited).")
        SERVER = "server", _("The model's service answered with an error.")
        CONNECTION = "connection", _("The model's service could not be reached.")
        EMPTY = "empty", _("The model gave an empty answer.")
        UNAVAILABLE = "unavailable", _("The model is not available now.")

    battle = models.ForeignKey(
        Battle, on_delete=models.CASCADE, related_name="answers", verbose_name=_("battle")
    )
    turn = models.PositiveSmallIntegerField(_("turn"))
    side = models.CharField(_("side"), max_length=1, choices=Side.choices)
    model = models.ForeignKey(
        ArenaModel, on_delete=models.PROTECT, related_name="answers", verbose_name=_("model")
    )
    text = models.TextField(_("answer"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.WAITING
    )
    # Why it failed, as a category: the service's own message may echo secrets.
    failure = models.CharField(_("failure"), max_length=20, choices=Failure.choices, blank=True)
    tokens = models.PositiveIntegerField(_("tokens"), default=0)
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    first_token_at = models.DateTimeField(_("first token"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("battle answer")
        verbose_name_plural = _("battle answers")
        ordering = ["battle", "turn", "side"]
        constraints = [
            models.UniqueConstraint(
                fields=["battle", "turn", "side"], name="arena_unique_answer_turn_side"
            )
        ]
        indexes = [
            models.Index(
                fields=["model"],
                condition=Q(status="streaming"),
                name="arena_answer_streaming_idx",
            ),
            models.Index(fields=["model", "created_at"], name="arena_answer_model_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.battle_id}/{self.turn}{self.side}"


class ArenaSettings(models.Model):
    """The organizers' choices for a preference challenge's arena."""

    challenge = models.OneToOneField(
        Challenge, on_delete=models.CASCADE, related_name="arena_settings"
    )
    ratings_public = models.BooleanField(
        _("ratings are public"),
        default=False,
        help_text=_("Everyone can see the models' ranking, not only organizers."),
    )

    class Meta:
        verbose_name = _("arena settings")
        verbose_name_plural = _("arena settings")

    def __str__(self) -> str:
        return str(self.challenge)
