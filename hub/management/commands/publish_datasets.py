import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from challenges.intake import publishable_kinds
from challenges.models import Edition
from hub.models import PublishedDataset
from hub.publishing import PublishRefused, publish_dataset


class Command(BaseCommand):
    # argparse needs plain strings here (a lazy translation breaks --help).
    help = (
        "Publish the current edition's collected datasets (to the Hub organization with "
        "HF_TOKEN, else to PUBLISHED_DATASETS_DIR) and print one JSON line per dataset."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--kind",
            action="append",
            choices=publishable_kinds(),
            help="A dataset to publish (repeat it for several); all of them by default.",
        )
        parser.add_argument(
            "--visibility",
            choices=PublishedDataset.Visibility.values,
            help="How the datasets are created on the Hub (default: each dataset's own; INCLUDE private).",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help="The language of the dataset cards' text (default: LANGUAGE_CODE).",
        )
        parser.add_argument(
            "--folder",
            type=Path,
            help="Write the datasets into DIR/<kind> instead (even with a Hub token).",
        )

    def handle(self, *args, **options):
        edition = Edition.objects.current()
        if edition is None:
            raise CommandError(_("There is no edition to publish."))
        kinds = options["kind"] or publishable_kinds()
        folder = options["folder"]
        failed = 0
        for kind in dict.fromkeys(kinds):  # each once, in the order given
            try:
                published = publish_dataset(
                    edition=edition,
                    kind=kind,
                    visibility=options["visibility"],
                    language=options["language"] or settings.LANGUAGE_CODE,
                    folder=folder / kind if folder else None,
                )
            except PublishRefused as refusal:
                # The other datasets are still published; the exit status tells of the failure.
                failed += 1
                line = {"kind": kind, "error": str(refusal.message)}
            else:
                line = {
                    "kind": published.kind,
                    "target": published.target,
                    "rows": published.rows,
                    "on_hub": published.on_hub,
                    "commit": published.commit,
                    "visibility": published.visibility,
                    "language": published.language,
                    "unchanged": published.unchanged,
                }
            self.stdout.write(json.dumps(line, ensure_ascii=False, sort_keys=True))
        if failed:
            raise CommandError(
                _("%(failed)s of %(total)s datasets were not published.")
                % {"failed": failed, "total": len(dict.fromkeys(kinds))}
            )
