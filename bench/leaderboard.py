"""Scoring at scale: full recompute, recompute after one validation, the leaderboard's server
time and queries, and its requests per second under wrk next to a trivial view: the page and
the JSON, plain and gzipped, and the page's htmx refresh, with and without its ETag."""

from __future__ import annotations

import time

from common import (
    Gunicorn,
    arguments,
    compare_with_trivial,
    measure_view,
    report,
    seed,
    use_database,
)


def etag_of(url: str, headers: dict) -> str:
    import urllib.request

    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as answer:
        return answer.headers["ETag"]


def main() -> None:
    args = arguments(__doc__, seconds=5, rounds=3)
    use_database(args)
    figures = {
        "scale": {"participants": args.participants, "teams": args.teams, "items": args.items}
    }
    figures.update(seed(args))

    from django.core.cache import cache
    from django.test import Client

    from challenges.domain import decide_contributions
    from challenges.intake import REGISTRY
    from challenges.models import ContributionStatus, Edition
    from scoring.domain import recompute_scores
    from scoring.models import ScoreChange, TeamScore
    from teams.models import Membership

    edition = Edition.objects.current()
    TeamScore.objects.filter(challenge__edition=edition).delete()
    started = time.perf_counter()
    recompute_scores(edition=edition, cause=ScoreChange.Cause.RECOMPUTE)
    figures["full_recompute_from_empty_s"] = round(time.perf_counter() - started, 3)
    started = time.perf_counter()
    changed = recompute_scores(edition=edition, cause=ScoreChange.Cause.RECOMPUTE)
    figures["full_recompute_again_s"] = round(time.perf_counter() - started, 3)
    figures["full_recompute_again_changed"] = changed

    # One validation by an organizer, and the recompute of that team it triggers.
    challenge = edition.challenges.get(kind="include")
    model = REGISTRY["include"].model
    in_team = Membership.objects.filter(edition=edition).values("user_id")
    items = list(
        model.objects.filter(
            challenge=challenge, status=ContributionStatus.PENDING, author__in=in_team
        ).order_by("pk")[:6]
    )
    team_id = Membership.objects.get(edition=edition, user_id=items[0].author_id).team_id
    started = time.perf_counter()
    recompute_scores(edition=edition, team_ids=[team_id], cause=ScoreChange.Cause.CONTRIBUTIONS)
    figures["recompute_one_team_ms"] = round((time.perf_counter() - started) * 1000, 2)
    import statistics

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    # As in the server's processes, whose first request has loaded the URLs: the author's
    # notification links to the challenge (its first reverse imports every app's views).
    reverse("scoring:leaderboard")
    # As the organizers' view calls it: in a transaction of its own, the recompute after it.
    # The first validation of a process also connects to the broker and prepares the task's
    # message (once per process): timed apart, the figure is the median of the next five.
    walls, processor_times = [], []
    for item in items:
        with CaptureQueriesContext(connection) as queries:
            started, processor = time.perf_counter(), time.process_time()
            decide_contributions(
                model=model,
                challenge=challenge,
                ids=[item.pk],
                status=ContributionStatus.VALIDATED,
                by=None,
            )
            walls.append((time.perf_counter() - started) * 1000)
            processor_times.append((time.process_time() - processor) * 1000)
    figures["validate_first_in_process_ms"] = round(walls[0], 2)
    figures["validate_and_recompute_ms"] = round(statistics.median(walls[1:]), 2)
    figures["validate_and_recompute_cpu_ms"] = round(statistics.median(processor_times[1:]), 2)
    figures["validate_and_recompute_queries"] = len(queries)

    client = Client()
    for url in ("/leaderboard/", "/leaderboard.json"):
        cache.clear()
        cold = measure_view(client, url, repeat=1)
        warm = measure_view(client, url, repeat=20)
        figures[url] = {"cold_ms": cold["median_ms"], "cold_queries": cold["queries"], "warm_ms": warm["median_ms"],
                        "warm_queries": warm["queries"], "status": warm["status"]}  # fmt: skip

    # Plain, as wrk asks by default, and with "Accept-Encoding: gzip", as browsers and most
    # HTTP clients ask (the trivial view's answer is the same either way); then the page's own
    # refresh every 30 s (htmx: the table alone), first without its copy, then as browsers
    # send it, with the ETag of the copy they hold (If-None-Match): 304, no body.
    gzip = {"Accept-Encoding": "gzip"}
    htmx = {"HX-Request": "true", "Accept-Encoding": "gzip"}
    runs = [("/leaderboard/", None, ""), ("/leaderboard.json", None, ""),
            ("/leaderboard/", gzip, " gzip"), ("/leaderboard.json", gzip, " gzip"),
            ("/leaderboard/", htmx, " htmx"), ("/leaderboard/", htmx, " htmx 304")]  # fmt: skip
    with Gunicorn(workers=2) as server:
        pages = {}
        for url, headers, suffix in runs:
            if suffix.endswith("304"):
                headers = {**headers, "If-None-Match": etag_of(server.base + url, headers)}
            pages[f"{url}{suffix}"] = (url, headers)
        figures.update(
            compare_with_trivial(server.base, pages, rounds=args.rounds, seconds=args.seconds)
        )
    report("leaderboard", figures)


if __name__ == "__main__":
    main()
