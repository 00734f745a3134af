"""Fill the current edition with realistic demo participants and teams.

Idempotent: people are demo-<n>@example.org and teams "Demo <n> · <name>"; running it again
creates only what is missing. Built with bulk inserts so that benchmark scale (thousands of
people) takes seconds.
"""

import importlib
import random

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Consent, Profile, User
from challenges.intake import REGISTRY
from challenges.models import Edition
from hackathon.bulk import insert_rows
from scoring.domain import recompute_scores
from scoring.models import ScoreChange
from teams.models import Membership, Team, team_name_key

FIRST_NAMES = [
    "María", "José", "Lucía", "Mateo", "Valentina", "Santiago", "Camila", "Diego", "Sofía", "Joaquín",
    "Ana", "João", "Beatriz", "Pedro", "Inês", "Tiago", "Nayeli", "Yupanqui", "Aitana", "Iker",
    "Martina", "Bruno", "Guadalupe", "Thiago", "Jimena", "Nahuel", "Carmen", "Leire", "Rafael", "Xiomara",
]  # fmt: skip
LAST_NAMES = [
    "Quispe", "González", "Silva", "Fernández", "Mamani", "Rodríguez", "Souza", "López", "Pereira",
    "Martínez", "Gómez", "Oliveira", "Díaz", "Torres", "Ramírez", "Costa", "Vargas", "Castro",
    "Etxeberria", "Ferreira", "Huamán", "Sánchez", "Rojas", "Almeida", "Chávez",
]  # fmt: skip
TEAM_WORDS = [
    "Alpacas", "Cóndores", "Jaguares", "Colibríes", "Quetzales", "Vicuñas", "Tucanes", "Capibaras",
    "Ceibas", "Araucarias", "Andes", "Pampas", "Caribe", "Amazonía", "Atlántico", "Mesetas",
]  # fmt: skip
COUNTRIES = [
    "PE",
    "MX",
    "AR",
    "CO",
    "CL",
    "ES",
    "PT",
    "BR",
    "BO",
    "EC",
    "VE",
    "UY",
    "PY",
    "GT",
    "CU",
    "CR",
]
LANGUAGES = {
    "BR": ["pt"],
    "PT": ["pt"],
    "PY": ["es", "gn"],
    "PE": ["es", "qu"],
    "BO": ["es", "ay"],
    "ES": ["es", "ca"],
}
DEMO_PASSWORD = "demo-participant"


