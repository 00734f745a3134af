from django.urls import path

from challenges.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project, name="project"),
    path("<int:team_id>/paper.pdf", views.paper, name="paper"),
]
