from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PreferencesConfig(AppConfig):
    name = "challenges.preferences"
    label = "preferences"
    verbose_name = _("Preference dataset (LLM arena)")

    def ready(self):
        from challenges.intake import Column, Intake, register
        from challenges.models import Challenge
        from challenges.preferences.domain import EXPORT_FIELDS, export_prompt_rows
        from challenges.preferences.models import Prompt

        register(
            Intake(
                kind=Challenge.Kind.PREFERENCES,
                model=Prompt,
                counted_label=_("validated prompts"),
                organize_url="preferences:arena_upload",
                participate_url="preferences:home",
                review_columns=[
                    Column(
                        _("Country"), lambda prompt: prompt.country.name if prompt.country else ""
                    ),
                    Column(_("Language"), lambda prompt: prompt.get_language_display()),
                    Column(_("System prompt"), lambda prompt: prompt.system_prompt),
                    Column(_("Prompt"), lambda prompt: prompt.text),
                    Column(_("Topic"), lambda prompt: prompt.topic),
                    Column(_("Approvals"), lambda prompt: prompt.approvals),
                    Column(_("Rejections"), lambda prompt: prompt.rejections),
                    Column(_("Source"), lambda prompt: prompt.get_source_display()),
                ],
                export_fields=EXPORT_FIELDS,
                export_rows=export_prompt_rows,
                review_related=[],
                country_lookup="country",
                language_lookup="language",
                search_lookups=["text", "system_prompt", "topic"],
            )
        )
