"""``seed_demo`` at the design scale: seconds to fill a fresh database (after ``migrate`` and
``load_edition``, timed apart), and the shape of what it made (rows per model, contributions per
kind and status, teams per size and track: ``demo.shape``). With ``--compare NAME`` the shape is
checked against another seeded database (for instance a copy of bench_500000 seeded before)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time

from common import ROOT, arguments, report, use_database


def shape_of(database: str) -> dict:
    """The shape of another database, read by a child process (Django holds one database)."""
    script = (
        "import json, os, sys, django; sys.path.insert(0, sys.argv[1]);"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'hackathon.settings'); django.setup();"
        "from demo.shape import describe_seeded_data; print(json.dumps(describe_seeded_data()))"
    )
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    output = subprocess.run(
        [sys.executable, "-c", script, str(ROOT)],
        env={**os.environ, "DATABASE_URL": f"{base}/{database}"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    args = arguments(__doc__, compare="")
    args.reseed = True  # always a fresh database: the seeding itself is what is timed
    url = use_database(args, name=f"bench_seed_{args.items}")
    figures = {
        "scale": {"participants": args.participants, "teams": args.teams, "items": args.items}
    }
    from django.core.management import call_command

    from demo.shape import describe_seeded_data

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command(
        "load_edition",
        str(ROOT / "editions" / "somosnlp-2025.toml"),
        starting_on=dt.date.today() - dt.timedelta(days=14),
        verbosity=0,
    )
    figures["migrate_and_load_seconds"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    call_command(
        "seed_demo",
        teams=args.teams,
        participants=args.participants,
        items=args.items,
        verbosity=0,
    )
    figures["seed_demo_seconds"] = round(time.perf_counter() - started, 1)
    shape = describe_seeded_data()
    figures["rows"] = sum(shape["rows"].values())
    figures["contributions"] = {
        kind: sum(statuses.values()) for kind, statuses in shape["statuses"].items()
    }
    if args.compare:
        other = shape_of(args.compare)
        # Score changes and recompute runs depend on what ran on the other database since.
        ignored = {"scoring.ScoreChange", "scoring.RecomputeRun"}
        differences = {
            label: [shape["rows"].get(label), other["rows"].get(label)]
            for label in set(shape["rows"]) | set(other["rows"])
            if label not in ignored and shape["rows"].get(label) != other["rows"].get(label)
        }
        for part in ("statuses", "team_sizes", "tracks"):
            if shape[part] != other[part]:
                differences[part] = [shape[part], other[part]]
        figures["same_shape_as"] = {"database": args.compare, "differences": differences}
    figures["database"] = url.rsplit("/", 1)[-1]
    report("seeding", figures)


if __name__ == "__main__":
    main()
