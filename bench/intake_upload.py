"""A 20,000-question INCLUDE upload checked and stored with 500,000 contributions already in
the database: seconds and peak memory (Python allocations, and the process's maximum RSS)."""

from __future__ import annotations

import json
import resource
import time
import tracemalloc

from common import arguments, report, seed, use_database


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


def main() -> None:
    args = arguments(__doc__, rows=20000)
    use_database(args)
    figures = {"scale": {"items": args.items}, "rows": args.rows}
    figures.update(seed(args))

    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import User
    from challenges.include.domain import create_exam, upload_questions
    from challenges.models import Edition

    edition = Edition.objects.current()
    challenge = edition.challenges.get(kind="include")
    author = User.objects.get(email="demo-1@example.org")
    salt = str(time.time_ns())
    exam = create_exam(
        challenge=challenge, author=author, name=f"Benchmark {salt}", language="es", country="PE", domain="History",
        level="University entrance", declared_questions=args.rows, source="https://example.org", original_format="pdf",
    )  # fmt: skip
    content = build_file(args.rows, salt)
    figures["file_mb"] = round(len(content) / 1024 / 1024, 2)
    upload = SimpleUploadedFile("questions.json", content)
    tracemalloc.start()
    started = time.perf_counter()
    result = upload_questions(exam=exam, author=author, upload=upload, filename="questions.json")
    figures["seconds"] = round(time.perf_counter() - started, 2)
    figures["python_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 1024 / 1024, 1)
    tracemalloc.stop()
    figures["process_max_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    figures["stored"] = getattr(result, "stored", None)
    report("intake_upload", figures)


if __name__ == "__main__":
    main()
