from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HubConfig(AppConfig):
    name = "hub"
    label = "hub"
    verbose_name = _("Hugging Face Hub")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from challenges.intake import register_upload_channel  # noqa: PLC0415 -- app registry
        from challenges.models import Upload  # noqa: PLC0415 -- app registry
        from hub.upload_channel import uploader_from_hub  # noqa: PLC0415 -- app registry

        register_upload_channel(Upload.Channel.HUB, uploader_from_hub)
