from django.urls import path

from hub import views

app_name = "hub"
urlpatterns = [
    # Organizers: the sync (start, progress, last runs) and the repositories.
    path("organize/hub/", views.sync_overview, name="sync"),
    path("organize/hub/start/", views.start_sync, name="start"),
    path("organize/hub/repos/", views.repo_list, name="repos"),
    path("organize/hub/repos/<int:pk>/link/", views.link_repo, name="link"),
    path("organize/hub/late/", views.late_commits, name="late_commits"),
    path("hub/repos/<int:pk>/", views.repo_detail, name="repo"),
    # Publishing the collected datasets.
    path("organize/hub/publish/", views.publications, name="publications"),
    path("organize/hub/publish/personal-data/", views.personal_data, name="personal_data"),
    path(
        "organize/hub/publish/<int:pk>/<str:name>",
        views.publication_file,
        name="publication_file",
    ),
    # Importing a team's dataset from the organization.
    path("challenges/<slug:slug>/import-from-hub/", views.import_dataset, name="import"),
]
