import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from challenges.domain.edition_copies import shift_edition_file
from challenges.domain.editions import EditionFileError


class Command(BaseCommand):
    help = (
        "Write the edition file of a later edition from an earlier one: every date moved so "
        "that the first window opens on --starting-on, the slug replaced, the rest kept as it "
        "is, ready to edit. Load it afterwards with load_edition."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from",
            dest="source",
            required=True,
            help="The earlier edition: its slug (a file in editions/) or the path of its file.",
        )
        parser.add_argument("--slug", required=True, help="The new edition's slug.")
        parser.add_argument(
            "--starting-on",
            required=True,
            type=dt.date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="The day the new edition's first window opens.",
        )
        parser.add_argument(
            "--output", type=Path, help="Where to write it (default: editions/<slug>.toml)."
        )
        parser.add_argument(
            "--force", action="store_true", help="Overwrite the output file if it exists."
        )

    def handle(self, *args, source: str, slug: str, starting_on: dt.date, output, force, **options):
        editions = Path(settings.BASE_DIR) / "editions"
        path = Path(source)
        if not path.suffix:
            path = editions / f"{source}.toml"
        output = output or path.parent / f"{slug}.toml"
        if output.exists() and not force:
            raise CommandError(f"{output} exists; nothing written (use --force to overwrite).")
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as error:
            raise CommandError(f"There is no edition file at {path}.") from error
        try:
            moved = shift_edition_file(text=text, slug=slug, starting_on=starting_on)
        except EditionFileError as error:
            raise CommandError(
                f"{path} was not read; nothing written:\n  - " + "\n  - ".join(error.problems)
            ) from error
        header = (
            f"# Written by `manage.py new_edition --from {source}` with every date moved so that "
            f"the first window opens on {starting_on.isoformat()}.\n# Check the name, taglines, "
            "Hub organization and links, texts, consent version and data files before loading.\n"
        )
        output.write_text(header + moved, encoding="utf-8")
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {output}. Edit it, then: python manage.py load_edition {output}"
            )
        )
