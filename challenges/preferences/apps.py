from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PreferencesConfig(AppConfig):
    name = "challenges.preferences"
    label = "preferences"
    verbose_name = _("Preference dataset (LLM arena)")

    def ready(self):
        from challenges.intake import register

        from .intake import build_intake

        register(build_intake())
