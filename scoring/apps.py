from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Scoring")

    def ready(self) -> None:
        # Importing the receivers connects the recompute triggers.
        from scoring import receivers  # noqa: F401, PLC0415 -- app registry: receivers import models
