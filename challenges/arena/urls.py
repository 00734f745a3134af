from django.urls import path

from challenges.arena import views

app_name = "arena"
urlpatterns = [
    path("<slug:slug>/", views.arena, name="arena"),
    path("<slug:slug>/battle/<int:pk>/", views.battle, name="battle"),
    path("<slug:slug>/battle/<int:pk>/live/", views.live_answers, name="live"),
    path("<slug:slug>/battle/<int:pk>/vote/", views.vote, name="vote"),
    path("<slug:slug>/battle/<int:pk>/continue/", views.continue_battle, name="continue"),
    path("<slug:slug>/ratings/", views.ratings_page, name="ratings"),
    path("<slug:slug>/organize/", views.organize, name="organize"),
    path("<slug:slug>/organize/export/<str:shape>.jsonl", views.export, name="export"),
]
