from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/<int:pk>/read/", views.mark_read, name="read"),
    path("notifications/read-all/", views.mark_all_read, name="read_all"),
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
    path("organize/outbox/", views.outbox, name="outbox"),
    path("organize/outbox/send/", views.outbox_send, name="outbox_send"),
    path("organize/outbox/policy/", views.outbox_policy, name="outbox_policy"),
    path("organize/outbox/compose/", views.compose, name="compose"),
    path("organize/outbox/<int:pk>/", views.outbox_email, name="outbox_email"),
]
