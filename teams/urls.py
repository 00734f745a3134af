from django.urls import path

from teams import views

app_name = "teams"
urlpatterns = [
    path("team/", views.my_team, name="mine"),
    path("team/create/", views.create_team, name="create"),
    path("team/edit/", views.edit_team, name="edit"),
    path("team/invite/", views.regenerate_invite, name="regenerate_invite"),
    path("team/leave/", views.leave_team, name="leave"),
    path("team/register/", views.register_team, name="register"),
    path("team/members/<int:user_id>/remove/", views.remove_member, name="remove_member"),
    path(
        "team/members/<int:user_id>/captain/", views.transfer_captaincy, name="transfer_captaincy"
    ),
    path("join/<str:token>/", views.join_team, name="join"),
    path("teams/", views.team_list, name="list"),
    path("teams/<int:pk>/", views.team_detail, name="detail"),
]
