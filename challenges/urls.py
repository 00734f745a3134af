from django.urls import path

from challenges import views

app_name = "challenges"
urlpatterns = [
    path("", views.home, name="home"),
    path("challenges/<slug:slug>/", views.challenge_detail, name="detail"),
    path("organize/", views.organize, name="organize"),
    path("organize/<slug:slug>/review/", views.review_queue, name="review"),
    path("organize/<slug:slug>/review/decide/", views.decide, name="decide"),
    path(
        "organize/<slug:slug>/review/reject-duplicates/",
        views.reject_duplicates,
        name="reject_duplicates",
    ),
    path("organize/<slug:slug>/decisions/", views.decisions, name="decisions"),
    path("organize/<slug:slug>/export.<str:file_format>", views.export, name="export"),
    path("organize/<slug:slug>/extend/", views.extend, name="extend"),
]
