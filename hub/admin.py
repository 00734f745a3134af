from django.contrib import admin

from hub.models import HubRepo, SyncRun


@admin.register(HubRepo)
class HubRepoAdmin(admin.ModelAdmin):
    list_display = (
        "repo_id",
        "repo_type",
        "edition",
        "private",
        "gated",
        "likes",
        "downloads",
        "runtime_stage",
        "last_modified",
        "updated_at",
    )
    list_filter = ("edition", "repo_type", "private", "gated", "runtime_stage")
    search_fields = ("repo_id", "sha")
    list_select_related = ("edition",)
    readonly_fields = ("first_seen_at", "updated_at")


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = (
        "started_at",
        "edition",
        "status",
        "seen",
        "created",
        "updated",
        "unchanged",
        "failed",
        "http_requests",
        "api_requests",
        "resolver_requests",
        "members_verified",
        "finished_at",
    )
    list_filter = ("edition", "status")
    search_fields = ("edition__name", "edition__slug")
    list_select_related = ("edition",)
    date_hierarchy = "started_at"
