"""Stereotypes: the consent text, each person's reading profile, the pool of pairs, the ratings.

A participant accepts the current version of the challenge's consent text, says which languages
they read and which nationalities (and regions) they identify with, then rates, one at a time,
how strongly a nationality and an attribute are associated in their region (1 to 5), or skips
the pair. A rating counts at once (validated) unless organizers invalidate it; a skip is a
draft row that never counts and only keeps the pair from being shown again.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from challenges.models import Challenge, Contribution, ContributionStatus, pick_translation

EXTERNAL_ID_MAX = 100
NATIONALITY_MAX = 100
ATTRIBUTE_MAX = 200
REGION_MAX = 120
RATING_MIN, RATING_MAX = 1, 5


class StereotypeConsentText(models.Model):
    """One version of the consent text of a stereotypes challenge. The newest one is current:
    adding a version asks everybody to accept again."""

    challenge = models.ForeignKey(
        Challenge,
        on_delete=models.CASCADE,
        related_name="stereotype_consent_texts",
        verbose_name=_("challenge"),
    )
    version = models.CharField(
        _("version"), max_length=40, help_text=_("A new version asks every participant again.")
    )
    text_es = models.TextField(_("text (Spanish)"))
    text_pt = models.TextField(_("text (Portuguese)"), blank=True)
    text_en = models.TextField(_("text (English)"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("stereotypes consent text")
        verbose_name_plural = _("stereotypes consent texts")
        ordering = ["challenge", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "version"],
                name="unique_stereotype_consent_version",
                violation_error_message=_(
                    "This challenge already has a consent text with this version."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["challenge", "-created_at", "-id"], name="stereo_consent_text_idx")
        ]

    def __str__(self) -> str:
        return f"{self.challenge.record_label} · {self.version}"

    @property
    def text(self) -> str:
        return pick_translation(self, "text")


class StereotypeConsent(models.Model):
    """A person accepted one version of a stereotypes challenge's consent text, at a moment."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="+", verbose_name=_("challenge")
    )
    version = models.CharField(_("consent text version"), max_length=40)
    accepted_at = models.DateTimeField(_("accepted"), auto_now_add=True)

    class Meta:
        verbose_name = _("stereotypes consent")
        verbose_name_plural = _("stereotypes consents")
        ordering = ["-accepted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "challenge", "version"], name="unique_stereotype_consent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.challenge_id} · {self.version}"


class StereotypeProfile(models.Model):
    """What a person reads and identifies with, for one stereotypes challenge."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="+", verbose_name=_("challenge")
    )
    languages = models.JSONField(
        _("languages"), default=list, help_text=_("Codes of the languages the person reads.")
    )
    nationalities = models.JSONField(
        _("nationalities"),
        default=list,
        help_text=_("Normalized as the pool's nationalities are, so the two can be compared."),
    )
    regions = models.JSONField(_("regions"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("stereotypes profile")
        verbose_name_plural = _("stereotypes profiles")
        constraints = [
            models.UniqueConstraint(fields=["user", "challenge"], name="unique_stereotype_profile"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {', '.join(self.languages)}"


class StereotypePair(models.Model):
    """A nationality and an attribute, in one language: what participants rate."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="+", verbose_name=_("challenge")
    )
    external_id = models.CharField(_("id in the pool file"), max_length=EXTERNAL_ID_MAX)
    language = models.CharField(_("language"), max_length=8)
    nationality = models.CharField(_("nationality"), max_length=NATIONALITY_MAX)
    attribute = models.CharField(_("attribute"), max_length=ATTRIBUTE_MAX)
    # normalize(nationality): what participants' declared nationalities are compared with.
    nationality_key = models.CharField(
        _("normalized nationality"), max_length=NATIONALITY_MAX, editable=False
    )
    # fingerprint(language, nationality, attribute): the same pair uploaded twice.
    fingerprint = models.CharField(_("fingerprint"), max_length=64, editable=False)
    times_rated = models.PositiveIntegerField(
        _("times rated"),
        default=0,
        editable=False,
        help_text=_(
            "Ratings received (skips not included); the validator shows the least rated first."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("stereotype pair")
        verbose_name_plural = _("stereotype pairs")
        ordering = ["challenge", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "external_id"], name="unique_stereotype_pair_external_id"
            ),
            models.UniqueConstraint(
                fields=["challenge", "fingerprint"], name="unique_stereotype_pair_content"
            ),
        ]
        indexes = [
            # The validator's "next pair": least rated first, then lowest id, in the person's
            # languages (one language: this index gives the order; several: the next one).
            models.Index(
                fields=["challenge", "language", "times_rated", "id"],
                name="stereo_pair_next_lang_idx",
            ),
            models.Index(fields=["challenge", "times_rated", "id"], name="stereo_pair_next_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.external_id} · {self.language} · {self.nationality} · {self.attribute}"


class StereotypeRating(Contribution):
    """One person's answer to one pair: a rating from 1 to 5, or a skip.

    A rating is validated at once (it counts) unless organizers invalidate it; a skip is a draft
    with no rating, which never counts. One row per person and pair, whatever the answer.
    """

    pair = models.ForeignKey(
        StereotypePair, on_delete=models.RESTRICT, related_name="ratings", verbose_name=_("pair")
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"),
        null=True,
        blank=True,
        validators=[MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)],
        help_text=_("1: not associated at all; 5: very strongly associated. Empty for a skip."),
    )
    skipped = models.BooleanField(_("skipped"), default=False)
    extra_attribute = models.CharField(_("another attribute"), max_length=ATTRIBUTE_MAX, blank=True)
    other_nationalities = models.JSONField(_("other nationalities"), default=list, blank=True)
    region = models.CharField(_("region"), max_length=REGION_MAX, blank=True)
    own_nationality = models.BooleanField(
        _("rater identifies with this nationality"),
        default=False,
        help_text=_("The pair's nationality is one the rater declared when rating it."),
    )

    class Meta:
        verbose_name = _("stereotype rating")
        verbose_name_plural = _("stereotype ratings")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "pair"],
                name="unique_stereotype_rating_per_person",
                violation_error_message=_("You already rated or skipped this pair."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(skipped=True, rating__isnull=True, status=ContributionStatus.DRAFT)
                    | (
                        Q(skipped=False, rating__gte=RATING_MIN, rating__lte=RATING_MAX)
                        & ~Q(status=ContributionStatus.DRAFT)
                    )
                ),
                name="stereotype_rating_or_skip",
                violation_error_message=_(
                    "A rating is 1 to 5; a skip has no rating and never counts."
                ),
            ),
        ]
        indexes = [
            # Progress (count_by_status) and a person's invalidation.
            models.Index(fields=["challenge", "author", "status"], name="stereo_rating_author_idx"),
            # The review queue and the exports.
            models.Index(
                fields=["challenge", "status", "created_at"], name="stereo_rating_queue_idx"
            ),
            # The pool page's counts per pair.
            models.Index(fields=["pair", "status"], name="stereo_rating_pair_idx"),
        ]

    def __str__(self) -> str:
        answer = _("skipped") if self.skipped else str(self.rating)
        return f"#{self.pk} · {self.pair_id} · {answer}"