class Command(BaseCommand):
    help = "Create demo participants (password: demo-participant) and teams in the current edition."

    def add_arguments(self, parser):
        parser.add_argument("--teams", type=int, default=6)
        parser.add_argument("--participants", type=int, default=20)
        parser.add_argument(
            "--items",
            type=int,
            default=0,
            help="Contributions to create, spread over every challenge that collects them and every status.",
        )
        parser.add_argument(
            "--seed", type=int, default=2025, help="Random seed: same seed, same data."
        )

    def handle(self, *args, teams: int, participants: int, items: int, seed: int, **options):
        edition = Edition.objects.current()
        if edition is None:
            raise CommandError(
                "Load an edition first: python manage.py load_edition editions/somosnlp-2025.toml"
            )
        if teams * edition.team_min_size > participants:
            raise CommandError("Not enough participants to give every team its minimum size.")
        rng = random.Random(seed)
        with transaction.atomic():
            people = self.seed_people(edition, participants, rng)
            created_teams = self.seed_teams(edition, teams, people, rng)
        created_items = self.seed_items(edition, people, items, rng) if items else {}
        if created_items:
            # Bulk inserts send no signals: bring the stored scores in line once, at the end.
            recompute_scores(edition=edition, cause=ScoreChange.Cause.RECOMPUTE, detail="seed_demo")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data: {len(people)} participants (password {DEMO_PASSWORD}), {created_teams} new teams"
                + "".join(f", {count} {kind} items" for kind, count in created_items.items())
                + "."
            )
        )

    def seed_items(
        self, edition, people: list[User], items: int, rng: random.Random
    ) -> dict[str, int]:
        """Spread ``items`` contributions over the challenges that collect them, in the shares
        the 2025 edition had (exam questions first), each app creating its own realistic rows."""
        shares = {"include": 0.5, "blend": 0.2, "preferences": 0.15, "stereotypes": 0.15}
        created = {}
        for challenge in edition.challenges.filter(kind__in=list(REGISTRY)).order_by("position"):
            module = importlib.import_module(f"challenges.{challenge.kind}.seeding")
            count = round(items * shares.get(challenge.kind, 0.1))
            with transaction.atomic():
                created[challenge.kind] = module.seed_items(
                    challenge=challenge, authors=people, count=count, rng=rng
                )
        return created

    def seed_people(self, edition, count: int, rng: random.Random) -> list[User]:
        emails = [f"demo-{n}@example.org" for n in range(1, count + 1)]
        existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        password = make_password(DEMO_PASSWORD)
        insert_rows(
            User,
            [User(email=email, password=password) for email in emails if email not in existing],
        )
        users = list(User.objects.filter(email__in=emails).order_by("id"))
        with_profile = set(Profile.objects.filter(user__in=users).values_list("user_id", flat=True))
        profiles = []
        for user in users:
            if user.pk in with_profile:
                continue
            number = user.email.split("-")[1].split("@")[0]
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            country = rng.choice(COUNTRIES)
            profiles.append(
                Profile(
                    user=user,
                    display_name=f"{first} {last}",
                    discord_username=f"demo_{number}",
                    hub_username=f"demo-{number}",
                    country=country,
                    languages=LANGUAGES.get(country, ["es"]),
                )
            )
        insert_rows(Profile, profiles)
        # Verified addresses, so demo people sign in at once (email verification is mandatory).
        insert_rows(
            EmailAddress,
            [
                EmailAddress(user=user, email=user.email, verified=True, primary=True)
                for user in users
            ],
            ignore_conflicts=True,
        )
        insert_rows(
            Consent,
            [
                Consent(user=user, edition=edition, version=edition.consent_version)
                for user in users
            ],
            ignore_conflicts=True,
        )
        return users

    def seed_teams(self, edition, count: int, people: list[User], rng: random.Random) -> int:
        in_a_team = set(
            Membership.objects.filter(edition=edition).values_list("user_id", flat=True)
        )
        free = [user for user in people if user.pk not in in_a_team]
        names = [f"Demo {n} · {TEAM_WORDS[(n - 1) % len(TEAM_WORDS)]}" for n in range(1, count + 1)]
        existing = set(
            Team.objects.filter(edition=edition, name__in=names).values_list("name", flat=True)
        )
        # Only as many new teams as the free people can fill to the minimum size.
        names = [name for name in names if name not in existing][
            : len(free) // edition.team_min_size
        ]
        new_teams = [
            Team(
                edition=edition,
                name=name,
                name_key=team_name_key(name),
                countries=rng.sample(COUNTRIES, k=rng.randint(1, 3)),
                track=rng.choice(["", "A", "B"]),
            )
            for name in names
        ]
        insert_rows(Team, new_teams)
        teams = list(
            Team.objects.filter(edition=edition, name__in=[t.name for t in new_teams]).order_by(
                "id"
            )
        )
        memberships = []
        for position, team in enumerate(teams):
            # Keep enough free people for every team still to fill.
            spare = len(free) - (len(teams) - position - 1) * edition.team_min_size
            size = min(rng.randint(edition.team_min_size, edition.team_max_size), spare)
            for index in range(size):
                role = Membership.Role.CAPTAIN if index == 0 else Membership.Role.MEMBER
                memberships.append(
                    Membership(team=team, user=free.pop(), edition=edition, role=role)
                )
        insert_rows(Membership, memberships)
        return len(teams)
