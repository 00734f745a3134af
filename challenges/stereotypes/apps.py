from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StereotypesConfig(AppConfig):
    name = "challenges.stereotypes"
    label = "stereotypes"
    verbose_name = _("Stereotypes")

    def ready(self) -> None:
        from challenges.intake import register

        from .intake import build_intake

        register(build_intake())
