"""Every benchmark of bench/ at the design scale, one after the other, then one table of their
figures: bench/results/summary.md, with each figure, its target (issue 18's, where it has one),
this run's value and the previous run's beside it.

The figures are kept in bench/results/summary.json; the run before's become
summary.previous.json when a new run starts. A benchmark that fails is marked so in the table
and the run goes on with the next. ``--only`` runs some of them: the others keep the figures of
their last run (with its date). ``--table`` only writes summary.md again from summary.json.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0
    createdb -T bench_500000 bench_500000_copy        # a copy of the seeded design-scale database
    .venv/bin/python bench/run_all.py --database bench_500000_copy
    .venv/bin/python bench/run_all.py --database bench_500000_copy --only leaderboard,seeding
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import operator
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
SUMMARY = RESULTS / "summary.json"
PREVIOUS = RESULTS / "summary.previous.json"
COMPARE = {"<=": operator.le, ">=": operator.ge, "==": operator.eq}
NEXT_PAGES = ("stereotypes", "blend_answer", "blend_validate", "prompt_validate")
LEADERBOARD_RUNS = ("/leaderboard/", "/leaderboard.json", "/leaderboard/ gzip",
                    "/leaderboard.json gzip", "/leaderboard/ htmx 304")  # fmt: skip


@dataclass(frozen=True)
class Benchmark:
    name: str
    # Its arguments; "{database}" is the seeded design-scale database given to run_all.
    arguments: tuple[str, ...] = ()
    # Dotted figure name -> (comparison, target).
    targets: dict[str, tuple[str, float]] = field(default_factory=dict)
    # The database its DATABASE_URL names, for those that take no --database.
    own_database: str = ""


BENCHMARKS = [
    Benchmark(
        "seeding",
        ("--compare", "{database}"),
        {"seed_demo_seconds": ("<=", 60)},
    ),
    Benchmark(
        "leaderboard",
        ("--database", "{database}"),
        {
            "full_recompute_from_empty_s": ("<=", 1),
            "validate_and_recompute_ms": ("<=", 20),
            **{f"wrk {run}.ratio_to_trivial": (">=", 0.8) for run in LEADERBOARD_RUNS},
        },
    ),
    Benchmark(
        "intake_pages",
        ("--database", "{database}"),
        {
            **{f"{page}.median_ms": ("<=", 8) for page in NEXT_PAGES},
            **{f"{page}.queries": ("<=", 6) for page in NEXT_PAGES},
            **{f"wrk {page}.ratio_to_trivial": (">=", 0.2) for page in NEXT_PAGES},
        },
    ),
    Benchmark("intake_upload", ("--database", "{database}")),
    Benchmark("near_duplicates"),
    Benchmark("publishing"),
    Benchmark("hub_sync", (), {"a_first_sync.api_calls": ("<=", 1000)}, own_database="bench_hub"),
    Benchmark("soak"),
    # Its own small database (bench_arena); the arena's pages on web processes of their own, and
    # its services at a lower processor priority, as docker-compose.yml deploys them.
    Benchmark("arena", ("--arena-workers", "2", "--arena-nice", "10")),
    Benchmark("judging"),
]


def flatten(figures: dict, prefix: str = "") -> dict[str, float]:
    """Every number of a benchmark's JSON line, by dotted name (the scale aside)."""
    flat = {}
    for name, value in figures.items():
        if name in ("benchmark", "scale") and not prefix:
            continue
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{key}."))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            flat[key] = value
    return flat


def add_ratios(flat: dict[str, float]) -> dict[str, float]:
    """Requests per second of each wrk run next to the trivial view's, where the benchmark
    does not give the ratio itself."""
    trivial = flat.get("wrk /robots.txt.rps")
    if trivial:
        for name in [name for name in flat if name.startswith("wrk ") and name.endswith(".rps")]:
            ratio = name[: -len(".rps")] + ".ratio_to_trivial"
            if ratio not in flat and name != "wrk /robots.txt.rps":
                flat[ratio] = round(flat[name] / trivial, 3)
    return flat


