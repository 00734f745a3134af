from django.urls import path

from challenges import views

app_name = "challenges"
urlpatterns = [
    path("", views.home, name="home"),
    path("challenges/<slug:slug>/", views.challenge_detail, name="detail"),
    path("organize/", views.organize, name="organize"),
]
