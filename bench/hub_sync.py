"""The Hub sync of a 2,000-repository organization (1,000 models, 700 datasets, 300 Spaces)
with 300 members, against the fake Hub of the tests (tests/hub/fake_hub.py) through the real
huggingface_hub client: (a) the first sync, (b) a sync with nothing changed, (c) a sync after
10 repositories got a new commit, (d) the periodic full listing with nothing changed. Seconds,
HTTP requests by kind (API calls, rate-limited by the Hub at 1,000 per 5 minutes on the free
plan, and file downloads from its resolver, limited apart), counted by the client and by the
fake Hub, SQL statements and rows written. The first sync must fit in one free-plan window:
at most 1,000 API calls.

Teams declare most repositories in their projects (`--undeclared` is the share they do not):
an undeclared repository's commit history is read (its team link depends on its authors), a
declared one's only once it changed after its challenge's deadline (none has, here).

Listing page sizes: huggingface_hub sends no `limit` to /api/models|datasets|spaces (its
`limit` argument only stops the iteration), so the Hub picks the page size; we serve 1,000 per
page for models and datasets and 100 for Spaces (set with --model-page etc.). The tree and
commits of a repository fit in one page each (one commit or two, a few files).

Runs on the configured database: SQLite (a fresh file in a temporary folder) without
DATABASE_URL, else the PostgreSQL database it names (created if missing, then migrated).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import BENCH_SECRET_KEY, report  # noqa: E402

from tests.hub.fake_hub import FakeHub, HubState  # noqa: E402

ORG = "bench-hub-org"
SLUG = "bench-hub-sync"
EMAIL_DOMAIN = "bench-hub.invalid"
LISTINGS = ("/api/models", "/api/datasets", "/api/spaces")
API_BUDGET = 1000  # the free plan's API calls per 5-minute window
WRITE = re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.IGNORECASE)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--datasets", type=int, default=700)
    parser.add_argument("--spaces", type=int, default=300)
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--profiles", type=int, default=200, help="members with a profile")
    parser.add_argument("--changed", type=int, default=10)
    parser.add_argument(
        "--undeclared", type=float, default=0.2, help="share of repositories no team declares"
    )
    parser.add_argument("--model-page", type=int, default=1000)
    parser.add_argument("--dataset-page", type=int, default=1000)
    parser.add_argument("--space-page", type=int, default=100)
    return parser.parse_args()


def use_database() -> str:
    """DATABASE_URL's PostgreSQL database (created if missing), else a fresh SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg2

        server = urlparse(url)
        name = server.path.lstrip("/")
        admin = psycopg2.connect(urlunparse(server._replace(path="/postgres")))
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
        admin.close()
        return "postgresql"
    folder = tempfile.mkdtemp(prefix="bench-hub-sync-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/hub_sync.sqlite3"
    return "sqlite"


def hub_time(index: int, *, day: int = 1) -> str:
    """A distinct Hub date per repository, one minute apart."""
    return f"2026-03-{day + index // 1440:02d}T{index // 60 % 24:02d}:{index % 60:02d}:00.000Z"


def build_hub(args: argparse.Namespace) -> HubState:
    state = HubState(
        org=ORG,
        listing_page_sizes={
            "model": args.model_page,
            "dataset": args.dataset_page,
            "space": args.space_page,
        },
    )
    members = [f"bench-member-{n}" for n in range(args.members)]
    state.members = [
        {"user": name, "fullname": name.title(), "avatarUrl": "", "type": "user"}
        for name in members
    ]
    index = 0
    for kind, count in (("model", args.models), ("dataset", args.datasets), ("space", args.spaces)):
        for number in range(count):
            state.add(
                kind,
                f"{ORG}/{kind}-{number:04d}",
                day=1,
                lastModified=hub_time(index),
                author=members[index % len(members)],
            )
            index += 1
    return state


def setup_django(hub_url: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="hackathon.settings",
        SECRET_KEY=BENCH_SECRET_KEY,
        HF_ENDPOINT=hub_url,
        HF_TOKEN="",
        HF_ORG="",
        HF_HUB_DISABLE_TELEMETRY="1",
        HF_HOME=tempfile.mkdtemp(prefix="bench-hf-home-"),  # no saved token is read
    )
    os.environ.pop("HF_HUB_OFFLINE", None)
    os.environ.pop("REDIS_URL", None)  # the sync runs in the foreground: no broker, no cache
    import django
    import huggingface_hub.constants
    from huggingface_hub.utils import build_hf_headers

    # huggingface_hub read its settings when tests.hub.fake_hub imported it, before these.
    huggingface_hub.constants.HF_HUB_DISABLE_TELEMETRY = True
    huggingface_hub.constants.AGENT_HARNESSES_PATH = os.path.join(
        os.environ["HF_HOME"], ".agent_harnesses.json"
    )
    # The client's first user agent fetches its agent registry (once per process, from the
    # default endpoint): done here, so that the first sync counts only its own requests.
    build_hf_headers()
    django.setup()
    # The client logs every request at INFO: 6,000 lines would drown the figures.
    logging.getLogger("httpx2").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)


