from django.contrib import admin

from judging.models import Assignment, Conflict, EditionJudge, JudgeInvitation, JudgingSettings


@admin.register(JudgeInvitation)
class JudgeInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "edition", "created_at", "accepted_at", "revoked_at"]
    list_filter = ["edition"]
    search_fields = ["email"]
    readonly_fields = ["token", "accepted_by", "accepted_at"]


@admin.register(EditionJudge)
class EditionJudgeAdmin(admin.ModelAdmin):
    list_display = ["user", "edition", "capacity", "joined_at"]
    list_filter = ["edition"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(Conflict)
class ConflictAdmin(admin.ModelAdmin):
    list_display = ["judge", "team", "reason", "declared_by", "created_at"]
    search_fields = ["judge__email", "team__name"]
    raw_id_fields = ["judge", "team", "declared_by"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["challenge", "team", "judge", "source", "created_at"]
    list_filter = ["challenge", "source"]
    search_fields = ["judge__email", "team__name"]
    raw_id_fields = ["team", "judge"]


@admin.register(JudgingSettings)
class JudgingSettingsAdmin(admin.ModelAdmin):
    list_display = ["challenge", "per_team", "blind", "same_country_conflict"]
