import json

from django.core.management.base import BaseCommand, CommandError

from challenges.models import Challenge, Edition
from judging.domain.assigning import AssignmentRefused, run_assignment


class Command(BaseCommand):
    help = (
        "Assign judges to every team of a judged challenge of the current edition: N judges per "
        "team, balanced within their capacities, never a conflict of interest, the same result "
        "for the same seed. Prints one JSON line."
    )

    def add_arguments(self, parser):
        parser.add_argument("--challenge", required=True, help="The challenge's slug.")
        parser.add_argument("--per-team", type=int, default=None, help="Judges per team.")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--same-country-conflict",
            action="store_true",
            help="A judge never gets a team from their own country.",
        )
        parser.add_argument("--edition", default="", help="The edition's slug (default: current).")

    def handle(self, *args, challenge, per_team, seed, same_country_conflict, edition, **options):
        found = (
            Edition.objects.filter(slug=edition).first() if edition else Edition.objects.current()
        )
        if found is None:
            raise CommandError("No edition is loaded.")
        target = Challenge.objects.filter(edition=found, slug=challenge).first()
        if target is None:
            raise CommandError(f"No challenge {challenge!r} in {found.slug}.")
        try:
            summary = run_assignment(
                challenge=target,
                per_team=per_team,
                seed=seed,
                same_country=True if same_country_conflict else None,
            )
        except AssignmentRefused as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(json.dumps(summary, ensure_ascii=False, default=str))
