from hub.views.importing import import_dataset
from hub.views.late import late_commits
from hub.views.personal_data import personal_data
from hub.views.publishing import publication_file, publications
from hub.views.repos import link_repo, repo_detail, repo_list
from hub.views.sync import start as start_sync
from hub.views.sync import sync_overview

__all__ = [
    "late_commits",
    "link_repo",
    "repo_detail",
    "repo_list",
    "start_sync",
    "sync_overview",
    "personal_data",
    "publications",
    "publication_file",
    "import_dataset",
]
