"""A soak test: for 60 s, 500 clients reload the leaderboard, 50 people upload INCLUDE questions
(and follow their upload's page until it is done), 100 validate (as validators do: take the next
BLEND answer or prompt, approve or reject it, and so on) and 20 captains edit their team, against gunicorn on PostgreSQL and Redis with
a Celery worker (both started here), on a small seeded database.

Prints p50/p95/p99 per page, then checks that nothing was lost: no 5xx answer, every upload
accepted ended done or failed once the queue drained, and each exam holds exactly the questions
its done uploads reported stored. Clients are threads with `requests` (no async HTTP client is
installed). Not part of the test suite.
"""

from __future__ import annotations

import html
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict

import requests
from common import ROOT, Gunicorn, arguments, report, seed, use_database

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# The next item of a validation page: the BLEND answer's form, the prompt's hidden field.
BLEND_ANSWER_FORM = re.compile(r'hx-post="(/blend/[^/"]+/validate/\d+/)"')
PROMPT_FIELD = re.compile(r'name="prompt" value="(\d+)"')
# Why a decision was refused: the BLEND partial's problem, the prompt page's error message.
REFUSAL = re.compile(r'role="alert"><p>([^<]+)</p>|<li class="error">([^<]+)</li>')


class Recorder:
    """Every answer's page, status and time, shared by the client threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.failures: list[str] = []
        self.refusals: dict[str, int] = defaultdict(int)

    def refused(self, response) -> None:
        """Count the refusal a page shows after a decision, by its message."""
        found = REFUSAL.search(response.text) if response is not None else None
        if found:
            with self.lock:
                self.refusals[html.unescape(found.group(1) or found.group(2))] += 1

    def call(self, session: requests.Session, page: str, method: str, url: str, **kwargs):
        started = time.perf_counter()
        try:
            response = session.request(method, url, timeout=60, allow_redirects=False, **kwargs)
        except requests.RequestException as error:
            with self.lock:
                self.statuses[page][0] += 1
                self.failures.append(f"{page}: {type(error).__name__}")
            return None
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.times[page].append(elapsed)
            self.statuses[page][response.status_code] += 1
        return response

    def figures(self) -> dict:
        figures = {}
        for page, times in sorted(self.times.items()):
            times = sorted(times)
            quantiles = statistics.quantiles(times, n=100) if len(times) > 1 else times * 99
            figures[page] = {
                "requests": len(times),
                "p50_ms": round(quantiles[49], 1),
                "p95_ms": round(quantiles[94], 1),
                "p99_ms": round(quantiles[98], 1),
                "statuses": dict(sorted(self.statuses[page].items())),
            }
        return figures

    def server_errors(self) -> int:
        return sum(
            count
            for statuses in self.statuses.values()
            for status, count in statuses.items()
            if status >= 500 or status == 0
        )


def questions_file(rows: int, salt: str) -> bytes:
    return json.dumps(
        [
            {
                "question": f"¿Pregunta {salt} número {number}?",
                "options": [f"A {number}", f"B {number}", f"C {number}", f"D {number}"],
                "answer": number % 4,
                "category_en": "History",
                "original_question_num": number,
            }
            for number in range(1, rows + 1)
        ],
        ensure_ascii=False,
    ).encode()


def session_for(cookie_name: str, cookie: str, base: str) -> requests.Session:
    session = requests.Session()
    session.cookies.set(cookie_name, cookie, domain="127.0.0.1")
    session.headers["Referer"] = base + "/"
    session.headers["Accept-Language"] = "en"
    return session


def keep_cookie(session: requests.Session, response, name: str) -> None:
    """A cookie of the answer set again without the Secure flag (production settings, served
    over plain HTTP here), or the client would not send it back."""
    cookie = response.cookies.get(name) if response is not None else None
    if cookie:
        session.cookies.set(name, cookie, domain="127.0.0.1")


def csrf_of(session: requests.Session, response) -> str:
    """The form's CSRF token (its cookie kept)."""
    if response is None:
        return ""
    keep_cookie(session, response, "csrftoken")
    match = CSRF_FIELD.search(response.text)
    return match.group(1) if match else ""


