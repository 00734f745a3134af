import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy as _

from challenges.models import Edition
from hub.domain import organization_for, sync_edition


class Command(BaseCommand):
    # argparse needs a plain string here (a lazy translation breaks --help).
    help = (
        "Sync the current edition's Hugging Face organization (repositories and members) and "
        "print one JSON line with the counts."
    )

    def handle(self, *args, **options):
        edition = Edition.objects.current()
        if edition is None:
            raise CommandError(_("There is no edition to sync."))
        if not organization_for(edition=edition):
            raise CommandError(_("The edition has no Hugging Face organization."))
        run = sync_edition(edition=edition)
        line = {"edition": edition.slug, "status": run.status, **run.counts()}
        line["errors"] = len(run.errors)
        self.stdout.write(json.dumps(line, sort_keys=True))
