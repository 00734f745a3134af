import json

from django.core.management.base import BaseCommand, CommandError

from challenges.models import Edition
from hub.domain import SyncRefused, sync_edition


class Command(BaseCommand):
    # argparse needs a plain string here (a lazy translation breaks --help).
    help = (
        "Sync the current edition's Hugging Face organization (repositories, their details, "
        "members, links to teams) in the foreground and print one JSON line with the counts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--full",
            action="store_true",
            help="Read every listing page (notices deleted repositories).",
        )

    def handle(self, *args, **options):
        edition = Edition.objects.current()
        if edition is None:
            raise CommandError("There is no edition to sync.")
        try:
            run = sync_edition(edition=edition, full=options["full"])
        except SyncRefused as error:
            raise CommandError(str(error.message)) from error
        line = {"edition": edition.slug, "status": run.status, **run.counts()}
        line["errors"] = len(run.errors)
        self.stdout.write(json.dumps(line, sort_keys=True))
