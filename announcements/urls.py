from django.urls import path

from announcements import views

app_name = "announcements"
urlpatterns = [
    path("announcements/", views.announcement_list, name="list"),
    path("announcements/feed/", views.AnnouncementFeed(), name="feed"),
    path("announcements/<int:pk>/", views.announcement_detail, name="detail"),
    path("organize/announcements/", views.organize_announcements, name="organize"),
]
