"""The arena under load: 100 people start a battle at the same moment against the tests' fake
OpenAI-compatible server (tests/challenges/arena/fake_openai.py), whose answers stream for about
2 seconds, through gunicorn and the arena's Celery worker (threads pool, as docker-compose.yml's
arena-worker), while other clients load the home page and the leaderboard.

Prints the time to first token through the platform (from the POST that starts the battle to the
first answer text on the battle's page, as its htmx partial polls it), the time until both
answers are in, and the p50/p95 of the other pages meanwhile; with no load as a baseline. Runs
on a small seeded database of its own (bench_arena). Not part of the test suite.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import threading
import time

import requests
from common import ROOT, Gunicorn, arguments, report, seed, use_database

sys.path.insert(0, str(ROOT))
from tests.challenges.arena.fake_openai import FakeOpenAI  # noqa: E402 -- after the path

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
WORDS = 40  # at 50 ms a word: 2 s of streaming
# As the page's own htmx polling (every second): the first token is timed to within a second.
POLL_SECONDS = 1.0


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
        page_clients=20,
        threads=200,
        port=8097,
        workers=2,
    )
    args.database = args.database or "bench_arena"
    use_database(args)
    figures: dict = {"battles": args.battles}
    figures.update(seed(args))

    from django.conf import settings
    from django.test import Client

    from challenges.arena.models import ArenaModel, Battle
    from challenges.models import Edition
    from challenges.preferences.models import Quiz, QuizAttempt
    from teams.models import Membership

    fake = FakeOpenAI()
    fake.answers.update({"slow-50": " ".join(f"palabra{n}" for n in range(WORDS))})
    fake.start()
    edition = Edition.objects.current()
    challenge = edition.challenges.get(kind="preferences")
    Battle.objects.filter(challenge=challenge).delete()
    ArenaModel.objects.filter(edition=edition).delete()
    for number in range(4):
        ArenaModel.objects.create(
            edition=edition,
            slug=f"modelo-{number}",
            display_name=f"Modelo {number}",
            base_url=fake.base_url,
            model_id="slow-50",
            max_concurrency=args.battles,
        )
    quiz = Quiz.objects.filter(challenge=challenge).first() or Quiz.objects.create(
        challenge=challenge, title="Quiz", pass_mark=1
    )
    people = [m.user for m in Membership.objects.filter(edition=edition).select_related("user")][
        : args.battles
    ]
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
        session = requests.Session()
        while not stop.is_set():
            for path in ("/", "/leaderboard/"):
                started = time.perf_counter()
                response = session.get(base + path, timeout=60)
                with lock:
                    page_times.append((time.perf_counter() - started) * 1000)
                    errors["pages"] += response.status_code >= 500

    first_tokens: list[float] = []
    complete: list[float] = []
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
        if response.status_code != 302:
            with lock:
                errors["battles"] += 1
            return
        page = base + response.headers["Location"]
        seen_first = None
        deadline = time.perf_counter() + 60
        while time.perf_counter() < deadline:
            partial = session.get(page, headers={"HX-Request": "true"}, timeout=60).text
            now = time.perf_counter()
            if seen_first is None and "palabra" in partial:
                seen_first = now
            if 'data-status="ready"' in partial or 'data-status="failed"' in partial:
                with lock:
                    first_tokens.append(((seen_first or now) - started) * 1000)
                    complete.append((now - started) * 1000)
                    errors["battles"] += 'data-status="failed"' in partial
                return
            time.sleep(POLL_SECONDS)
        with lock:
            errors["battles"] += 1

    with Gunicorn(port=args.port, workers=args.workers) as server:
        env = server.environment()  # the default ARENA_FLUSH_SECONDS, as deployed
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "hackathon", "worker", "-Q", "arena",
             "-P", "threads", "-c", str(args.threads), "--loglevel", "warning",
             "--without-gossip", "--without-mingle", "-n", "bench-arena@%h"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        try:
            time.sleep(5)  # the worker connects to Redis
            baseline = threading.Thread(target=pages, args=(server.base,), daemon=True)
            baseline.start()
            time.sleep(5)
            stop.set()
            baseline.join()
            figures["pages_alone_p50_ms"] = percentile(page_times, 0.5)
            figures["pages_alone_p95_ms"] = percentile(page_times, 0.95)
            page_times.clear()
            stop.clear()
            readers = [
                threading.Thread(target=pages, args=(server.base,), daemon=True)
                for _ in range(args.page_clients)
            ]
            for reader in readers:
                reader.start()
            fighters = [
                threading.Thread(target=battle, args=(server.base, cookie, n), daemon=True)
                for n, cookie in enumerate(cookies)
            ]
            started = time.perf_counter()
            for fighter in fighters:
                fighter.start()
            for fighter in fighters:
                fighter.join(timeout=120)
            figures["battles_seconds"] = round(time.perf_counter() - started, 1)
            stop.set()
            for reader in readers:
                reader.join(timeout=30)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            fake.stop()
    figures.update(
        {
            "first_token_p50_ms": percentile(first_tokens, 0.5),
            "first_token_p95_ms": percentile(first_tokens, 0.95),
            "both_answers_p50_ms": percentile(complete, 0.5),
            "both_answers_p95_ms": percentile(complete, 0.95),
            "answer_stream_ms": WORDS * 50,
            "pages_during_p50_ms": percentile(page_times, 0.5),
            "pages_during_p95_ms": percentile(page_times, 0.95),
            "page_requests_during": len(page_times),
            "battles_done": len(complete),
            "errors": errors,
            "load_average": os.getloadavg()[0],
            "median_check": statistics.median(complete) if complete else None,
        }
    )
    figures.pop("median_check")
    report("arena", figures)


if __name__ == "__main__":
    main()
