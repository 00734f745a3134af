from django.urls import path

from challenges import views
from challenges.views import own
from challenges.views.guides import guide_feedback, organize_feedback
from challenges.views.uploads import upload_page

app_name = "challenges"
urlpatterns = [
    path("", views.home, name="home"),
    path("challenges/<slug:slug>/", views.challenge_detail, name="detail"),
    path(
        "challenges/<slug:slug>/guides/<slug:guide>/feedback/",
        guide_feedback,
        name="guide_feedback",
    ),
    path("challenges/<slug:slug>/mine/", own.own_contributions, name="own"),
    path("challenges/<slug:slug>/mine/<int:pk>/edit/", own.edit_contribution, name="own_edit"),
    path("challenges/<slug:slug>/mine/<int:pk>/withdraw/", own.withdraw, name="own_withdraw"),
    path("uploads/<int:pk>/", upload_page, name="upload"),
    path("organize/", views.organize, name="organize"),
    path("organize/<slug:slug>/review/", views.review_queue, name="review"),
    path("organize/<slug:slug>/review/decide/", views.decide, name="decide"),
    path(
        "organize/<slug:slug>/review/decide-matching/",
        views.decide_matching,
        name="decide_matching",
    ),
    path(
        "organize/<slug:slug>/review/decide-matching/confirm/",
        views.confirm_matching,
        name="confirm_matching",
    ),
    path(
        "organize/<slug:slug>/review/reject-duplicates/",
        views.reject_duplicates,
        name="reject_duplicates",
    ),
    path("organize/<slug:slug>/decisions/", views.decisions, name="decisions"),
    path("organize/<slug:slug>/export.<str:file_format>", views.export, name="export"),
    path("organize/<slug:slug>/extend/", views.extend, name="extend"),
    path("organize/<slug:slug>/validators/", views.validators, name="validators"),
    path("organize/<slug:slug>/feedback/", organize_feedback, name="guide_feedback_list"),
    path(
        "organize/<slug:slug>/validators/<int:user_id>/void/",
        views.void_validator,
        name="void_validator",
    ),
]
