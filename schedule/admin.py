from django.contrib import admin

from schedule.models import Event, TeamFeed


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title_es", "kind", "starts_at", "ends_at", "edition"]
    list_filter = ["edition", "kind"]
    search_fields = ["title_es", "title_pt", "title_en"]


@admin.register(TeamFeed)
class TeamFeedAdmin(admin.ModelAdmin):
    list_display = ["team", "created_at"]
    search_fields = ["team__name"]
    readonly_fields = ["team", "created_at"]