def prepare(args: argparse.Namespace):
    """Migrate; a fresh bench edition and the members' profiles (the earlier ones removed)."""
    from django.core.management import call_command

    from accounts.models import Profile, User
    from challenges.models import Edition
    from tests.factories import EditionFactory

    call_command("migrate", verbosity=0)
    Edition.objects.filter(slug=SLUG).delete()  # its repositories and runs with it
    User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").delete()
    edition = EditionFactory(slug=SLUG, name="Hub sync benchmark", hub_organization=ORG)
    users = User.objects.bulk_create(
        User(email=f"member-{n}@{EMAIL_DOMAIN}", password="!") for n in range(args.profiles)
    )
    if not all(user.pk for user in users):  # SQLite before 3.35 returns no ids
        users = list(User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").order_by("email"))
    Profile.objects.bulk_create(
        Profile(user=user, display_name=f"Member {n}", hub_username=f"Bench-Member-{n}")
        for n, user in enumerate(users)
    )
    declare_projects(args, edition)
    return edition


def declared_counts(args: argparse.Namespace) -> dict[str, int]:
    """How many repositories of each type teams declare (the first ones of each type)."""
    counts = {"model": args.models, "dataset": args.datasets, "space": args.spaces}
    return {kind: round(count * (1 - args.undeclared)) for kind, count in counts.items()}


def declare_projects(args: argparse.Namespace, edition) -> None:
    """Team n declares model n, dataset n and Space n (those that are declared)."""
    from challenges.projects.models import ProjectSubmission
    from teams.models import Team

    declared = declared_counts(args)
    count = max(declared.values())
    teams = Team.objects.bulk_create(
        Team(edition=edition, name=f"Bench team {n}") for n in range(count)
    )
    if not all(team.pk for team in teams):  # SQLite before 3.35 returns no ids
        teams = list(Team.objects.filter(edition=edition).order_by("pk"))
    ProjectSubmission.objects.bulk_create(
        ProjectSubmission(
            team=team,
            model_repos=[f"{ORG}/model-{n:04d}"] if n < declared["model"] else [],
            dataset_repos=[f"{ORG}/dataset-{n:04d}"] if n < declared["dataset"] else [],
            demo_space=f"{ORG}/space-{n:04d}" if n < declared["space"] else "",
        )
        for n, team in enumerate(teams)
    )


def measure(state: HubState, edition, *, full: bool = False) -> tuple[dict, object]:
    """One foreground sync: its figures, and the run."""
    from django.db import connection

    from hub.domain import sync_edition
    from hub.models import HubRepo

    stamps = dict(HubRepo.objects.filter(edition=edition).values_list("pk", "updated_at"))
    state.requests.clear()
    statements, writes, rows = Counter(), Counter(), Counter()

    def count(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        statements["all"] += 1
        match = WRITE.match(sql)
        if match:
            writes[match.group(2)] += 1
            # SQLite gives no row count for an INSERT ... RETURNING: one row per statement.
            rowcount = context["cursor"].rowcount
            rows[match.group(2)] += rowcount if rowcount >= 0 else 1
        return result

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        run = sync_edition(edition=edition, full=full)
        seconds = time.perf_counter() - started
    after = dict(HubRepo.objects.filter(edition=edition).values_list("pk", "updated_at"))
    paths = Counter(r["path"] for r in state.requests)
    figures = {
        "seconds": round(seconds, 3),
        "status": run.status,
        "full_listing": run.full_listing,
        "api_calls": run.api_requests,
        "resolver_calls": run.resolver_requests,
        "http_requests": run.http_requests,
        "hub_requests_served": len(state.requests),
        "hub_resolver_requests_served": sum("/resolve/" in r["path"] for r in state.requests),
        "listing_pages": {path.rsplit("/", 1)[1]: paths[path] for path in LISTINGS},
        "detail_requests": sum(
            n for path, n in paths.items() if path not in LISTINGS and "/members" not in path
        ),
        **{key: getattr(run, key) for key in ("seen", "created", "updated", "unchanged")},
        "failed": run.failed,
        "missing": run.missing,
        "details_fetched": run.details_done,
        "members_verified": run.members_verified,
        "errors": len(run.errors),
        "sql_statements": statements["all"],
        "sql_writes": dict(sorted(writes.items())),
        "rows_written": dict(sorted(rows.items())),
        "hub_repos_written": sum(1 for pk, stamp in after.items() if stamps.get(pk) != stamp),
    }
    assert run.status == "done" and not run.errors, run.errors
    assert figures["http_requests"] == figures["hub_requests_served"], figures
    assert figures["resolver_calls"] == figures["hub_resolver_requests_served"], figures
    return figures, run


def main() -> None:
    args = arguments()
    vendor = use_database()
    state = build_hub(args)
    repos = args.models + args.datasets + args.spaces
    with FakeHub(state) as hub:
        setup_django(hub.url)
        from django.db import connection

        started = time.perf_counter()
        edition = prepare(args)
        figures = {
            "database": connection.vendor,
            "scale": {"models": args.models, "datasets": args.datasets, "spaces": args.spaces,
                      "members": args.members, "profiles": args.profiles},
            "listing_page_size": {"model": args.model_page, "dataset": args.dataset_page,
                                  "space": args.space_page},
            "setup_seconds": round(time.perf_counter() - started, 1),
        }  # fmt: skip
        assert connection.vendor == vendor

        pages = sum(
            -(-count // size)
            for count, size in (
                (args.models, args.model_page),
                (args.datasets, args.dataset_page),
                (args.spaces, args.space_page),
            )
        )
        # Listing pages of Spaces are read at every sync (their runtime stage).
        space_pages = -(-args.spaces // args.space_page)
        undeclared = repos - sum(declared_counts(args).values())
        # An incremental listing: the first page of models and datasets, every Spaces page.
        incremental_calls = 2 + space_pages + 1
        first, _ = measure(state, edition)
        assert first["created"] == repos and first["details_fetched"] == repos, first
        # The pages, the commits of the undeclared repositories, the members.
        assert first["api_calls"] == pages + undeclared + 1, first
        assert first["api_calls"] <= API_BUDGET, first
        assert first["resolver_calls"] == repos, first  # the cards
        assert first["members_verified"] == min(args.profiles, args.members), first
        figures["a_first_sync"] = first

        unchanged, _ = measure(state, edition)
        assert unchanged["api_calls"] == incremental_calls, unchanged
        assert unchanged["resolver_calls"] == 0, unchanged
        assert (unchanged["created"], unchanged["updated"]) == (0, 0), unchanged
        assert unchanged["hub_repos_written"] == 0, unchanged
        figures["b_nothing_changed"] = unchanged

        # New commits on 10 (declared) repositories, spread over the three types.
        kinds = ["model", "dataset", "space"]
        for number in range(args.changed):
            kind = kinds[number % 3]
            state.commit(
                kind,
                f"{ORG}/{kind}-{number * 7:04d}",
                files={"train.py": f"print({number})\n".encode()},
                author=f"bench-member-{number}",
                date=hub_time(number, day=20),
            )
        changed, _ = measure(state, edition)
        assert changed["api_calls"] == incremental_calls, changed
        assert changed["resolver_calls"] == args.changed, changed
        assert changed["updated"] == changed["details_fetched"] == args.changed, changed
        assert changed["hub_repos_written"] == args.changed, changed
        figures["c_10_changed"] = changed

        full, _ = measure(state, edition, full=True)
        assert full["api_calls"] == pages + 1, full
        assert full["hub_repos_written"] == 0 and full["missing"] == 0, full
        figures["d_full_listing_nothing_changed"] = full
        for name in ("a_first_sync", "b_nothing_changed", "c_10_changed"):
            print(
                f"{name}: {figures[name]['api_calls']} API calls (budget {API_BUDGET} per 5"
                f" minutes), {figures[name]['resolver_calls']} resolver calls",
                file=sys.stderr,
            )
    report("hub_sync", figures)


if __name__ == "__main__":
    main()
