"""The personal-data gate at scale: (a) the scanner's rows per second on generated rows
(``--rows`` rows of 3 text fields, ``--names`` participants' names and as many usernames; one
row in 50 plants an email, a phone or a name, the others hold years, question numbers and
plain words), in process, without the database; (b) with ``--publish``, the scan of every
dataset and the publication of all of them to a temporary folder, on a seeded benchmark
database (``--items`` contributions, a small scale: the scan reads every published row).
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, arguments, report, seed, use_database

WORDS = (
    "el la de que en año pregunta examen comida fiesta familia región cultura historia lima "
    "cusco ceviche fútbol escuela trabajo abuela mercado río montaña plaza música"
).split()


def _text(rng: random.Random, names: list[str], planted: bool) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 30))
    words.insert(rng.randrange(len(words)), str(rng.choice([rng.randint(1, 60), 1990, 2024])))
    if planted:
        words.insert(
            rng.randrange(len(words)),
            rng.choice([f"p{rng.randint(1, 999)}@example.org", "+54 9 11 4567-8901", *names[:50]]),
        )
    return " ".join(words)


def bench_scanner(args) -> dict:
    from hub.personal_data import Scanner

    rng = random.Random(7)
    first = ["José", "María", "Ana", "Luis", "João", "Camila", "Pedro", "Lucía", "Andrés", "Inés"]
    names = [f"{rng.choice(first)} {rng.choice(WORDS).title()}{n}" for n in range(args.names)]
    usernames = [f"user_{n:05d}" for n in range(args.names)]
    rows = [
        [_text(rng, names, planted=n % 50 == 0 and field == 0) for field in range(3)]
        for n in range(args.rows)
    ]
    started = time.perf_counter()
    scanner = Scanner(names=names, usernames=usernames)
    built = time.perf_counter() - started
    started = time.perf_counter()
    found = sum(len(scanner.find(text)) for row in rows for text in row)
    seconds = time.perf_counter() - started
    return {
        "scanner": {
            "rows": args.rows,
            "text_fields": 3,
            "names": args.names,
            "usernames": args.names,
            "build_seconds": round(built, 3),
            "scan_seconds": round(seconds, 2),
            "rows_per_second": round(args.rows / seconds),
            "matches": found,
            "planted_rows": len(range(0, args.rows, 50)),
        }
    }


def bench_publishing(args) -> dict:
    use_database(args)
    figures = {"seed": seed(args)}
    from django.conf import settings

    from challenges.intake import publishable_kinds
    from challenges.models import Edition
    from hub.models import PersonalDataHit
    from hub.personal_data import scan_edition
    from hub.publishing import publish_dataset

    edition = Edition.objects.current()
    started = time.perf_counter()
    reports = scan_edition(edition=edition)
    scan_seconds = time.perf_counter() - started
    # What the seeded data plants is decided "keep" here: the benchmark measures the work.
    PersonalDataHit.objects.filter(edition=edition).update(decision=PersonalDataHit.Decision.KEEP)
    settings.HF_TOKEN = ""
    published = {}
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        for kind in publishable_kinds():
            try:
                publication = publish_dataset(
                    edition=edition, kind=kind, folder=Path(folder) / kind
                )
            except Exception as error:  # an empty dataset at this scale: said, not fatal
                published[kind] = str(getattr(error, "message", error))
            else:
                published[kind] = publication.rows
        publish_seconds = time.perf_counter() - started
    figures["publishing"] = {
        "items": args.items,
        "scan_seconds": round(scan_seconds, 2),
        "scanned_rows": {report.kind: report.rows for report in reports},
        "hits": {report.kind: report.found for report in reports},
        "publish_all_seconds": round(publish_seconds, 2),
        "published_rows": published,
    }
    return figures


def main() -> None:
    args = arguments(
        __doc__, rows=100_000, names=5000, publish=0, participants=300, teams=60, items=4012
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hackathon.settings")
    sys.path.insert(0, str(ROOT))
    figures = {}
    if args.publish:
        figures.update(bench_publishing(args))
    else:
        import django

        django.setup()
    figures.update(bench_scanner(args))
    report("publishing", figures)


if __name__ == "__main__":
    main()
