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
# The in-process client and gunicorn must sign sessions with the same key.
BENCH_SECRET_KEY = "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def arguments(description: str, **defaults) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--participants", type=int, default=defaults.get("participants", 5000))
    parser.add_argument("--teams", type=int, default=defaults.get("teams", 1000))
    parser.add_argument("--items", type=int, default=defaults.get("items", 500_000))
    parser.add_argument(
        "--reseed", action="store_true", help="Drop the benchmark database and seed it again."
    )
    parser.add_argument(
        "--database",
        default="",
        help="Name of the database to use instead of bench_<items> (for instance a copy made "
        "with CREATE DATABASE ... TEMPLATE bench_500000).",
    )
    for name, value in defaults.items():
        if isinstance(value, bool):
            parser.add_argument(f"--{name.replace('_', '-')}", action="store_true")
        elif name not in ("participants", "teams", "items"):
            parser.add_argument(f"--{name.replace('_', '-')}", type=type(value), default=value)
    return parser.parse_args()


def use_database(args: argparse.Namespace, *, name: str = "") -> str:
    """Point DATABASE_URL at ``name`` (default bench_<items>) on the configured server,
    creating it if needed."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit(
            "Benchmarks run on PostgreSQL: set DATABASE_URL=postgres://user@host:5432/postgres"
        )
    import psycopg2

    name = getattr(args, "database", "") or name or f"bench_{args.items}"
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
    os.environ["SECRET_KEY"] = BENCH_SECRET_KEY
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
        call_command(
            "load_edition",
            str(ROOT / "editions" / "somosnlp-2025.toml"),
            starting_on=start,
            verbosity=0,
        )
        call_command(
            "seed_demo",
            teams=args.teams,
            participants=args.participants,
            items=args.items,
            verbosity=0,
        )
        # As autovacuum would after such a load: the planner needs statistics to pick indexes,
        # and index-only scans (the scores' counts) need the visibility map a vacuum sets.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return {"seeded_now": not seeded, "seed_seconds": round(time.perf_counter() - started, 1)}


def database_cpu_seconds() -> float:
    """The processor time of this connection's PostgreSQL backend so far, when the server runs
    on this machine (its /proc entry is readable); 0 otherwise."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    return _process_seconds(pid)


def _process_seconds(pid) -> float:
    """The processor time (user and system) of process ``pid`` so far; 0 when it cannot be
    read (gone, or on another machine)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def processor_seconds_of(command: str) -> float:
    """The processor time so far of this machine's processes whose command line contains
    ``command`` (for instance every PostgreSQL backend, or gunicorn's workers)."""
    import subprocess

    pids = subprocess.run(["pgrep", "-f", command], capture_output=True, text=True).stdout.split()
    return sum(_process_seconds(pid) for pid in pids)


def clients_processor_seconds() -> float:
    """The processor time of this process's ended children so far (wrk's runs)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def report(name: str, figures: dict) -> None:
    """Print the figures as one JSON line and keep them in bench/results/<name>.json."""
    line = json.dumps({"benchmark": name, **figures}, ensure_ascii=False, sort_keys=False)
    print(line)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(line + "\n", encoding="utf-8")


def ensure_wrk() -> str:
    """wrk, from Debian's packages (installed when missing and allowed)."""
    import shutil
    import subprocess

    path = shutil.which("wrk")
    if path is None and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
        path = shutil.which("wrk")
    if path is None:
        sys.exit("wrk is needed: apt-get install wrk")
    return path


class Gunicorn:
    """gunicorn serving the platform with production settings on the benchmark database."""

    def __init__(self, *, port: int | None = None, workers: int = 2, nice: int = 0):
        # BENCH_PORT: several benchmarks may run side by side on one machine.
        port = port or int(os.environ.get("BENCH_PORT", "8099"))
        self.port, self.workers, self.process = port, workers, None
        # A lower processor priority (os.nice), as docker-compose.yml's cpu_shares gives the
        # arena's services.
        self.nice = nice
        self.base = f"http://127.0.0.1:{port}"

    def environment(self) -> dict:
        return {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": BENCH_SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "EMAIL_URL": "console://",
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            "SECURE_SSL_REDIRECT": "false",
            "CACHE_KEY_PREFIX": "bench",
            "LOG_LEVEL": "WARNING",
        }

    def __enter__(self):
        import socket
        import subprocess
        import urllib.request

        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                # A server left running (another benchmark's) would be measured instead.
                sys.exit(f"Port {self.port} is taken: stop what listens there or set BENCH_PORT")
        env = self.environment()
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "hackathon.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers), "--log-level", "warning"],
            cwd=ROOT, env=env, preexec_fn=(lambda: os.nice(self.nice)) if self.nice else None,
        )  # fmt: skip
        deadline = time.time() + 120  # a busy machine starts it slowly
        while time.time() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn exited with {self.process.returncode}")
            try:
                urllib.request.urlopen(f"{self.base}/robots.txt", timeout=1)
                return self
            except OSError:
                time.sleep(0.3)
        self.process.terminate()
        sys.exit("gunicorn did not start")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=20)