def main() -> None:
    args = arguments(
        __doc__,
        participants=600,
        teams=120,
        items=20_011,
        seconds=60,
        leaderboard_clients=500,
        uploaders=50,
        validators=100,
        editors=20,
        rows=200,
        workers=4,
        port=8099,
        approvals=0.7,
    )
    use_database(args)
    figures: dict = {
        "scale": {"participants": args.participants, "teams": args.teams, "items": args.items}
    }
    figures.update(seed(args))

    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from challenges.blend.models import BlendValidation
    from challenges.include.domain import create_exam
    from challenges.include.models import ExamQuestion
    from challenges.models import Edition, Upload
    from challenges.preferences.models import PromptValidation
    from teams.models import Membership

    edition = Edition.objects.current()
    slugs = dict(edition.challenges.values_list("kind", "slug"))
    include = edition.challenges.get(kind="include")
    members = list(
        Membership.objects.filter(edition=edition).select_related("user").order_by("team_id", "pk")
    )
    captains = [m.user for m in members if m.role == Membership.Role.CAPTAIN][: args.editors]
    others = [m.user for m in members if m.role != Membership.Role.CAPTAIN]
    uploaders = others[: args.uploaders]
    validators = others[args.uploaders : args.uploaders + args.validators]
    salt = str(time.time_ns())
    exams = {
        person.pk: create_exam(
            challenge=include,
            author=person,
            name=f"Soak {salt} {person.pk}",
            language="es",
            country="PE",
            domain="History",
            level="University entrance",
            declared_questions=10_000,
            source="https://example.org",
            original_format="pdf",
        )  # fmt: skip
        for person in uploaders
    }
    cookie_name = settings.SESSION_COOKIE_NAME

    def cookie_of(person) -> str:
        client = Client()
        client.force_login(person)
        return client.cookies[cookie_name].value

    cookies = {person.pk: cookie_of(person) for person in {*uploaders, *validators, *captains}}
    recorder = Recorder()
    run_started = timezone.now()
    accepted: list[int] = []
    stop = threading.Event()

    def leaderboard(base: str) -> None:
        session = requests.Session()
        while not stop.is_set():
            recorder.call(session, "leaderboard", "GET", base + "/leaderboard/")
            time.sleep(random.uniform(0.5, 1.5))

    def uploader(base: str, person) -> None:
        session = session_for(cookie_name, cookies[person.pk], base)
        exam = exams[person.pk]
        exam_url = f"{base}/include/{include.slug}/exams/{exam.pk}/"
        number = 0
        while not stop.is_set():
            token = csrf_of(session, recorder.call(session, "include exam", "GET", exam_url))
            number += 1
            content = questions_file(args.rows, f"{salt}-{person.pk}-{number}")
            response = recorder.call(
                session, "include upload", "POST", exam_url + "upload/",
                data={"csrfmiddlewaretoken": token},
                files={"file": ("questions.json", content, "application/json")},
            )  # fmt: skip
            location = response.headers.get("Location", "") if response is not None else ""
            found = re.match(r"^/uploads/(\d+)/$", location)
            if found:
                with recorder.lock:
                    accepted.append(int(found.group(1)))
                while not stop.is_set():
                    poll = recorder.call(
                        session, "upload progress", "GET", base + location,
                        headers={"HX-Request": "true"},
                    )  # fmt: skip
                    if poll is None or poll.status_code != 200:
                        break
                    time.sleep(2)
            time.sleep(random.uniform(1, 3))

    def approve() -> bool:
        return random.random() < args.approvals

    def blend_validator(base: str, person, page: str) -> None:
        """The validation page once, then each decision through htmx: its answer is the queue
        with the next answer, as in the browser; the page again when nothing is left."""
        session = session_for(cookie_name, cookies[person.pk], base)
        shown = None
        while not stop.is_set():
            if shown is None or shown.status_code != 200:
                shown = recorder.call(session, "blend validate", "GET", base + page)
            found = BLEND_ANSWER_FORM.search(shown.text) if shown is not None else None
            if not found:  # nothing to validate now
                shown = None
                time.sleep(random.uniform(2, 4))
                continue
            time.sleep(random.uniform(0.5, 2))  # reading the answer
            shown = recorder.call(
                session, "blend decide", "POST", base + found.group(1),
                data={"csrfmiddlewaretoken": csrf_of(session, shown),
                      "verdict": "valid" if approve() else "invalid", "comment": ""},
                headers={"HX-Request": "true"},
            )  # fmt: skip
            recorder.refused(shown)

    def prompt_validator(base: str, person, page: str) -> None:
        """The next prompt, then its form posted (answered yes or no), then the page again."""
        session = session_for(cookie_name, cookies[person.pk], base)
        while not stop.is_set():
            shown = recorder.call(session, "preferences validate", "GET", base + page)
            recorder.refused(shown)  # the message of the decision before, if it was refused
            found = PROMPT_FIELD.search(shown.text) if shown is not None else None
            if not found:
                time.sleep(random.uniform(2, 4))
                continue
            time.sleep(random.uniform(0.5, 2))
            verdict = "yes" if approve() else "no"
            data = {
                "csrfmiddlewaretoken": csrf_of(session, shown),
                "prompt": found.group(1),
                "well_designed": verdict,
                "culturally_anchored": verdict,
                "improved_answer": "",
            }
            if 'name="keep_chosen"' in shown.text:
                data["keep_chosen"] = verdict
            decided = recorder.call(session, "preferences decide", "POST", base + page, data=data)
            keep_cookie(session, decided, "messages")  # the next page says how it went

    def editor(base: str, person) -> None:
        session = session_for(cookie_name, cookies[person.pk], base)
        number = 0
        while not stop.is_set():
            page = recorder.call(session, "team page", "GET", base + "/team/")
            token = csrf_of(session, page)
            countries = re.findall(
                r'<option value="([A-Z]{2})" selected', page.text if page else ""
            )
            number += 1
            recorder.call(
                session, "team edit", "POST", base + "/team/edit/",
                data={
                    "csrfmiddlewaretoken": token,
                    "name": f"Equipo {person.pk}-{salt[-6:]}",
                    "countries": countries or ["PE"],
                    "project_idea": f"Idea número {number}",
                    "track": "",
                },
            )  # fmt: skip
            time.sleep(random.uniform(1, 3))

    validating = [
        (blend_validator, f"/blend/{slugs['blend']}/validate/"),
        (prompt_validator, f"/preferences/{slugs['preferences']}/validate/"),
    ]
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    with Gunicorn(port=args.port, workers=args.workers) as server:
        env = {**server.environment(), "UPLOADS_PER_HOUR": "1000"}
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "hackathon", "worker", "--concurrency", "2",
             "--loglevel", "warning", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        try:
            threads = (
                [threading.Thread(target=leaderboard, args=(server.base,)) for _ in range(args.leaderboard_clients)]
                + [threading.Thread(target=uploader, args=(server.base, person)) for person in uploaders]
                + [threading.Thread(target=validating[index % 2][0], args=(server.base, person, validating[index % 2][1]))
                   for index, person in enumerate(validators)]
                + [threading.Thread(target=editor, args=(server.base, person)) for person in captains]
            )  # fmt: skip
            started = time.perf_counter()
            for thread in threads:
                thread.daemon = True
                thread.start()
            time.sleep(args.seconds)
            stop.set()
            for thread in threads:
                thread.join(timeout=90)
            figures["seconds"] = round(time.perf_counter() - started, 1)
            # Let the worker drain the queue, then see that every accepted upload ended.
            deadline = time.time() + 180
            while (
                time.time() < deadline
                and Upload.objects.filter(pk__in=accepted, status__in=Upload.ACTIVE).exists()
            ):
                time.sleep(1)
        finally:
            worker.terminate()
            worker.wait(timeout=30)

    figures["pages"] = recorder.figures()
    uploads = Upload.objects.filter(pk__in=accepted)
    by_status = defaultdict(int)
    for status in uploads.values_list("status", flat=True):
        by_status[status] += 1
    expected = defaultdict(int)
    for upload in uploads.filter(status=Upload.Status.DONE):
        expected[upload.target_id] += upload.report["stored"]
    stored = defaultdict(int)
    for exam_id in ExamQuestion.objects.filter(exam_id__in=exams_ids(exams)).values_list(
        "exam_id", flat=True
    ):
        stored[exam_id] += 1
    mismatched = [pk for pk in exams_ids(exams) if expected.get(pk, 0) != stored.get(pk, 0)]
    figures["uploads"] = {"accepted": len(accepted), **by_status}
    since = {"created_at__gte": run_started}
    figures["decisions_stored"] = {
        "blend": BlendValidation.objects.filter(validator__in=validators, **since).count(),
        "prompts": PromptValidation.objects.filter(validator__in=validators, **since).count(),
    }
    figures["decisions_refused"] = dict(recorder.refusals)
    figures["server_errors"] = recorder.server_errors()
    figures["exams_with_questions_lost_or_doubled"] = len(mismatched)
    figures["client_failures"] = recorder.failures[:10]
    report("soak", figures)
    lost = (
        figures["server_errors"]
        or mismatched
        or by_status.get(Upload.Status.QUEUED, 0)
        or by_status.get(Upload.Status.CHECKING, 0)
    )
    sys.exit(1 if lost else 0)


def exams_ids(exams: dict) -> list[int]:
    return [exam.pk for exam in exams.values()]


if __name__ == "__main__":
    main()