def run(benchmark: Benchmark, *, database: str, timeout: int) -> dict:
    """Run one benchmark in its own process; its figures, or why there are none."""
    environment = dict(os.environ)
    if benchmark.own_database and environment.get("DATABASE_URL", "").startswith("postgres"):
        server = urlparse(environment["DATABASE_URL"])
        environment["DATABASE_URL"] = urlunparse(server._replace(path=f"/{benchmark.own_database}"))
    arguments = [argument.format(database=database) for argument in benchmark.arguments]
    result_file = RESULTS / f"{benchmark.name}.json"
    started, load = time.time(), os.getloadavg()
    entry = {"run_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
             "load": [round(value, 2) for value in load]}  # fmt: skip
    print(f"== {benchmark.name} {' '.join(arguments)} (load {entry['load']})", flush=True)
    try:
        completed = subprocess.run(
            [sys.executable, str(BENCH / f"{benchmark.name}.py"), *arguments],
            env=environment,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {**entry, "error": f"timed out after {timeout} s"}
    entry["seconds"] = round(time.time() - started, 1)
    if completed.returncode != 0:
        return {**entry, "error": f"exit status {completed.returncode}"}
    if not result_file.exists() or result_file.stat().st_mtime < started:
        return {**entry, "error": "no figures written"}
    figures = json.loads(result_file.read_text(encoding="utf-8"))
    return {**entry, "figures": add_ratios(flatten(figures))}


def _number(value) -> str:
    if value is None:
        return "–"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.3f}".rstrip("0").rstrip(".")


def table(summary: dict, previous: dict) -> str:
    """The Markdown of summary.md."""
    lines = [
        "# Benchmark figures",
        "",
        "Written by `bench/run_all.py` (see bench/README.md). Targets are issue 18's; "
        "\u2713 met, \u2717 missed. Load is the 1, 5 and 15 minute load average when the "
        "benchmark started: figures taken on a busy machine are slower.",
        "",
    ]
    for benchmark in BENCHMARKS:
        entry = summary.get(benchmark.name)
        if entry is None:
            continue
        before = previous.get(benchmark.name, {})
        heading = (
            f"## {benchmark.name} ({entry['run_at']}, load {' '.join(map(str, entry['load']))}"
        )
        if before.get("run_at"):
            heading += f"; previous run {before['run_at']}"
        lines += [heading + ")", ""]
        if "error" in entry:
            lines += [f"Failed: {entry['error']}.", ""]
        figures, old = entry.get("figures", {}), before.get("figures", {})
        if not figures:
            continue
        lines += ["| figure | target | this run | previous | |", "|---|---|---|---|---|"]
        names = [name for name in benchmark.targets if name in figures or name in old]
        names += [name for name in figures if name not in benchmark.targets]
        for name in names:
            value, target = figures.get(name), benchmark.targets.get(name)
            verdict = ""
            if target and value is not None:
                verdict = "\u2713" if COMPARE[target[0]](value, target[1]) else "\u2717"
            shown = f"{target[0]} {_number(target[1])}" if target else ""
            lines.append(
                f"| {name} | {shown} | {_number(value)} | {_number(old.get(name))} | {verdict} |"
            )
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="bench_500000",
                        help="The seeded design-scale database (a copy: benchmarks write to it).")  # fmt: skip
    parser.add_argument("--only", default="", help="Comma-separated names of benchmarks to run.")
    parser.add_argument("--timeout", type=int, default=3600, help="Seconds per benchmark.")
    parser.add_argument("--table", action="store_true", help="Only write summary.md again.")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    summary = json.loads(SUMMARY.read_text(encoding="utf-8")) if SUMMARY.exists() else {}
    if not args.table:
        known = {benchmark.name for benchmark in BENCHMARKS}
        wanted = [name for name in args.only.split(",") if name] or sorted(known)
        if unknown := set(wanted) - known:
            sys.exit(f"Unknown benchmarks: {', '.join(sorted(unknown))}")
        if SUMMARY.exists():
            shutil.copyfile(SUMMARY, PREVIOUS)
        for benchmark in BENCHMARKS:
            if benchmark.name in wanted:
                summary[benchmark.name] = run(
                    benchmark, database=args.database, timeout=args.timeout
                )
                SUMMARY.write_text(json.dumps(summary, indent=1), encoding="utf-8")
    previous = json.loads(PREVIOUS.read_text(encoding="utf-8")) if PREVIOUS.exists() else {}
    (RESULTS / "summary.md").write_text(table(summary, previous) + "\n", encoding="utf-8")
    print(f"Wrote {RESULTS / 'summary.md'}")


if __name__ == "__main__":
    main()
