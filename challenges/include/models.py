"""INCLUDE exams: the exams people declare, and the multiple-choice questions that count."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import CountryField

from challenges.models import Challenge, Contribution, ContributionStatus

TEXT_MAX = 300
QUESTION_MAX = 2000
OPTION_MAX = 500
OPTION_COUNT = 4
LETTERS = "abcd"


class Exam(models.Model):
    """An exam a participant found: the organizers' spreadsheet row, decided as a whole."""

    class Format(models.TextChoices):
        PDF = "pdf", _("PDF")
        WEB = "web", _("Web page")
        BOOK = "book", _("Printed book")
        SCAN = "scan", _("Scanned images")
        DOCUMENT = "document", _("Text document or spreadsheet")
        OTHER = "other", _("Other")

    # Exams are pending, validated (accepted) or rejected; drafts and invalidations do not apply.
    STATUSES = (
        ContributionStatus.PENDING,
        ContributionStatus.VALIDATED,
        ContributionStatus.REJECTED,
    )

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="+", verbose_name=_("challenge")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("contributor"),
    )
    name = models.CharField(_("exam name"), max_length=TEXT_MAX)
    language = models.CharField(
        _("language"), max_length=8, help_text=_("ISO 639 code, e.g. es, pt, gn, nah.")
    )
    country = CountryField(_("country"))
    domain = models.CharField(
        _("domain"),
        max_length=TEXT_MAX,
        help_text=_("What the exam is about: history, law, driving licence..."),
    )
    level = models.CharField(
        _("level"),
        max_length=TEXT_MAX,
        help_text=_("E.g. primary school, university entrance, professional."),
    )
    declared_questions = models.PositiveIntegerField(_("number of questions"))
    source = models.CharField(
        _("source"), max_length=TEXT_MAX, help_text=_("A URL, or the book it comes from.")
    )
    original_format = models.CharField(_("original format"), max_length=20, choices=Format.choices)
    license = models.CharField(
        _("licence"),
        max_length=TEXT_MAX,
        default="unknown",
        help_text=_("The exam's licence, or “unknown”. Proprietary exams are not accepted."),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ContributionStatus.choices,
        default=ContributionStatus.PENDING,
    )
    decision_reason = models.CharField(_("reason"), max_length=500, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("exam")
        verbose_name_plural = _("exams")
        ordering = ["created_at", "pk"]
        constraints = [
            # The same person declaring the same exam twice (a double submission) is refused.
            models.UniqueConstraint(
                "challenge",
                "author",
                Lower("name"),
                name="include_exam_unique_name_per_author",
                violation_error_message=_("You have already declared an exam with this name."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "validated", "rejected"]),
                name="include_exam_status_known",
            ),
        ]
        indexes = [
            # The organizers' list (filtered by status, oldest first) and "next pending exam".
            models.Index(
                fields=["challenge", "status", "created_at", "id"], name="include_exam_queue_idx"
            ),
            models.Index(fields=["challenge", "country"], name="include_exam_country_idx"),
            models.Index(fields=["challenge", "language"], name="include_exam_language_idx"),
            # A participant's own exams, newest first.
            models.Index(
                fields=["author", "challenge", "created_at"], name="include_exam_author_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.name


def compared_text(question: str, options: list[str]) -> str:
    """What near-duplicates of a question are found on: its text and its options."""
    return "\n".join([question, *options])


class ExamQuestion(Contribution):
    """One multiple-choice question of an exam: the unit that counts once validated."""

    exam = models.ForeignKey(
        Exam, on_delete=models.CASCADE, related_name="questions", verbose_name=_("exam")
    )
    language = models.CharField(_("language"), max_length=8)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 alpha-2 code."))
    exam_name = models.CharField(_("exam name"), max_length=TEXT_MAX)
    source = models.CharField(_("source"), max_length=TEXT_MAX)
    license = models.CharField(_("licence"), max_length=TEXT_MAX)
    level = models.CharField(_("level"), max_length=TEXT_MAX)
    category_en = models.CharField(_("category (English)"), max_length=TEXT_MAX)
    category_original_lang = models.CharField(
        _("category (original language)"), max_length=TEXT_MAX
    )
    original_question_num = models.PositiveIntegerField(
        _("number in the exam"), null=True, blank=True
    )
    question = models.TextField(_("question"), max_length=QUESTION_MAX)
    options = models.JSONField(_("options"), help_text=_("Exactly 4 texts."))
    answer = models.PositiveSmallIntegerField(
        _("answer"), help_text=_("Index of the correct option, 0 to 3.")
    )
    fingerprint = models.CharField(_("fingerprint"), max_length=64, editable=False)
    flagged_category = models.BooleanField(
        _("flagged category"),
        default=False,
        help_text=_(
            "The category looks like mathematics or natural sciences: the reviewer checks it."
        ),
    )
    possible_duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("possible duplicate of"),
        help_text=_("A stored question this one nearly repeats: the reviewer checks it."),
    )

    class Meta:
        verbose_name = _("exam question")
        verbose_name_plural = _("exam questions")
        ordering = ["created_at", "pk"]
        constraints = [
            # The same question (normalized text and options) is stored once per challenge.
            models.UniqueConstraint(
                fields=["challenge", "fingerprint"],
                name="include_question_unique_fingerprint",
                violation_error_message=_("This question is already stored."),
            ),
            models.CheckConstraint(
                condition=Q(answer__gte=0, answer__lte=3), name="include_question_answer_0_3"
            ),
        ]
        indexes = [
            # The shared review queue: a challenge's items by status, oldest first.
            models.Index(
                fields=["challenge", "status", "created_at", "id"], name="include_q_queue_idx"
            ),
            # Counts per person and status (progress, scoring).
            models.Index(fields=["challenge", "author", "status"], name="include_q_author_idx"),
            # An exam's questions, by status (exam pages, whole-exam decisions).
            models.Index(fields=["exam", "status", "id"], name="include_q_exam_idx"),
            models.Index(fields=["challenge", "country", "status"], name="include_q_country_idx"),
            models.Index(fields=["challenge", "language", "status"], name="include_q_language_idx"),
        ]

    def __str__(self) -> str:
        return self.question[:80]

    @property
    def lettered_options(self) -> list[tuple[str, str, bool]]:
        """(letter, text, is the correct one) for each option."""
        return [
            (LETTERS[index].upper(), text, index == self.answer)
            for index, text in enumerate(self.options)
        ]

    @property
    def differs_from_exam(self) -> bool:
        """Its language or country is not its exam's: the reviewer checks it (read from the
        exam, so that it follows the exam's description; the queue fetches the exam)."""
        return self.language != self.exam.language or self.country != self.exam.country.code

    @property
    def country_name(self) -> str:
        return countries.name(self.country) or self.country
