from django.contrib.admin.apps import AdminConfig


class HackathonAdminConfig(AdminConfig):
    """The admin, with the site that lets the organizers group in (see admin_site.py)."""

    default_site = "hackathon.admin_site.OrganizerAdminSite"
