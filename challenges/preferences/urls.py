from django.urls import path

from challenges.preferences import views

app_name = "preferences"
urlpatterns = [
    path("<slug:slug>/", views.home, name="home"),
    path("<slug:slug>/upload/", views.upload, name="upload"),
    path("<slug:slug>/quiz/", views.quiz, name="quiz"),
    path("<slug:slug>/validate/", views.validate, name="validate"),
    path("<slug:slug>/organize/arena/", views.arena_upload, name="arena_upload"),
    path("<slug:slug>/organize/arena/unmatched/", views.unmatched, name="unmatched"),
    path("<slug:slug>/organize/arena/rematch/", views.rematch, name="rematch"),
    path("<slug:slug>/organize/dataset/", views.dataset, name="dataset"),
    path(
        "<slug:slug>/organize/dataset/<int:pk>/<str:name>",
        views.dataset_download,
        name="dataset_download",
    ),
]
