from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from challenges.domain import record_changes, take_snapshot
from challenges.models import Challenge, ChangeRecord, Edition


class RecordedChangesAdmin(admin.ModelAdmin):
    """Every edit made in the admin is recorded, field by field, as in the edition file."""

    def save_model(self, request, obj, form, change):
        before = None
        if change:
            stored = type(obj).objects.get(pk=obj.pk)
            before = take_snapshot(instance=stored, fields=list(form.changed_data))
        super().save_model(request, obj, form, change)
        if before:
            record_changes(
                edition=self.edition_of(obj),
                instance=obj,
                before=before,
                source=ChangeRecord.Source.ADMIN,
                changed_by=request.user,
            )

    def edition_of(self, obj):
        raise NotImplementedError


class ChallengeInline(admin.TabularInline):
    model = Challenge
    fields = [
        "position",
        "slug",
        "kind",
        "category",
        "title_es",
        "opens_at",
        "closes_at",
        "max_points",
    ]
    extra = 0
    show_change_link = True
    ordering = ["position"]

    def has_add_permission(self, request, obj=None):
        # Challenges are added on their own page, where every field (and its record) is there.
        return False

    def get_readonly_fields(self, request, obj=None):
        # Edited on the challenge's own page, so that every change is recorded.
        return self.fields


@admin.register(Edition)
class EditionAdmin(RecordedChangesAdmin):
    list_display = [
        "name",
        "slug",
        "hub_organization",
        "team_deadline",
        "max_total_points",
        "is_current",
    ]
    list_filter = ["is_current"]
    search_fields = ["name", "slug", "hub_organization"]
    inlines = [ChallengeInline]
    readonly_fields = ["created_at"]
    fieldsets = [
        (
            None,
            {"fields": ["slug", "name", "is_current", "tagline_es", "tagline_pt", "tagline_en"]},
        ),
        (_("Hub and community"), {"fields": ["hub_organization", "hub_join_url", "discord_url"]}),
        (
            _("Teams and time"),
            {
                "fields": [
                    "time_zone",
                    "time_zone_label",
                    "team_min_size",
                    "team_max_size",
                    "team_deadline",
                ]
            },
        ),
        (_("Points"), {"fields": ["max_total_points", "gates"]}),
        (
            _("Consent"),
            {
                "fields": [
                    "consent_version",
                    "consent_text_es",
                    "consent_text_pt",
                    "consent_text_en",
                ]
            },
        ),
        (_("Published datasets"), {"fields": ["contribution_license", "citation", "contact"]}),
        (None, {"fields": ["created_at"]}),
    ]

    def edition_of(self, obj):
        return obj


@admin.register(Challenge)
class ChallengeAdmin(RecordedChangesAdmin):
    list_display = [
        "title_es",
        "edition",
        "kind",
        "category",
        "opens_at",
        "closes_at",
        "max_points",
    ]
    list_filter = ["edition", "kind", "category"]
    search_fields = ["slug", "title_es", "title_pt", "title_en"]
    list_select_related = ["edition"]
    ordering = ["edition", "position"]

    def edition_of(self, obj):
        return obj.edition


@admin.register(ChangeRecord)
class ChangeRecordAdmin(admin.ModelAdmin):
    list_display = [
        "changed_at",
        "object_label",
        "field_name",
        "old_value",
        "new_value",
        "source",
        "changed_by",
    ]
    readonly_fields = ["field_name", "old_value_in_full", "new_value_in_full"]
    exclude = ["old_value", "new_value"]

    @admin.display(description=_("field"), ordering="field")
    def field_name(self, record):
        return record.field_label

    @admin.display(description=_("old value"))
    def old_value_in_full(self, record):
        return format_html('<pre class="change-value">{}</pre>', record.old_value)

    @admin.display(description=_("new value"))
    def new_value_in_full(self, record):
        return format_html('<pre class="change-value">{}</pre>', record.new_value)

    list_filter = ["edition", "source", "object_type", "field"]
    search_fields = ["object_label", "field", "old_value", "new_value", "reason"]
    list_select_related = ["changed_by"]
    date_hierarchy = "changed_at"

    # The record is history: nobody edits or deletes it.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
