from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StereotypesConfig(AppConfig):
    name = "challenges.stereotypes"
    label = "stereotypes"
    verbose_name = _("Stereotypes")

    def ready(self) -> None:
        from challenges.intake import register  # noqa: PLC0415 -- app registry: the registry's types read the upload pipeline, which reads models

        from .intake import build_intake  # noqa: PLC0415 -- app registry: the intake reads the app's models

        register(build_intake())
        from . import receivers  # noqa: F401, PLC0415 -- app registry: connects the forgetting of remembered consents and profiles
