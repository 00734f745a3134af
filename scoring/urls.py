from django.urls import path

from scoring import views

app_name = "scoring"
urlpatterns = [
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("leaderboard.json", views.leaderboard_json, name="leaderboard_json"),
    path("leaderboard.csv", views.leaderboard_csv, name="leaderboard_csv"),
    path("teams/<int:pk>/score/", views.team_score, name="team_score"),
    path("organize/gates/", views.gates, name="gates"),
    path("organize/gates/<int:team_id>/<str:kind>/", views.grant_team, name="grant"),
    path("organize/incentives.csv", views.incentives_csv, name="incentives_csv"),
    path("organize/judging/<slug:slug>/", views.judging_overview, name="judging_overview"),
    path("organize/judged-points/", views.publish, name="publish_judged"),
    path("organize/recompute/", views.recompute_progress, name="recompute_progress"),
    path("organize/judging/<slug:slug>/<int:team_id>/override/", views.override, name="override"),
]
