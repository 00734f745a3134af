from django.urls import path

from judging.views import assign, gallery, judge, judges, rubric

app_name = "judging"
urlpatterns = [
    path("projects/", gallery.gallery, name="gallery"),
    path("judging/", judge.home, name="home"),
    path("judging/invitations/<str:token>/", judges.accept, name="accept"),
    path("judging/<slug:slug>/<int:team_id>/", judge.project, name="project"),
    path("judging/<slug:slug>/<int:team_id>/conflict/", judge.conflict, name="conflict"),
    path("organize/judges/", judges.judges, name="judges"),
    path("organize/judges/<int:user_id>/capacity/", judges.capacity, name="capacity"),
    path("organize/judges/<int:user_id>/remove/", judges.remove, name="remove"),
    path("organize/judges/invitations/<int:pk>/withdraw/", judges.withdraw, name="withdraw"),
    path("organize/judging/", assign.dashboard, name="dashboard"),
    path("organize/judges/remind/", assign.remind, name="remind"),
    path("organize/judging/<slug:slug>/assignment/", assign.assignment, name="assignment"),
    path("organize/judging/<slug:slug>/assignment/run/", assign.run, name="run"),
    path("organize/judging/<slug:slug>/assignment/hand/", assign.hand, name="hand"),
    path("organize/judging/<slug:slug>/assignment.csv", assign.export_csv, name="export"),
    path("organize/judging/<slug:slug>/assignment/import/", assign.import_csv, name="import"),
    path("organize/judging/<slug:slug>/rubric/", rubric.rubric, name="rubric"),
]
