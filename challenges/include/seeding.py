"""Demo and benchmark data for INCLUDE: exams and their questions, in every status."""

from __future__ import annotations

import hashlib
import itertools
import random

from django.db import transaction
from django.utils import timezone

from challenges.include.models import Exam, ExamQuestion
from challenges.models import ContributionStatus
from challenges.text import fold
from hackathon.bulk import copy_rows, indexes_built_after, reserve_ids

QUESTIONS_PER_EXAM = (20, 120)

# country, language, exam name, level, category (English), category (original language), source
EXAMS = [
    (
        "BR",
        "pt",
        "Exame Nacional do Ensino Médio, Ciências Humanas",
        "University entrance",
        "History",
        "História",
        "https://www.gov.br/inep/enem",
    ),
    (
        "PT",
        "pt",
        "Exame Nacional de História A",
        "Secondary school",
        "History",
        "História",
        "https://iave.pt/exames",
    ),
    (
        "ES",
        "ca",
        "Proves d'accés a la universitat, Història",
        "University entrance",
        "History",
        "Història",
        "https://universitats.gencat.cat/pau",
    ),
    (
        "ES",
        "es",
        "Examen teórico del permiso de conducir B",
        "Driving licence",
        "Driving licence",
        "Permiso de conducir",
        "https://sede.dgt.gob.es",
    ),
    (
        "ES",
        "eu",
        "Unibertsitatera sartzeko proba, Euskal literatura",
        "University entrance",
        "Literature",
        "Literatura",
        "Libro de texto, 2019",
    ),
    (
        "ES",
        "gl",
        "Proba de acceso á universidade, Historia de Galicia",
        "University entrance",
        "History",
        "Historia",
        "https://ciug.gal",
    ),
    (
        "MX",
        "es",
        "Examen de ingreso a la educación media superior",
        "Secondary school",
        "Civics",
        "Formación cívica y ética",
        "https://example.org/comipems",
    ),
    (
        "MX",
        "nah",
        "Tlamachtiliztli náhuatl, evaluación comunitaria",
        "Primary school",
        "Language",
        "Tlahtolli",
        "Cuaderno comunitario, 2020",
    ),
    (
        "PE",
        "es",
        "Examen de admisión UNMSM, Historia del Perú",
        "University entrance",
        "History",
        "Historia del Perú",
        "https://admision.unmsm.edu.pe",
    ),
    (
        "PE",
        "qu",
        "Runasimi yachay, evaluación regional",
        "Primary school",
        "Language",
        "Simi",
        "Libro escolar, 2017",
    ),
    (
        "PY",
        "gn",
        "Evaluación de lengua guaraní, 6.º grado",
        "Primary school",
        "Language",
        "Ñe'ẽ",
        "Libro de texto escolar, 2018",
    ),
    (
        "CO",
        "es",
        "Prueba Saber 11, Sociales y ciudadanas",
        "Secondary school",
        "Law",
        "Derecho constitucional",
        "https://www.icfes.gov.co",
    ),
    (
        "AR",
        "es",
        "Examen de ingreso a la carrera diplomática",
        "Professional",
        "Geography",
        "Geografía",
        "https://example.org/isen",
    ),
    (
        "CL",
        "es",
        "Prueba de Acceso a la Educación Superior, Historia",
        "University entrance",
        "History",
        "Historia",
        "https://demre.cl",
    ),
    (
        "BO",
        "ay",
        "Aymar aru yatiqaña, evaluación",
        "Secondary school",
        "Language",
        "Aru",
        "Libro escolar, 2016",
    ),
    (
        "CU",
        "es",
        "Examen de ingreso, Historia de Cuba",
        "University entrance",
        "History",
        "Historia de Cuba",
        "Libro de texto, 2015",
    ),
]
QUESTION_TEMPLATES = {
    "es": "¿Cuál de estas afirmaciones sobre {topic} es correcta? (pregunta {n})",
    "pt": "Qual destas afirmações sobre {topic} está correta? (questão {n})",
    "ca": "Quina d'aquestes afirmacions sobre {topic} és correcta? (pregunta {n})",
    "eu": "Zein baieztapen da zuzena {topic} gaiari buruz? ({n}. galdera)",
    "gl": "Cal destas afirmacións sobre {topic} é correcta? (pregunta {n})",
}
DEFAULT_TEMPLATE = "{topic}: ¿cuál es la respuesta correcta? (n.º {n})"
# An exam's level as its contributor types it, in the language of the pages it is read on
# (Portuguese for Portuguese exams, Spanish otherwise): the levels above are INCLUDE's English.
LEVELS = {
    "Primary school": {"es": "Primaria", "pt": "Ensino fundamental"},
    "Secondary school": {"es": "Secundaria", "pt": "Ensino médio"},
    "University entrance": {"es": "Acceso a la universidad", "pt": "Vestibular"},
    "Professional": {"es": "Profesional", "pt": "Profissional"},
    "Driving licence": {"es": "Permiso de conducir", "pt": "Carteira de motorista"},
}
OPTION_WORDS = [
    "la independencia", "la constitución", "el virreinato", "la reforma agraria", "el cabildo",
    "la república", "el tratado de paz", "la revolución", "el código civil", "la audiencia",
    "el parlamento", "la señal de tráfico", "el ayllu", "la minga", "el quilombo", "la capitanía",
]  # fmt: skip
# (exam status, weights of its questions' statuses)
EXAM_PLANS = [
    (ContributionStatus.VALIDATED, {"validated": 85, "rejected": 10, "invalidated": 5}),
    (ContributionStatus.REJECTED, {"rejected": 100}),
    (ContributionStatus.PENDING, {"pending": 80, "validated": 10, "rejected": 10}),
]
PLAN_WEIGHTS = [55, 10, 35]
REASONS = {
    "rejected": "La pregunta no trata de conocimiento regional.",
    "invalidated": "Se encontró el examen bajo licencia propietaria.",
}


