import json
import time

from django.core.management.base import BaseCommand, CommandError

from challenges.models import Edition
from scoring.domain import recompute_scores
from scoring.models import ScoreChange


class Command(BaseCommand):
    help = "Recompute every team's scores from the data; prints one JSON line. Running it twice changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--edition", help="Edition slug (default: the current edition).")

    def handle(self, *args, edition: str | None, **options):
        target = (
            Edition.objects.filter(slug=edition).first() if edition else Edition.objects.current()
        )
        if target is None:
            raise CommandError("No such edition.")
        started = time.perf_counter()
        changed = recompute_scores(edition=target, cause=ScoreChange.Cause.RECOMPUTE)
        seconds = round(time.perf_counter() - started, 3)
        self.stdout.write(
            json.dumps({"edition": target.slug, "scores_changed": changed, "seconds": seconds})
        )
