from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncludeConfig(AppConfig):
    name = "challenges.include"
    label = "include"
    verbose_name = _("INCLUDE exams")

    def ready(self):
        from challenges.intake import register  # noqa: PLC0415 -- app registry: the registry's types read the upload pipeline, which reads models

        from .intake import build_intake  # noqa: PLC0415 -- app registry: the intake reads the app's models

        register(build_intake())
