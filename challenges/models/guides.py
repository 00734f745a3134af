"""A challenge's guides and support material, and the anonymous feedback on them."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from challenges.models.translated import pick_translation


class Guide(models.Model):
    """A guide or support material of a challenge (from the edition file), in es/pt/en: shown
    on the challenge's page and wherever a page asks to read the guide."""

    class Kind(models.TextChoices):
        GUIDE = "guide", _("Guide")
        MATERIAL = "material", _("Support material")

    challenge = models.ForeignKey(
        "challenges.Challenge",
        on_delete=models.CASCADE,
        related_name="guides",
        verbose_name=_("challenge"),
    )
    slug = models.SlugField(_("slug"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.GUIDE)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title_es = models.CharField(_("title (Spanish)"), max_length=200)
    title_pt = models.CharField(_("title (Portuguese)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    url_es = models.URLField(_("link (Spanish)"), max_length=500)
    url_pt = models.URLField(_("link (Portuguese)"), max_length=500, blank=True)
    url_en = models.URLField(_("link (English)"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("guide")
        verbose_name_plural = _("guides")
        ordering = ["challenge", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "slug"], name="unique_guide_slug")
        ]

    def __str__(self) -> str:
        return self.title_es

    @property
    def title(self) -> str:
        return pick_translation(self, "title")

    @property
    def url(self) -> str:
        return pick_translation(self, "url")


class GuideFeedback(models.Model):
    """Anonymous feedback on a guide: no account, address or exact time is kept (the day
    only), so nothing links it to the person who gave it."""

    guide = models.ForeignKey(
        Guide, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("guide")
    )
    rating = models.PositiveSmallIntegerField(
        _("how useful"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)
    created_on = models.DateField(_("day"), auto_now_add=True)

    class Meta:
        verbose_name = _("feedback on a guide")
        verbose_name_plural = _("feedback on guides")
        ordering = ["-created_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="guide_feedback_rating_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.guide.slug}: {self.rating}"
