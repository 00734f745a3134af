"""The personal-data gate at scale: (a) the scanner's rows per second on generated rows
(``--rows`` rows of 3 text fields, ``--names`` participants' names and as many usernames; one
row in 50 plants an email, a phone or a name, the others hold years, question numbers and
plain words), in process, without the database; (b) with ``--publish``, the scan of every
dataset (as the Celery task runs it: its rows read per second) and the publication of all of
them to a temporary folder (each publication scans its dataset again), on a seeded benchmark
database: seconds, rows per config, peak memory (the process's peak RSS).

The design scale, on a copy of the seeded database (never the seeded one itself):
``createdb -T bench_500000 bench_500000_pub`` then
``python bench/publishing.py --publish 1 --items 500000 --database bench_500000_pub``.
"""

from __future__ import annotations

import os
import random
import resource
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


def _peak_rss_mb() -> float:
    """The process's peak resident memory so far (Linux: ru_maxrss in KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _config_rows(folder: Path) -> dict[str, int]:
    """Rows of each config written (its Parquet file's metadata), by config directory."""
    import pyarrow.parquet as pq

    return {
        path.parent.name: pq.ParquetFile(path).metadata.num_rows
        for path in sorted(folder.glob("*/train.parquet"))
    }


def bench_publishing(args) -> dict:
    use_database(args)
    figures = {"seed": seed(args)}
    from django.conf import settings

    from challenges.intake import get_intake, publishable_kinds
    from challenges.models import Edition
    from hub.models import PersonalDataHit
    from hub.personal_data import request_scan, run_scan
    from hub.publishing import publish_dataset

    edition = Edition.objects.current()
    validated = {
        kind: get_intake(kind)
        .publication.published(get_intake(kind).model.objects.filter(challenge__edition=edition))
        .count()
        for kind in publishable_kinds()
    }
    contributions = sum(
        get_intake(kind).model.objects.filter(challenge__edition=edition).count()
        for kind in publishable_kinds()
    )
    # The scan as organizers start it (the Celery task's work, run here in process).
    scan = request_scan(edition=edition, by=None, enqueue=lambda pk: None)
    started = time.perf_counter()
    scan = run_scan(scan=scan)
    scan_seconds = time.perf_counter() - started
    memory_after_scan = _peak_rss_mb()
    # What the seeded data plants is decided "keep" here: the benchmark measures the work.
    PersonalDataHit.objects.filter(edition=edition).update(decision=PersonalDataHit.Decision.KEEP)
    settings.HF_TOKEN = ""
    published, seconds, configs = {}, {}, {}
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        for kind in publishable_kinds():
            kind_started = time.perf_counter()
            try:
                publication = publish_dataset(
                    edition=edition, kind=kind, folder=Path(folder) / kind
                )
            except Exception as error:  # an empty dataset at this scale: said, not fatal
                published[kind] = str(getattr(error, "message", error))
            else:
                published[kind] = publication.rows
                configs[kind] = _config_rows(Path(folder) / kind)
            seconds[kind] = round(time.perf_counter() - kind_started, 2)
        publish_seconds = time.perf_counter() - started
    figures["publishing"] = {
        "items": args.items,
        "contributions": contributions,
        "validated": validated,
        "scan_status": scan.status,
        "scan_seconds": round(scan_seconds, 2),
        "scan_rows_read": scan.rows_scanned,
        "scan_rows_per_second": round(scan.rows_scanned / scan_seconds) if scan_seconds else 0,
        "hits": scan.found,
        "peak_rss_mb_after_scan": memory_after_scan,
        "publish_all_seconds": round(publish_seconds, 2),
        "publish_seconds": seconds,
        "published_rows": published,
        "config_rows": configs,
        "peak_rss_mb": _peak_rss_mb(),
        "load_average": [round(value, 2) for value in os.getloadavg()],
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
