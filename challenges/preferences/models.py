"""The preference dataset (LLM arena): the quiz on the prompt guide, prompts, arena votes,
cross-team validations and the dataset builds published from them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from challenges.models import Challenge, Contribution


class Quiz(models.Model):
    """The short quiz on the prompt guide; passing it once lets a person submit prompts."""

    class PassMarkKind(models.TextChoices):
        PERCENT = "percent", _("Percentage of correct answers")
        COUNT = "count", _("Number of correct answers")

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="+", verbose_name=_("challenge")
    )
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("Shown above the questions, e.g. a link to the prompt guide."),
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark"), default=80, validators=[MinValueValidator(1)]
    )
    pass_mark_kind = models.CharField(
        _("pass mark is a"),
        max_length=10,
        choices=PassMarkKind.choices,
        default=PassMarkKind.PERCENT,
    )
    guide_url = models.URLField(
        _("guide"), blank=True, help_text=_("The prompt guide the quiz is about.")
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("attempts allowed"),
        default=0,
        help_text=_("How many times a person may take the quiz before passing; 0: no limit."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        constraints = [
            models.UniqueConstraint(
                fields=["challenge"],
                name="preferences_one_quiz_per_challenge",
                violation_error_message=_("This challenge already has a quiz."),
            ),
            models.CheckConstraint(
                condition=Q(pass_mark__gte=1) & (Q(pass_mark_kind="count") | Q(pass_mark__lte=100)),
                name="preferences_quiz_pass_mark_in_range",
                violation_error_message=_("A percentage pass mark is between 1 and 100."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_passing(self, *, score: int, total: int) -> bool:
        """A percentage mark needs score/total of at least the mark; a count, that many right."""
        if total <= 0:
            return False
        if self.pass_mark_kind == self.PassMarkKind.PERCENT:
            return score * 100 >= self.pass_mark * total
        return score >= self.pass_mark


class QuizQuestion(models.Model):
    quiz = models.ForeignKey(
        Quiz, on_delete=models.CASCADE, related_name="questions", verbose_name=_("quiz")
    )
    text = models.TextField(_("question"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")
        ordering = ["quiz", "position", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class QuizChoice(models.Model):
    question = models.ForeignKey(
        QuizQuestion, on_delete=models.CASCADE, related_name="choices", verbose_name=_("question")
    )
    text = models.CharField(_("answer"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("quiz answer")
        verbose_name_plural = _("quiz answers")
        ordering = ["question", "position", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class QuizAttempt(models.Model):
    """One go at the quiz. People may retry; one passed attempt is enough for good."""

    quiz = models.ForeignKey(
        Quiz, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("quiz")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
    )
    score = models.PositiveSmallIntegerField(_("correct answers"))
    total = models.PositiveSmallIntegerField(_("questions"))
    passed = models.BooleanField(_("passed"))
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    created_at = models.DateTimeField(_("taken"), auto_now_add=True)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["quiz", "user", "passed"], name="pref_attempt_user_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__lte=models.F("total")), name="preferences_attempt_score_le_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.score}/{self.total}"


class PromptLanguage(models.TextChoices):
    SPANISH = "es", _("Spanish")
    PORTUGUESE = "pt", _("Portuguese")


class Prompt(Contribution):
    """A prompt that tests cultural adequacy for a country: the unit that counts."""

    class Source(models.TextChoices):
        FORM = "form", _("Form")
        CSV = "csv", _("CSV upload")
        ARENA = "arena", _("Arena vote log")
        DATASET = "dataset", _("Imported dataset")

    country = CountryField(_("country"), blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=PromptLanguage.choices, blank=True
    )
    system_prompt = models.TextField(_("system prompt"), blank=True)
    text = models.TextField(_("prompt"))
    topic = models.CharField(_("topic"), max_length=100, blank=True)
    fingerprint = models.CharField(_("fingerprint"), max_length=64, editable=False)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.FORM
    )
    approvals = models.PositiveIntegerField(_("approvals"), default=0)
    rejections = models.PositiveIntegerField(_("rejections"), default=0)
    possible_duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("possible duplicate of"),
        help_text=_("A stored prompt this one nearly repeats: the reviewer checks it."),
    )

    class Meta:
        verbose_name = _("prompt")
        verbose_name_plural = _("prompts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "fingerprint"],
                name="preferences_unique_prompt_text",
                violation_error_message=_("This prompt is already in the challenge."),
            ),
            models.CheckConstraint(
                condition=Q(language__in=["", "es", "pt"]), name="preferences_prompt_language"
            ),
        ]
        indexes = [
            # The validation queue: pending prompts of a challenge, oldest first.
            models.Index(fields=["challenge", "status", "id"], name="pref_prompt_queue_idx"),
            # A person's prompts and their counts by status.
            models.Index(fields=["challenge", "author", "status"], name="pref_prompt_author_idx"),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class ArenaUpload(models.Model):
    """One vote log uploaded by an organizer, with what it added."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="+", verbose_name=_("challenge")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    filename = models.CharField(_("file"), max_length=255, blank=True)
    votes_added = models.PositiveIntegerField(_("votes added"), default=0)
    duplicates = models.PositiveIntegerField(_("already stored"), default=0)
    matched = models.PositiveIntegerField(_("matched to a prompt"), default=0)
    prompts_created = models.PositiveIntegerField(_("prompts created"), default=0)
    identity_flagged = models.PositiveIntegerField(_("naming a model"), default=0)
    over_daily_cap = models.PositiveIntegerField(_("over the daily cap"), default=0)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("arena vote log")
        verbose_name_plural = _("arena vote logs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["challenge", "-created_at"], name="pref_upload_idx")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.created_at:%Y-%m-%d %H:%M})"


class ArenaVoteQuerySet(models.QuerySet):
    def counted(self) -> ArenaVoteQuerySet:
        """Votes not flagged: the ones the dataset, validation and new prompts come from."""
        return self.filter(**ArenaVote.COUNTED)


class ArenaVote(models.Model):
    """One vote of the arena's log: a preference record, attached to its prompt when the voter
    declared their arena identity; otherwise kept unmatched until they do.

    A flagged vote is kept, with why, but not counted (``challenges.preferences.domain.hygiene``)."""

    class Flag(models.TextChoices):
        IDENTITY = "identity", _("An answer names a model")
        DAILY_CAP = "daily_cap", _("Over the person's daily cap")

    class VoteType(models.TextChoices):
        LEFT = "leftvote", _("A is better")
        RIGHT = "rightvote", _("B is better")
        TIE = "tievote", _("Both are good")
        BOTH_BAD = "bothbad_vote", _("Both are bad")

    DECISIVE = (VoteType.LEFT, VoteType.RIGHT)
    # What a counted vote's fields are (``ArenaVoteQuerySet.counted``): not flagged.
    COUNTED = {"flag": ""}

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="+", verbose_name=_("challenge")
    )
    upload = models.ForeignKey(
        ArenaUpload,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="votes",
        verbose_name=_("vote log"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    prompt = models.ForeignKey(
        Prompt,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="votes",
        verbose_name=_("prompt"),
    )
    identity = models.CharField(_("arena identity"), max_length=200, blank=True)
    vote_type = models.CharField(_("vote"), max_length=20, choices=VoteType.choices)
    model_a = models.CharField(_("model A"), max_length=200)
    model_b = models.CharField(_("model B"), max_length=200)
    system_prompt = models.TextField(_("system prompt"), blank=True)
    question = models.TextField(_("question"))
    question_fingerprint = models.CharField(_("question fingerprint"), max_length=64)
    answer_a = models.TextField(_("answer A"))
    answer_b = models.TextField(_("answer B"))
    chosen = models.TextField(_("chosen answer"), blank=True)
    rejected = models.TextField(_("rejected answer"), blank=True)
    tstamp = models.DateTimeField(_("voted"))
    raw = models.JSONField(_("raw vote"))
    fingerprint = models.CharField(_("fingerprint"), max_length=64, editable=False)
    flag = models.CharField(_("flag"), max_length=20, choices=Flag.choices, blank=True)
    # The word an answer names, or the day (ISO date) whose cap the vote is over.
    flag_detail = models.CharField(_("flag detail"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("stored"), auto_now_add=True)

    objects = ArenaVoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("arena vote")
        verbose_name_plural = _("arena votes")
        ordering = ["-tstamp", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "fingerprint"], name="preferences_unique_arena_vote"
            ),
        ]
        indexes = [
            # The latest decisive vote of a prompt.
            models.Index(fields=["prompt", "-tstamp"], name="pref_vote_prompt_idx"),
            # Votes waiting for a person or a prompt.
            models.Index(
                fields=["challenge", "id"],
                condition=Q(prompt__isnull=True),
                name="pref_vote_unmatched_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_vote_type_display()} · {self.model_a} / {self.model_b}"

    @property
    def is_decisive(self) -> bool:
        return self.vote_type in self.DECISIVE

    @property
    def chosen_model(self) -> str:
        if self.vote_type == self.VoteType.LEFT:
            return self.model_a
        if self.vote_type == self.VoteType.RIGHT:
            return self.model_b
        return ""

    @property
    def rejected_model(self) -> str:
        if self.vote_type == self.VoteType.LEFT:
            return self.model_b
        if self.vote_type == self.VoteType.RIGHT:
            return self.model_a
        return ""


class PromptValidation(models.Model):
    """A person of another team judges a prompt (and the answer its arena vote chose)."""

    prompt = models.ForeignKey(
        Prompt, on_delete=models.CASCADE, related_name="validations", verbose_name=_("prompt")
    )
    validator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("validator"),
    )
    vote = models.ForeignKey(
        ArenaVote,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vote judged"),
    )
    well_designed = models.BooleanField(_("well designed"))
    culturally_anchored = models.BooleanField(_("culturally anchored"))
    keep_chosen = models.BooleanField(_("keeps the chosen answer"), null=True, blank=True)
    improved_answer = models.TextField(_("improved answer"), blank=True)
    approves = models.BooleanField(_("approves"))
    created_at = models.DateTimeField(_("validated"), auto_now_add=True)
    # Set when organizers void this validator's votes: kept (so the item is not offered to them
    # again) but no longer counted (``challenges.domain.peer_validation.void_validations``).
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)

    class Meta:
        verbose_name = _("prompt validation")
        verbose_name_plural = _("prompt validations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["prompt", "validator"],
                name="preferences_one_validation_per_person",
                violation_error_message=_("You have already validated this prompt."),
            ),
        ]
        # The anti-join of the validation queue, and a person's validations.
        indexes = [models.Index(fields=["validator", "prompt"], name="pref_validation_by_idx")]

    def __str__(self) -> str:
        return f"{self.prompt_id} · {self.validator_id}"
