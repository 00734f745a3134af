"""The arena under load: 100 people start a battle at the same moment against the tests' fake
OpenAI-compatible server (tests/challenges/arena/fake_openai.py, in a process of its own), whose
answers stream for about 2 seconds, through gunicorn and the arena's Celery worker (threads
pool, ``--threads`` of them, as docker-compose.yml's arena-worker with ARENA_THREADS), while
other clients load the home page and the leaderboard.

Each battle's client does what the browser does: the arena page, the POST, the battle's page
after the redirect, then whatever that page polls (its ``hx-get``: every second, or once when it
hands over), until the battle shows it is ready. Prints the time to first token through the
platform (from the POST that starts the battle to the first answer text the client sees) and as
the worker saw it (from the battle's row to the answer's first token), the time until both answers
are in, and the p50/p95 of the other pages meanwhile; the same page clients with no battles are
the baseline. Beside the seconds: the processor seconds of gunicorn's workers, the arena worker
and the fake during the battles, the statements PostgreSQL ran on the benchmark's database then
(commits, rows written), and the load average. Runs on a small seeded database of its own
(bench_arena). Not part of the test suite.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import threading
import time
from html import unescape
from pathlib import Path

import requests
from common import ROOT, Gunicorn, arguments, report, seed, use_database

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# What the battle's page polls (hx-get), and when: every second, or once ("load").
POLLED = re.compile(r'hx-get="([^"]+)" hx-trigger="(every 1s|load)"')
WORDS = 40  # at 50 ms a word: 2 s of streaming (--words: longer answers, more polls)
# As the page's own htmx polling (every second): the first token is timed to within a second.
POLL_SECONDS = 1.0


FAKE_SERVER = """
import sys, time
from tests.challenges.arena.fake_openai import FakeOpenAI
fake = FakeOpenAI()
fake.answers.update({"slow-50": " ".join(f"palabra{n}" for n in range(%d))})
fake.start()
print(fake.base_url, flush=True)
while True:
    time.sleep(3600)
