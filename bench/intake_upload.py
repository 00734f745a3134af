"""A 20,000-question INCLUDE upload checked and stored by the task's work (``check_upload``)
with 500,000 contributions already in the database: seconds (a pass without tracemalloc) and
peak memory (Python allocations under tracemalloc, in a second pass, and the process's maximum
RSS)."""

from __future__ import annotations

import json
import os
import resource
import time
import tracemalloc

from common import RESULTS, arguments, database_cpu_seconds, report, seed, use_database


def build_file(rows: int, salt: str) -> bytes:
    records = [
        {
            "language": "es",
            "country": "PE",
            "exam_name": f"Examen de prueba {salt}",
            "source": "https://example.org/exam.pdf",
            "license": "unknown",
            "level": "University entrance",
            "category_en": "History",
            "category_original_lang": "Historia",
            "original_question_num": number,
            "question": f"¿Pregunta {salt} número {number} sobre la historia del Perú?",
            "options": [
                f"Opción A {number}",
                f"Opción B {number}",
                f"Opción C {number}",
                f"Opción D {number}",
            ],
            "answer": number % 4,
        }  # fmt: skip
        for number in range(1, rows + 1)
    ]
    return json.dumps(records, ensure_ascii=False).encode("utf-8")


def queue_upload(*, challenge, author, rows: int):
    """A new exam of the demo participant and a queued upload of ``rows`` new questions into it,
    as the upload page keeps it for the task."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from challenges.domain.uploads import start_upload
    from challenges.include.domain import create_exam

    salt = str(time.time_ns())
    exam = create_exam(
        challenge=challenge, author=author, name=f"Benchmark {salt}", language="es", country="PE", domain="History",
        level="University entrance", declared_questions=rows, source="https://example.org", original_format="pdf",
    )  # fmt: skip
    content = build_file(rows, salt)
    upload = start_upload(
        challenge=challenge,
        user=author,
        file=SimpleUploadedFile("questions.json", content),
        target=exam,
        enqueue=lambda pk: None,
    )
    return upload, len(content)


def remove_benchmark_exams(author) -> None:
    """The benchmark's exams, their questions and uploads gone: every run meets the seeded
    scale, not the rows of the runs before it."""
    from challenges.include.models import Exam, ExamQuestion
    from challenges.models import NearDuplicateBand, Upload

    Upload.objects.filter(uploaded_by=author).delete()
    exams = Exam.objects.filter(author=author, name__startswith="Benchmark ")
    # Their near-duplicate index rows too (the index has no foreign key to its items): left,
    # every run would add 280,000 rows to the index the next one meets.
    NearDuplicateBand.objects.filter(
        item_type=ExamQuestion._meta.label_lower,
        item_id__in=ExamQuestion.objects.filter(exam__in=exams).values("pk"),
    ).delete()
    exams.delete()


def start_profiler():
    """pyinstrument (the test extra) on the timed pass, with ``--profile``: where the seconds go,
    written to bench/results/intake_upload_profile.txt."""
    from pyinstrument import Profiler  # noqa: PLC0415 -- slow import: only when profiling

    profiler = Profiler(interval=0.002)
    profiler.start()
    return profiler


def main() -> None:
    args = arguments(__doc__, rows=20000, profile=False, seconds_only=False)
    use_database(args)
    figures = {"scale": {"items": args.items}, "rows": args.rows}
    figures.update(seed(args))

    from accounts.models import User
    from challenges.domain.uploads import check_upload
    from challenges.models import Edition

    edition = Edition.objects.current()
    challenge = edition.challenges.get(kind="include")
    author = User.objects.get(email="demo-1@example.org")
    remove_benchmark_exams(author)

    # The task's work (check_upload: read the kept file, check, store, mark done), timed alone:
    # tracemalloc slows every allocation several times over, so memory is a second pass.
    upload, size = queue_upload(challenge=challenge, author=author, rows=args.rows)
    figures["file_mb"] = round(size / 1024 / 1024, 2)
    profiler = start_profiler() if args.profile else None
    database_cpu = database_cpu_seconds()
    cpu = time.process_time()
    started = time.perf_counter()
    checked = check_upload(upload_id=upload.pk)
    figures["seconds"] = round(time.perf_counter() - started, 2)
    # On a machine shared with other work the seconds wait for the processor; the processor
    # time of this process and of its PostgreSQL backend says what the check itself costs.
    figures["python_cpu_seconds"] = round(time.process_time() - cpu, 2)
    figures["database_cpu_seconds"] = round(database_cpu_seconds() - database_cpu, 2)
    figures["load_average"] = os.getloadavg()[0]
    if profiler is not None:
        profiler.stop()
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "intake_upload_profile.txt").write_text(profiler.output_text(), "utf-8")
    figures["stored"] = checked.report["stored"] if checked.report else checked.refusal
    # The process's peak so far: the check's, without tracemalloc's own bookkeeping (the
    # second pass's maximum below includes it).
    figures["timed_pass_max_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )

    remove_benchmark_exams(author)
    if args.seconds_only:  # --seconds-only: no second pass under tracemalloc
        report("intake_upload", figures)
        return
    upload, _size = queue_upload(challenge=challenge, author=author, rows=args.rows)
    tracemalloc.start()
    started = time.perf_counter()
    check_upload(upload_id=upload.pk)
    figures["seconds_under_tracemalloc"] = round(time.perf_counter() - started, 2)
    figures["python_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 1024 / 1024, 1)
    tracemalloc.stop()
    figures["process_max_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    remove_benchmark_exams(author)
    report("intake_upload", figures)


if __name__ == "__main__":
    main()
