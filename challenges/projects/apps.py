from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "challenges.projects"
    label = "projects"
    verbose_name = _("Project submissions")
