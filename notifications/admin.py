from django.contrib import admin

from notifications.models import Campaign, Email, EmailSettings, KindPolicy, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    raw_id_fields = ["user", "email"]


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    list_display = ["to", "kind", "state", "subject", "attempts", "created_at", "sent_at"]
    list_filter = ["state", "kind"]
    raw_id_fields = ["user", "campaign"]
    readonly_fields = ["attempts", "last_error", "sent_at"]


admin.site.register(Campaign)
admin.site.register(KindPolicy)
admin.site.register(EmailSettings)
