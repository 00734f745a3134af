"""BLEND: everyday-culture questions per country, answered and validated by people of that country.

Organizers upload the questions (``BlendQuestion``). A participant answers the questions of the
countries they know (``BlendAnswer``, the unit that counts), or skips one (``BlendSkip``, never
shown again, never counts). People of the question's country validate submitted answers
(``BlendValidation``); an answer is validated or rejected once enough of them agree.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from challenges.models import Challenge, Contribution

# Stored as the reason of decisions taken by validators (not by an organizer); shown translated.
PEER_VALIDATION_REASON = "peer validation"


class BlendProfile(models.Model):
    """The countries a person knows well besides the one in their profile, to answer for them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="blend_profile",
        verbose_name=_("user"),
    )
    countries = CountryField(
        _("other countries you know well"),
        multiple=True,
        blank=True,
        help_text=_("You answer the questions of these countries too."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("BLEND profile")
        verbose_name_plural = _("BLEND profiles")

    def __str__(self) -> str:
        return str(self.user_id)


class BlendQuestion(models.Model):
    """An everyday-culture question about one country, uploaded by the organizers."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="+", verbose_name=_("challenge")
    )
    external_id = models.CharField(
        _("id"), max_length=100, help_text=_("The question's id in the organizers' file.")
    )
    country = CountryField(_("country"))
    language = models.CharField(_("language"), max_length=12)
    topic = models.CharField(_("topic"), max_length=100)
    question = models.TextField(_("question"))
    # Digest of (country, question) normalized: the same question uploaded twice is found.
    fingerprint = models.CharField(_("fingerprint"), max_length=64, editable=False)
    # Near-duplicates are found among the questions of the same country.
    possible_duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("possible duplicate of"),
        help_text=_("A stored question of the same country this one nearly repeats."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("BLEND question")
        verbose_name_plural = _("BLEND questions")
        ordering = ["challenge", "country", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "external_id"],
                name="blend_unique_question_id",
                violation_error_message=_(
                    "A question with this id already exists in this challenge."
                ),
            ),
            models.UniqueConstraint(
                fields=["challenge", "fingerprint"],
                name="blend_unique_question_text",
                violation_error_message=_("This question already exists for this country."),
            ),
        ]
        indexes = [
            # The next question of a person's countries: (challenge, country) in id order.
            models.Index(fields=["challenge", "country", "id"], name="blend_question_country_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.external_id} · {self.question[:60]}"


class BlendAnswer(Contribution):
    """One person's answer to one question: the unit that counts once validated."""

    class NoAnswerReason(models.TextChoices):
        NO_SPECIFIC_ANSWER = "no_specific_answer", _("There is no specific answer")
        NOT_APPLICABLE = "not_applicable", _("It does not apply to my culture")

    # The unique (question, author) constraint indexes question first: no separate index.
    question = models.ForeignKey(
        BlendQuestion,
        on_delete=models.RESTRICT,
        related_name="answers",
        verbose_name=_("question"),
        db_index=False,
    )
    # The question's country, copied so the validators' queue reads one index.
    country = CountryField(_("country"))
    reworded_question = models.TextField(
        _("the question as it would be asked in your country"), blank=True
    )
    answer_1 = models.CharField(_("answer 1"), max_length=500, blank=True)
    answer_2 = models.CharField(_("answer 2"), max_length=500, blank=True)
    answer_3 = models.CharField(_("answer 3"), max_length=500, blank=True)
    region = models.CharField(_("region"), max_length=200, blank=True)
    no_answer_reason = models.CharField(
        _("reason for no answer"), max_length=20, choices=NoAnswerReason.choices, blank=True
    )
    # Peer validations so far, kept with the answer (updated with the answer row locked).
    approvals = models.PositiveIntegerField(_("approvals"), default=0)
    rejections = models.PositiveIntegerField(_("rejections"), default=0)

    class Meta:
        verbose_name = _("BLEND answer")
        verbose_name_plural = _("BLEND answers")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "author"],
                name="blend_one_answer_per_question",
                violation_error_message=_("You already answered this question."),
            ),
            models.CheckConstraint(
                condition=~(Q(no_answer_reason="") & Q(answer_1="") & ~Q(status="draft")),
                name="blend_submitted_answer_has_content",
            ),
        ]
        indexes = [
            # The validators' queue: pending answers of a country, oldest first.
            models.Index(
                fields=["challenge", "status", "country", "id"], name="blend_answer_queue_idx"
            ),
            # A person's answers, newest first, and their counts per status.
            models.Index(fields=["challenge", "author", "id"], name="blend_answer_author_idx"),
            # The shared review queue: a status, in the order answers came.
            models.Index(
                fields=["challenge", "status", "created_at"], name="blend_answer_review_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} · {self.question_id} · {self.get_status_display()}"

    @property
    def answers(self) -> list[str]:
        return [text for text in (self.answer_1, self.answer_2, self.answer_3) if text]

    @property
    def reason_display(self) -> str:
        """The decision's reason as the author reads it."""
        if self.decision_reason == PEER_VALIDATION_REASON:
            return str(_("Decided by validators of the country."))
        return self.decision_reason


class BlendSkip(models.Model):
    """A person skipped a question: it is never shown to them again and never counts."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="+", verbose_name=_("challenge")
    )
    question = models.ForeignKey(
        BlendQuestion,
        on_delete=models.CASCADE,
        related_name="skips",
        verbose_name=_("question"),
        db_index=False,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("skipped BLEND question")
        verbose_name_plural = _("skipped BLEND questions")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "user"], name="blend_one_skip_per_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} skipped {self.question_id}"


class BlendValidation(models.Model):
    """One person of the question's country says whether a submitted answer is valid."""

    answer = models.ForeignKey(
        BlendAnswer,
        on_delete=models.CASCADE,
        related_name="validations",
        verbose_name=_("answer"),
        db_index=False,
    )
    validator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("validator"),
        db_index=False,
    )
    approve = models.BooleanField(_("valid"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Set when organizers void this validator's votes: kept (so the item is not offered to them
    # again) but no longer counted (``challenges.domain.peer_validation.void_validations``).
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)

    class Meta:
        verbose_name = _("BLEND validation")
        verbose_name_plural = _("BLEND validations")
        constraints = [
            models.UniqueConstraint(
                fields=["answer", "validator"],
                name="blend_one_validation_per_person",
                violation_error_message=_("You already validated this answer."),
            ),
        ]
        indexes = [
            # What a validator already validated, in answer order: the queue's anti-join.
            models.Index(fields=["validator", "answer"], name="blend_validation_mine_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.answer_id}: {'+' if self.approve else '-'} ({self.validator_id})"
