"""What every benchmark shares: a seeded database of its own, Django set up on it, results."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def arguments(description: str, **defaults) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--participants", type=int, default=defaults.get("participants", 5000))
    parser.add_argument("--teams", type=int, default=defaults.get("teams", 1000))
    parser.add_argument("--items", type=int, default=defaults.get("items", 500_000))
    parser.add_argument("--reseed", action="store_true", help="Drop the benchmark database and seed it again.")
    for name, value in defaults.items():
        if name not in ("participants", "teams", "items"):
            parser.add_argument(f"--{name.replace('_', '-')}", type=type(value), default=value)
    return parser.parse_args()


def use_database(args: argparse.Namespace) -> str:
    """Point DATABASE_URL at bench_<items> on the configured server, creating it if needed."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("Benchmarks run on PostgreSQL: set DATABASE_URL=postgres://user@host:5432/postgres")
    import psycopg2

    name = f"bench_{args.items}"
    server = urlparse(base)
    admin = psycopg2.connect(urlunparse(server._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        if args.reseed:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    url = urlunparse(server._replace(path=f"/{name}"))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hackathon.settings")
    os.environ.setdefault("ACCOUNT_RATE_LIMITS_ENABLED", "false")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return url


def seed(args: argparse.Namespace) -> dict:
    """Migrate and seed once: the edition (live today), people, teams and contributions."""
    import datetime as dt

    from django.core.management import call_command

    from challenges.models import Edition

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    edition = Edition.objects.filter(slug="somosnlp-2025").first()
    seeded = edition is not None and edition.teams.exists()
    if not seeded:
        start = dt.date.today() - dt.timedelta(days=14)
        call_command("load_edition", str(ROOT / "editions" / "somosnlp-2025.toml"), starting_on=start, verbosity=0)
        call_command("seed_demo", teams=args.teams, participants=args.participants, items=args.items, verbosity=0)
    return {"seeded_now": not seeded, "seed_seconds": round(time.perf_counter() - started, 1)}


def report(name: str, figures: dict) -> None:
    """Print the figures as one JSON line and keep them in bench/results/<name>.json."""
    line = json.dumps({"benchmark": name, **figures}, ensure_ascii=False, sort_keys=False)
    print(line)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(line + "\n", encoding="utf-8")
