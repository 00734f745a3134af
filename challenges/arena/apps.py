from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArenaConfig(AppConfig):
    name = "challenges.arena"
    label = "arena"
    verbose_name = _("Arena (battles between models)")

    def ready(self):
        from challenges.domain.editions import register_edition_section  # noqa: PLC0415 -- app registry: the edition loader reads models

        from .domain.models_file import ARENA_MODELS_SECTION  # noqa: PLC0415 -- app registry: the section writes the app's models

        register_edition_section(ARENA_MODELS_SECTION)
