"""The near-duplicate check of a 20,000-question upload against 500,000 items already in the
index (``challenges.near_duplicates``): signing the upload, looking its bands up in the
database, verifying the candidates. Seconds and peak memory (Python allocations, and the
process's maximum RSS); the index is filled once (``--reseed`` starts again)."""

from __future__ import annotations

import os
import random
import resource
import time
import tracemalloc

from common import arguments, database_cpu_seconds, report, use_database

ITEM_TYPE = "bench.question"
SYLLABLES = "ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu qui que gua güi ña ño ción".split()
# A vocabulary as varied as exams' (5,000 words of 2 to 4 syllables): unrelated questions share
# few shingles, as real ones do.
_VOCABULARY_RNG = random.Random(2025)
WORDS = [
    "".join(_VOCABULARY_RNG.choice(SYLLABLES) for _ in range(_VOCABULARY_RNG.randint(2, 4)))
    for _ in range(5000)
]


def text_of(number: int) -> str:
    """A question of 20 words, the same for a number every time."""
    rng = random.Random(number)
    return "¿" + " ".join(rng.choice(WORDS) for _ in range(20)) + "?"


def main() -> None:
    args = arguments(__doc__, rows=20000, near=200)
    use_database(args, name=f"bench_near_duplicates_{args.items}")

    from django.core.management import call_command
    from django.db import connection

    from challenges.models import Challenge, Edition, NearDuplicateBand
    from challenges.near_duplicates import find_near_duplicates, index_items, sign

    call_command("migrate", verbosity=0)
    if not Edition.objects.exists():
        from common import ROOT

        call_command("load_edition", str(ROOT / "editions" / "somosnlp-2025.toml"), verbosity=0)
    challenge = Challenge.objects.filter(kind="include").first()
    figures = {"scale": {"stored_items": args.items}, "rows": args.rows}
    indexed = NearDuplicateBand.objects.filter(item_type=ITEM_TYPE).count()
    if args.reseed or not indexed:
        NearDuplicateBand.objects.filter(item_type=ITEM_TYPE).delete()
        started = time.perf_counter()
        for start in range(1, args.items + 1, 20_000):
            numbers = range(start, min(start + 20_000, args.items + 1))
            signed = sign([text_of(number) for number in numbers])
            index_items(
                challenge_id=challenge.pk,
                item_type=ITEM_TYPE,
                items=zip(numbers, signed, strict=True),
            )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE challenges_nearduplicateband")
        figures["index_seconds"] = round(time.perf_counter() - started, 1)
    figures["index_rows"] = NearDuplicateBand.objects.filter(item_type=ITEM_TYPE).count()

    # The upload: new questions, and ``near`` copies of stored ones with one word changed.
    rng = random.Random(7)
    upload = [text_of(args.items + 1 + number) for number in range(args.rows - args.near)]
    for number in rng.sample(range(1, args.items + 1), args.near):
        upload.append(text_of(number).replace("¿", "¿hoy ", 1))

    def texts_of(candidates) -> dict[int, tuple[str, str]]:
        # The stored items' texts are made again from their ids (one query for the ids).
        sql, params = candidates.sql, candidates.params
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return {number: (text_of(number), "") for (number,) in cursor.fetchall()}

    def check():
        database_cpu = database_cpu_seconds()
        started, cpu = time.perf_counter(), time.process_time()
        signed = sign(upload)
        signed_at = time.perf_counter()
        found = find_near_duplicates(
            challenge_id=challenge.pk,
            item_type=ITEM_TYPE,
            signed=signed,
            stored_texts=texts_of,
        )
        return (
            found,
            signed_at - started,
            time.perf_counter() - started,
            time.process_time() - cpu,
            database_cpu_seconds() - database_cpu,
        )

    # Timed without tracemalloc (which slows allocations down 2 to 3 times), then measured.
    sign(upload[:1])  # the band layout, computed once per process
    found, sign_seconds, elapsed, cpu_seconds, database_seconds = check()
    tracemalloc.start()
    check()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    figures.update(
        {
            "check_seconds": round(elapsed, 2),
            # On a shared machine the seconds include waiting for the processor.
            "python_cpu_seconds": round(cpu_seconds, 2),
            # The lookup's share, in the PostgreSQL backend (0 when it runs elsewhere).
            "database_cpu_seconds": round(database_seconds, 2),
            "load_average": os.getloadavg()[0],
            "sign_seconds": round(sign_seconds, 2),
            "lookup_and_verify_seconds": round(elapsed - sign_seconds, 2),
            "python_peak_mb": round(peak / 1024 / 1024, 1),
            "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "near_duplicates_found": sum(1 for match in found if match and match.stored_id),
            "near_duplicates_planted": args.near,
            "target": {"seconds": 5, "memory_mb": 500},
        }
    )
    report("near_duplicates", figures)


if __name__ == "__main__":
    main()
