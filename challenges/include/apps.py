from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncludeConfig(AppConfig):
    name = "challenges.include"
    label = "include"
    verbose_name = _("INCLUDE exams")

    def ready(self):
        from challenges.intake import register

        from .intake import build_intake

        register(build_intake())
