from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StereotypesConfig(AppConfig):
    name = "challenges.stereotypes"
    label = "stereotypes"
    verbose_name = _("Stereotypes")

    def ready(self) -> None:
        from challenges.intake import Column, Intake, register
        from challenges.stereotypes import domain
        from challenges.stereotypes.models import StereotypeRating

        register(
            Intake(
                kind="stereotypes",
                model=StereotypeRating,
                counted_label=_("validated ratings"),
                organize_url="stereotypes:pool",
                participate_url="stereotypes:home",
                review_columns=[
                    Column(_("Language"), lambda item: item.pair.language),
                    Column(_("Nationality"), lambda item: item.pair.nationality),
                    Column(_("Attribute"), lambda item: item.pair.attribute),
                    Column(_("Rating"), lambda item: _("skipped") if item.skipped else item.rating),
                    Column(_("Extra attribute"), lambda item: item.extra_attribute),
                    Column(
                        _("Other nationalities"),
                        lambda item: ", ".join(item.other_nationalities or []),
                    ),
                ],
                review_related=["pair"],
                language_lookup="pair__language",
                search_lookups=["pair__nationality", "pair__attribute", "extra_attribute"],
                export_fields=domain.EXPORT_FIELDS,
                export_rows=domain.export_rows,
            )
        )
