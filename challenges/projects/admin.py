from django.contrib import admin

from challenges.projects.models import ProjectSubmission


@admin.register(ProjectSubmission)
class ProjectSubmissionAdmin(admin.ModelAdmin):
    list_display = ["team", "demo_space", "video_url", "video_seconds", "updated_at"]
    list_filter = ["team__edition", "team__track"]
    search_fields = ["team__name", "demo_space", "video_url"]
    list_select_related = ["team"]
    raw_id_fields = ["team", "updated_by"]
