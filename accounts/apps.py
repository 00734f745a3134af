from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("People")

    def ready(self) -> None:
        from accounts.roles import ensure_role_groups  # noqa: PLC0415 -- app registry: roles imports the auth models

        # After every migrate, because permissions only exist once all models are migrated.
        post_migrate.connect(ensure_role_groups, dispatch_uid="accounts.ensure_role_groups")
        from accounts import receivers  # noqa: F401, PLC0415 -- app registry: connects the forgetting of remembered groups