def run_wrk(
    url: str,
    *,
    connections: int = 50,
    seconds: int = 10,
    threads: int = 2,
    headers: dict | None = None,
) -> dict:
    """Requests per second and latency percentiles of a GET under ``connections`` clients."""
    import re
    import subprocess

    command = [ensure_wrk(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    for name, value in (headers or {}).items():
        command[1:1] = ["-H", f"{name}: {value}"]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for percentile in ("50", "99"):
        match = re.search(rf"\s{percentile}%\s+([\d.]+)(us|ms|s)", output)
        if match:
            value, unit = float(match.group(1)), match.group(2)
            figures[f"p{percentile}_ms"] = round(
                value / 1000 if unit == "us" else value * 1000 if unit == "s" else value, 2
            )
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    figures["non_2xx"] = int(errors.group(1)) if errors else 0
    return figures


# The processes that serve a page, by what their command lines contain.
SERVER_PROCESSES = ("gunicorn hackathon", "postgres: ", "redis-server")


def compare_with_trivial(
    base: str,
    pages: dict[str, tuple[str, dict | None]],
    *,
    trivial: str = "/robots.txt",
    rounds: int = 3,
    seconds: int = 5,
    connections: int = 50,
) -> dict:
    """wrk figures of each page (name: path and headers) beside the trivial view's, taken in
    alternation: ``rounds`` times the trivial view then the page (the other way round every
    second round), after two seconds of each to warm the workers.

    On a shared machine the speed of the same code drifts by a fifth within a minute: a page
    measured a minute after the trivial view is compared with another machine. Each page's
    ``ratio_to_trivial`` is the median of its rounds' ratios, each taken against the trivial
    run beside it; its ``rps``, ``p50_ms`` and ``p99_ms`` are the medians of its runs. The
    trivial view's own figures are the medians of all its runs."""
    import statistics

    def median_of(runs: list[dict]) -> dict:
        figures = {
            name: round(statistics.median(run[name] for run in runs), 2)
            for name in ("rps", "p50_ms", "p99_ms")
        }
        figures["non_2xx"] = sum(run["non_2xx"] for run in runs)
        # Where each request's processor time went: the two cores are shared by all of them.
        figures["cpu_ms_per_request"] = {
            name: round(statistics.median(run["cpu_ms_per_request"][name] for run in runs), 3)
            for name in (*SERVER_PROCESSES, "wrk")
        }
        return figures

    trivial_runs, figures = [], {}
    run_wrk(base + trivial, connections=connections, seconds=2)
    for name, (path, headers) in pages.items():
        run_wrk(base + path, connections=connections, seconds=2, headers=headers)
        page_runs, ratios = [], []
        for round_number in range(rounds):
            targets = {"trivial": (trivial, None), "page": (path, headers)}
            order = ("trivial", "page") if round_number % 2 == 0 else ("page", "trivial")
            measured = {}
            for which in order:
                before = {name: processor_seconds_of(name) for name in SERVER_PROCESSES}
                before["wrk"] = clients_processor_seconds()
                measured[which] = run = run_wrk(
                    base + targets[which][0],
                    connections=connections,
                    seconds=seconds,
                    headers=targets[which][1],
                )
                served = run["rps"] * seconds
                run["cpu_ms_per_request"] = {
                    name: (processor_seconds_of(name) - before[name]) * 1000 / served
                    for name in SERVER_PROCESSES
                }
                run["cpu_ms_per_request"]["wrk"] = (
                    (clients_processor_seconds() - before["wrk"]) * 1000 / served
                )
            trivial_runs.append(measured["trivial"])
            page_runs.append(measured["page"])
            ratios.append(measured["page"]["rps"] / measured["trivial"]["rps"])
        figures[f"wrk {name}"] = {
            **median_of(page_runs),
            "ratio_to_trivial": round(statistics.median(ratios), 3),
        }
    return {f"wrk {trivial}": median_of(trivial_runs), **figures}


def measure_view(client, url: str, *, repeat: int = 20) -> dict:
    """Median server time (in-process, no network) and SQL queries of one GET."""
    import statistics

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries, status = [], 0, None
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            times.append((time.perf_counter() - started) * 1000)
        queries, status = len(captured), response.status_code
    return {"status": status, "median_ms": round(statistics.median(times), 2), "queries": queries}
