import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from challenges.domain import EditionFileError, load_edition, read_edition_file


class Command(BaseCommand):
    help = (
        "Create or update an edition and its challenges from an edition file (TOML). "
        "Loading the same file twice changes nothing; every changed value is recorded."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", type=Path, help="The edition file, e.g. editions/somosnlp-2025.toml"
        )
        parser.add_argument(
            "--starting-on",
            type=dt.date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="Move every date so the first window opens that day (to demonstrate a past edition).",
        )

    def handle(self, *args, path: Path, starting_on: dt.date | None, **options):
        try:
            report = load_edition(
                data=read_edition_file(path), starting_on=starting_on, base_dir=path.parent
            )
        except EditionFileError as error:
            raise CommandError(
                f"{path} was not loaded; nothing changed:\n  - "
                + "\n  - ".join(map(str, error.problems))
            ) from error
        edition = report.edition
        if report.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created edition {edition.slug} with {len(report.challenges_created)} challenges."
                )
            )
            return
        for slug in report.challenges_created:
            self.stdout.write(self.style.SUCCESS(f"Added challenge {slug}."))
        for change in report.changes:
            self.stdout.write(
                f"Changed {change.object_label} · {change.field}: {change.old_value!r} → {change.new_value!r}"
            )
        for slug in report.not_in_file:
            self.stdout.write(
                self.style.WARNING(f"Challenge {slug} is not in the file; left as it is.")
            )
        if not report.changes and not report.challenges_created:
            self.stdout.write(f"Edition {edition.slug} is already up to date; nothing changed.")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Updated edition {edition.slug}: {len(report.changes)} changes recorded."
                )
            )
