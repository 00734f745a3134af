from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlendConfig(AppConfig):
    name = "challenges.blend"
    label = "blend"
    verbose_name = _("BLEND cultural questions")

    def ready(self):
        from challenges.intake import register

        from .intake import build_intake

        register(build_intake())