"""


def processor_seconds(pid: int) -> float:
    """User and system seconds the process has used so far (Linux's /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    return [int(n) for n in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def database_activity() -> dict:
    """What PostgreSQL counted so far on this database (statements' commits, rows written)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT xact_commit, tup_inserted, tup_updated, tup_deleted FROM pg_stat_database "
            "WHERE datname = current_database()"
        )
        row = cursor.fetchone()
    return dict(zip(("commits", "inserted", "updated", "deleted"), row, strict=True))


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)


def main() -> None:
    args = arguments(
        __doc__,
        participants=300,
        teams=60,
        items=2000,
        battles=100,
        page_clients=10,
        page_pause=0.5,
        threads=400,
        port=0,
        workers=2,
        arena_workers=0,
        arena_nice=0,
        words=WORDS,
    )
    args.database = args.database or "bench_arena"
    use_database(args)
    figures: dict = {
        "battles": args.battles,
        "arena_workers": args.arena_workers,
        "arena_nice": args.arena_nice,
        "words": args.words,
    }
    figures.update(seed(args))

    from django.conf import settings
    from django.test import Client

    from challenges.arena.models import ArenaModel, Battle, BattleAnswer
    from challenges.models import Edition
    from challenges.preferences.models import Quiz, QuizAttempt
    from teams.models import Membership

    # Its own process: its 200 streams must not take this process's clients' interpreter.
    fake = subprocess.Popen(
        [sys.executable, "-c", FAKE_SERVER % args.words],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    fake_url = fake.stdout.readline().strip()
    edition = Edition.objects.current()
    challenge = edition.challenges.get(kind="preferences")
    Battle.objects.filter(challenge=challenge).delete()
    ArenaModel.objects.filter(edition=edition).delete()
    for number in range(4):
        ArenaModel.objects.create(
            edition=edition,
            slug=f"modelo-{number}",
            display_name=f"Modelo {number}",
            base_url=fake_url,
            model_id="slow-50",
            max_concurrency=args.battles,
        )
    quiz = Quiz.objects.filter(challenge=challenge).first() or Quiz.objects.create(
        challenge=challenge, title="Quiz", pass_mark=1
    )
    people = [m.user for m in Membership.objects.filter(edition=edition).select_related("user")][
        : args.battles
    ]
    if len(people) < args.battles:  # the battles start together: one short and none would
        fake.terminate()
        sys.exit(
            f"{len(people)} team members for {args.battles} battles: seed more people "
            "(--participants, --teams) in a --database of that scale."
        )
    for person in people:
        QuizAttempt.objects.get_or_create(
            quiz=quiz, user=person, defaults={"score": 1, "total": 1, "passed": True}
        )
    cookie_name = settings.SESSION_COOKIE_NAME

    def cookie_of(person) -> str:
        client = Client()
        client.force_login(person)
        return client.cookies[cookie_name].value

    cookies = [cookie_of(person) for person in people]
    page_times: list[float] = []
    errors = {"pages": 0, "battles": 0}
    lock = threading.Lock()
    stop = threading.Event()

    def pages(base: str) -> None:
        # A person reading: a page, a pause (the same clients with and without battles).
        session = requests.Session()
        while not stop.is_set():
            for path in ("/", "/leaderboard/"):
                started = time.perf_counter()
                response = session.get(base + path, timeout=60)
                with lock:
                    page_times.append((time.perf_counter() - started) * 1000)
                    errors["pages"] += response.status_code >= 500
                stop.wait(args.page_pause)

    first_tokens: list[float] = []
    complete: list[float] = []
    polls = [0]
    # How long the battle's own requests took (the start, each poll): where the wait is.
    start_times: list[float] = []
    page_loads: list[float] = []
    poll_times: list[float] = []
    go = threading.Barrier(args.battles)

    def battle(base: str, cookie: str, number: int) -> None:
        session = requests.Session()
        session.cookies.set(cookie_name, cookie, domain="127.0.0.1")
        session.headers["Referer"] = base + "/"
        url = f"{base}/arena/{challenge.slug}/"
        shown = session.get(url, timeout=60)
        token = CSRF_FIELD.search(shown.text).group(1)
        csrf = shown.cookies.get("csrftoken")
        if csrf:
            session.cookies.set("csrftoken", csrf, domain="127.0.0.1")
        go.wait()
        started = time.perf_counter()
        response = session.post(
            url,
            data={
                "csrfmiddlewaretoken": token,
                "country": "PE",
                "language": "es",
                "text": f"¿Qué se come en Lima el domingo {number}?",
            },
            allow_redirects=False,
            timeout=60,
        )
        with lock:
            start_times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 302:
            with lock:
                errors["battles"] += 1
            return
        # As the browser: the battle's page after the redirect, then whatever it polls (the
        # element with hx-trigger "every 1s", or "load" once it hands over), until the battle
        # shows it is ready (or failed).
        asked = time.perf_counter()
        text = session.get(base + response.headers["Location"], timeout=60).text
        now = time.perf_counter()
        with lock:
            page_loads.append((now - asked) * 1000)
        seen_first = None
        deadline = time.perf_counter() + 60 + args.words * 0.05
        while time.perf_counter() < deadline:
            if seen_first is None and "palabra" in text:
                seen_first = now
            if 'data-status="ready"' in text or 'data-status="failed"' in text:
                with lock:
                    first_tokens.append(((seen_first or now) - started) * 1000)
                    complete.append((now - started) * 1000)
                    errors["battles"] += 'data-status="failed"' in text
                return
            polled = POLLED.search(text)
            if polled is None:
                break
            if polled.group(2) != "load":
                time.sleep(POLL_SECONDS)
            asked = time.perf_counter()
            text = session.get(
                base + unescape(polled.group(1)), headers={"HX-Request": "true"}, timeout=60
            ).text
            now = time.perf_counter()
            with lock:
                polls[0] += 1
                poll_times.append((now - asked) * 1000)
        with lock:
            errors["battles"] += 1

    # --arena-workers N: the arena's pages served by a gunicorn of their own (N workers), as a
    # proxy routing /arena/ to other web processes would; 0: the same gunicorn as every page.
    arena_web = contextlib.nullcontext(None)
    if args.arena_workers:
        arena_port = (args.port or int(os.environ.get("BENCH_PORT", "8099"))) + 1
        arena_web = Gunicorn(port=arena_port, workers=args.arena_workers, nice=args.arena_nice)
    with Gunicorn(port=args.port or None, workers=args.workers) as server, arena_web as arena:
        arena_base = arena.base if arena else server.base
        env = server.environment()  # the default ARENA_FLUSH_SECONDS, as deployed
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "hackathon", "worker", "-Q", "arena",
             "-P", "threads", "-c", str(args.threads), "--loglevel", "warning",
             "--without-gossip", "--without-mingle", "-n", "bench-arena@%h"],
            cwd=ROOT, env=env, preexec_fn=(lambda: os.nice(args.arena_nice)) if args.arena_nice else None,
        )  # fmt: skip
        try:
            time.sleep(5)  # the worker connects to Redis

            def run_page_clients(seconds: float | None, fighters=()) -> None:
                page_times.clear()
                stop.clear()
                readers = [
                    threading.Thread(target=pages, args=(server.base,), daemon=True)
                    for _ in range(args.page_clients)
                ]
                for reader in readers:
                    reader.start()
                if seconds:
                    time.sleep(seconds)
                for fighter in fighters:
                    fighter.start()
                for fighter in fighters:
                    fighter.join(timeout=120)
                stop.set()
                for reader in readers:
                    reader.join(timeout=30)

            web = children(server.process.pid)
            alone_before = sum(processor_seconds(pid) for pid in web)
            run_page_clients(10)
            figures["processor_seconds_alone"] = {
                "gunicorn": round(sum(processor_seconds(pid) for pid in web) - alone_before, 1)
            }
            figures["pages_alone_p50_ms"] = percentile(page_times, 0.5)
            figures["pages_alone_p95_ms"] = percentile(page_times, 0.95)
            figures["page_requests_alone"] = len(page_times)
            fighters = [
                threading.Thread(target=battle, args=(arena_base, cookie, n), daemon=True)
                for n, cookie in enumerate(cookies)
            ]
            measured = {"gunicorn": web, "arena_worker": [worker.pid], "fake": [fake.pid]}
            if arena:
                measured["arena_gunicorn"] = children(arena.process.pid)
            before = {
                name: sum(processor_seconds(pid) for pid in pids) for name, pids in measured.items()
            }
            activity = database_activity()
            clients_before = time.process_time()
            started = time.perf_counter()
            run_page_clients(None, fighters)
            figures["battles_seconds"] = round(time.perf_counter() - started, 1)
            figures["load_average"] = os.getloadavg()[0]
            figures["processor_seconds_during"] = {
                name: round(sum(processor_seconds(pid) for pid in pids) - before[name], 1)
                for name, pids in measured.items()
            } | {"benchmark_clients": round(time.process_time() - clients_before, 1)}
            time.sleep(1)  # PostgreSQL's counters reach the statistics within a second
            figures["database_during"] = {
                key: value - activity[key] for key, value in database_activity().items()
            }
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            fake.terminate()
            fake.wait(timeout=10)
    worker_first_tokens = [
        (answer.first_token_at - answer.battle.created_at).total_seconds() * 1000
        for answer in BattleAnswer.objects.filter(
            battle__challenge=challenge, first_token_at__isnull=False
        ).select_related("battle")
    ]
    figures.update(
        {
            "first_token_p50_ms": percentile(first_tokens, 0.5),
            "first_token_p95_ms": percentile(first_tokens, 0.95),
            "worker_first_token_p50_ms": percentile(worker_first_tokens, 0.5),
            "worker_first_token_p95_ms": percentile(worker_first_tokens, 0.95),
            "both_answers_p50_ms": percentile(complete, 0.5),
            "both_answers_p95_ms": percentile(complete, 0.95),
            "answer_stream_ms": args.words * 50,
            "pages_during_p50_ms": percentile(page_times, 0.5),
            "pages_during_p95_ms": percentile(page_times, 0.95),
            "page_requests_during": len(page_times),
            "pages_p95_ratio": round(
                percentile(page_times, 0.95) / max(figures["pages_alone_p95_ms"], 0.1), 1
            ),
            "polls": polls[0],
            "battle_start_p50_ms": percentile(start_times, 0.5),
            "battle_start_p95_ms": percentile(start_times, 0.95),
            "battle_page_p50_ms": percentile(page_loads, 0.5),
            "battle_page_p95_ms": percentile(page_loads, 0.95),
            "poll_p50_ms": percentile(poll_times, 0.5),
            "poll_p95_ms": percentile(poll_times, 0.95),
            "battles_done": len(complete),
            "errors": errors,
        }
    )
    report("arena", figures)


if __name__ == "__main__":
    main()
