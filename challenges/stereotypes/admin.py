from django import forms
from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.languages import LANGUAGE_CHOICES
from challenges.stereotypes.models import (
    StereotypeConsent,
    StereotypeConsentText,
    StereotypePair,
    StereotypeProfile,
    StereotypeRating,
)
from challenges.text import fingerprint, normalize


@admin.register(StereotypeConsentText)
class StereotypeConsentTextAdmin(admin.ModelAdmin):
    """Organizers write the consent text; a new version (a new row) asks everybody again."""

    list_display = ["challenge", "version", "created_at", "acceptances"]
    list_filter = ["challenge"]
    search_fields = ["version", "text_es", "text_pt", "text_en"]
    list_select_related = ["challenge"]

    def get_queryset(self, request):
        accepted = (
            StereotypeConsent.objects.filter(
                challenge=OuterRef("challenge"), version=OuterRef("version")
            )
            .order_by()
            .values("challenge")
            .annotate(total=Count("pk"))
            .values("total")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                acceptance_count=Coalesce(Subquery(accepted, output_field=IntegerField()), Value(0))
            )
        )

    @admin.display(description=_("acceptances"), ordering="acceptance_count")
    def acceptances(self, obj) -> int:
        return obj.acceptance_count

    def get_readonly_fields(self, request, obj=None):
        # A version people accepted is kept as they read it: write a new version instead.
        if (
            obj is not None
            and StereotypeConsent.objects.filter(
                challenge_id=obj.challenge_id, version=obj.version
            ).exists()
        ):
            return ["challenge", "version", "text_es", "text_pt", "text_en", "created_at"]
        return ["created_at"]


@admin.register(StereotypeConsent)
class StereotypeConsentAdmin(admin.ModelAdmin):
    list_display = ["user", "challenge", "version", "accepted_at"]
    list_filter = ["challenge", "version"]
    search_fields = ["user__email", "user__profile__display_name", "version"]
    list_select_related = ["user", "challenge"]
    raw_id_fields = ["user"]
    readonly_fields = ["accepted_at"]


@admin.register(StereotypeProfile)
class StereotypeProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "challenge", "languages", "nationalities", "regions", "updated_at"]
    list_filter = ["challenge"]
    search_fields = ["user__email", "user__profile__display_name", "user__profile__hub_username"]
    list_select_related = ["user", "challenge"]
    raw_id_fields = ["user"]


class StereotypePairForm(forms.ModelForm):
    class Meta:
        model = StereotypePair
        fields = ["challenge", "external_id", "language", "nationality", "attribute"]
        widgets = {"language": forms.Select(choices=LANGUAGE_CHOICES)}

    def clean(self):
        data = super().clean()
        pair = self.instance
        if all(data.get(name) for name in ("challenge", "language", "nationality", "attribute")):
            pair.nationality_key = normalize(data["nationality"])
            pair.fingerprint = fingerprint(data["language"], data["nationality"], data["attribute"])
            same = StereotypePair.objects.filter(
                challenge=data["challenge"], fingerprint=pair.fingerprint
            ).exclude(pk=pair.pk)
            if same.exists():
                raise forms.ValidationError(
                    _("The pool already has this pair (id “%(id)s”).")
                    % {"id": same.values_list("external_id", flat=True).first()}
                )
        return data


@admin.register(StereotypePair)
class StereotypePairAdmin(admin.ModelAdmin):
    form = StereotypePairForm
    list_display = [
        "external_id",
        "language",
        "nationality",
        "attribute",
        "times_rated",
        "challenge",
    ]
    list_filter = ["challenge", "language"]
    search_fields = ["external_id", "nationality", "attribute"]
    list_select_related = ["challenge"]
    readonly_fields = ["nationality_key", "fingerprint", "times_rated", "created_at"]


@admin.register(StereotypeRating)
class StereotypeRatingAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "pair",
        "author",
        "rating",
        "skipped",
        "status",
        "own_nationality",
        "created_at",
    ]
    list_filter = ["status", "skipped", "challenge", "pair__language", "own_nationality"]
    search_fields = [
        "pair__external_id",
        "pair__nationality",
        "pair__attribute",
        "extra_attribute",
        "author__email",
    ]
    list_select_related = ["pair", "author", "challenge"]
    raw_id_fields = ["author", "pair"]
    date_hierarchy = "created_at"
    # Decisions are taken in the review queue or the invalidation page, where they are recorded.
    readonly_fields = ["status", "decision_reason", "decided_at", "created_at", "updated_at"]
