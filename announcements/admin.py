from django.contrib import admin

from announcements.models import Announcement


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["title_es", "edition", "published_at", "discord_state"]
    list_filter = ["edition", "discord_state"]
    search_fields = ["title_es", "title_pt", "title_en"]
    readonly_fields = ["discord_state", "discord_attempts", "discord_error", "discord_sent_at"]
