from django.urls import path

from schedule import views

app_name = "schedule"
urlpatterns = [
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar.ics", views.calendar_ics, name="ics"),
    path("calendar/team/<str:token>.ics", views.team_feed_ics, name="team_ics"),
    path("team/calendar/", views.team_calendar, name="team_calendar"),
    path(
        "team/calendar/regenerate/", views.regenerate_team_calendar, name="team_calendar_regenerate"
    ),
    path("organize/calendar/", views.organize_events, name="organize"),
    path("organize/calendar/<int:pk>/", views.organize_events, name="edit"),
    path("organize/calendar/<int:pk>/remove/", views.remove_event, name="remove"),
]
