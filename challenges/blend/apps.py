from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlendConfig(AppConfig):
    name = "challenges.blend"
    label = "blend"
    verbose_name = _("BLEND cultural questions")

    def ready(self):
        from challenges.intake import register  # noqa: PLC0415 -- app registry: the registry's types read the upload pipeline, which reads models

        from .intake import build_intake  # noqa: PLC0415 -- app registry: the intake reads the app's models

        register(build_intake())
        from . import receivers  # noqa: F401, PLC0415 -- app registry: connects the forgetting of remembered countries
