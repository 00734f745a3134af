from django.urls import path

from scoring import views

app_name = "scoring"
urlpatterns = [
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("leaderboard.json", views.leaderboard_json, name="leaderboard_json"),
    path("leaderboard.csv", views.leaderboard_csv, name="leaderboard_csv"),
]