# The columns seed_items writes (plain rows: building a model instance costs more than its row).
EXAM_FIELDS = ("id", "challenge_id", "author_id", "name", "language", "country", "domain", "level",
               "declared_questions", "source", "original_format", "license", "status",
               "decision_reason", "decided_at")  # fmt: skip
QUESTION_FIELDS = ("challenge_id", "author_id", "exam_id", "status", "decision_reason",
                   "decided_at", "language", "country", "exam_name", "source", "license", "level",
                   "category_en", "category_original_lang", "original_question_num", "question",
                   "options", "answer", "fingerprint", "flagged_category")  # fmt: skip


def _digest(folded: str) -> str:
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def seed_items(*, challenge, authors: list, count: int, rng: random.Random) -> int:
    """Create ``count`` INCLUDE questions (and the exams that hold them), spread over
    ``authors`` and over the statuses INCLUDE uses (pending, validated, rejected, invalidated;
    never draft), with bulk inserts. Returns how many questions were created."""
    if count <= 0 or not authors:
        return 0
    now = timezone.now()
    # Question texts are numbered after what is already stored, so a second run adds new
    # questions instead of colliding with the unique fingerprints.
    offset = ExamQuestion.objects.filter(challenge=challenge).count()
    # Exams are numbered after those stored too ("convocatoria 3"), for the same reason.
    exam_number = Exam.objects.filter(challenge=challenge).count()
    with transaction.atomic(), indexes_built_after(ExamQuestion, rows=count):
        exams: list[list] = []
        sizes: list[int] = []
        english_categories: list[str] = []
        remaining = count
        while remaining > 0:
            size = min(remaining, rng.randint(*QUESTIONS_PER_EXAM))
            country, language, name, level, category_en, category_original, source = rng.choice(
                EXAMS
            )
            exam_status, _weights = rng.choices(EXAM_PLANS, weights=PLAN_WEIGHTS)[0]
            decided = exam_status != ContributionStatus.PENDING
            exams.append(
                [
                    None,  # its id, reserved below
                    challenge.pk,
                    rng.choice(authors).pk,
                    f"{name}, convocatoria {exam_number + len(exams) + 1}",
                    language,
                    country,
                    category_original,
                    LEVELS[level]["pt" if language == "pt" else "es"],
                    size + rng.randint(0, 20),
                    source,
                    rng.choice(["pdf", "pdf", "web", "book", "scan"]),
                    rng.choice(["unknown", "unknown", "CC-BY-4.0", "CC-BY-NC", "public domain"]),
                    str(exam_status),
                    REASONS["rejected"] if exam_status == ContributionStatus.REJECTED else "",
                    now if decided else None,
                ]
            )
            sizes.append(size)
            english_categories.append(category_en)
            remaining -= size
        for exam, pk in zip(exams, reserve_ids(Exam, len(exams)), strict=True):
            exam[0] = pk
        copy_rows(Exam, EXAM_FIELDS, exams)
        created = copy_rows(
            ExamQuestion,
            QUESTION_FIELDS,
            _questions(exams, sizes, english_categories, offset, rng, now),
        )
    return created


def _questions(
    exams: list[list],
    sizes: list[int],
    english_categories: list[str],
    offset: int,
    rng: random.Random,
    now,
):
    """The rows of every exam's questions, numbered from ``offset`` + 1, each exam's category
    in English beside its own (``english_categories``).

    Their fingerprint is ``challenges.text.fingerprint`` of the question and its options,
    folded by parts: the template and the option words once (``fold`` remembers them), the
    numbers as they are (digits and brackets fold to themselves), instead of folding five new
    texts per question."""
    plans = {str(status): weights for status, weights in EXAM_PLANS}
    folded_words = {word: fold(word) for word in OPTION_WORDS}
    number = offset
    for exam, size, category_en in zip(exams, sizes, english_categories, strict=True):
        exam_id, challenge_id, author_id, exam_name, language, country, domain, level = exam[:8]
        source, license, status_of_exam = exam[9], exam[11], exam[12]
        weights = plans[status_of_exam]
        statuses = list(weights)
        cumulative = list(itertools.accumulate(weights.values()))
        template = QUESTION_TEMPLATES.get(language, DEFAULT_TEMPLATE)
        text = template.format(topic=domain, n="{n}")
        folded = fold(text)
        for position in range(1, size + 1):
            number += 1
            status = rng.choices(statuses, cum_weights=cumulative)[0]
            words = rng.sample(OPTION_WORDS, 4)
            options = [word[0].upper() + word[1:] for word in words]
            question = text.replace("{n}", str(number))
            digest = _digest(
                "\x1f".join(
                    [
                        folded.replace("{n}", str(number)),
                        *(folded_words[word] for word in words),
                    ]
                )
            )
            flagged = rng.random() < 0.02
            yield (
                challenge_id,
                author_id,
                exam_id,
                status,
                REASONS.get(status, ""),
                now if status != "pending" else None,
                language,
                country,
                exam_name,
                source,
                license,
                level,
                "Mathematics" if flagged else category_en,
                "Matemáticas" if flagged else domain,
                position,
                question,
                options,
                rng.randrange(4),
                digest,
                flagged,
            )
