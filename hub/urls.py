from django.urls import path

from hub import views

app_name = "hub"
urlpatterns = [
    # Organizers: the sync (start, progress, last runs) and the repositories.
    path("organize/hub/", views.sync_overview, name="sync"),
    # Publishing the collected datasets.
    path("organize/hub/publish/", views.publications, name="publications"),
    # Importing a team's dataset from the organization.
    path("challenges/<slug:slug>/import-from-hub/", views.import_dataset, name="import"),
]
