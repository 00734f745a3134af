from django.contrib.admin.apps import AdminConfig
from django.core.cache import caches
from django.utils.autoreload import file_changed


def forget_fragments(sender, file_path, **kwargs) -> None:
    """runserver saw a file change: template fragments kept by this process are built again
    (a template edited under a running server shows on the next page, not in 10 minutes)."""
    if file_path.suffix == ".html":
        caches["fragments"].clear()


class HackathonAdminConfig(AdminConfig):
    """The admin, with the site that lets the organizers group in (see admin_site.py); the
    project's own app config, too (its ``ready``)."""

    default_site = "hackathon.admin_site.OrganizerAdminSite"

    def ready(self) -> None:
        super().ready()
        file_changed.connect(forget_fragments, dispatch_uid="forget-template-fragments")
