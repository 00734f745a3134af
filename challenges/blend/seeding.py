"""Realistic BLEND demo data at benchmark scale: questions per country, answers in every status,
the peer validations and decisions behind them, and a few skipped questions.

Called by the project's ``seed_demo`` command, which has created the edition, the people (with
their profile's country) and the teams. Bulk inserts only: 125,000 answers take seconds.
"""

from __future__ import annotations

import datetime as dt
import operator
import random
from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone
from django_countries import countries

from accounts.models import Profile
from challenges.domain import item_type_of
from challenges.models import Challenge, ContributionStatus, ReviewDecision
from challenges.text import fingerprint
from hackathon.bulk import copy_rows, indexes_built_after, insert_rows, reserve_ids

from .models import PEER_VALIDATION_REASON, BlendAnswer, BlendQuestion, BlendSkip, BlendValidation

SEED_PREFIX = "seed-"
PORTUGUESE = {"BR", "PT", "AO", "MZ", "CV"}
FALLBACK_COUNTRIES = ["PE", "MX", "AR", "CO", "CL", "ES", "PT", "BR"]

# ((topic in Spanish, in Portuguese), question in Spanish, in Portuguese, answers people give):
# topics in the question's language, as in the edition's bank (participants read them).
QUESTIONS = [
    (("comida", "comida"), "¿Qué se suele comer de postre en {country}?", "O que se costuma comer de sobremesa em {country}?",
     ["arroz con leche", "flan", "alfajores", "pastel de nata", "churros"]),
    (("comida", "comida"), "¿Qué se desayuna habitualmente en {country}?", "O que se come normalmente no café da manhã em {country}?",
     ["pan con palta", "café con leche", "tostadas", "pão com manteiga", "arepas"]),
    (("deporte", "esporte"), "¿Cuál es el deporte más practicado los fines de semana en {country}?",
     "Qual é o esporte mais praticado nos fins de semana em {country}?", ["fútbol", "vóley", "pádel", "futsal"]),
    (("familia", "família"), "¿A qué edad suelen independizarse los jóvenes en {country}?",
     "Com que idade os jovens costumam sair de casa em {country}?", ["a los 25", "a los 30", "al casarse"]),
    (("educación", "educação"), "¿Qué se celebra al terminar el colegio en {country}?",
     "O que se comemora ao terminar a escola em {country}?", ["la graduación", "el viaje de egresados", "a formatura"]),
    (("festividades", "festas"), "¿Cuál es la fiesta popular más celebrada en {country}?",
     "Qual é a festa popular mais celebrada em {country}?", ["carnaval", "fiestas patrias", "São João", "Navidad"]),
    (("trabajo", "trabalho"), "¿A qué hora se suele almorzar en un día de trabajo en {country}?",
     "A que horas se costuma almoçar num dia de trabalho em {country}?", ["a las 13:00", "a las 14:00", "ao meio-dia"]),
]  # fmt: skip
REGIONS = ["", "", "", "Norte", "Sur", "Costa", "Sierra", "Capital"]
# Share of answers in each status.
STATUS_WEIGHTS = {
    ContributionStatus.DRAFT: 8,
    ContributionStatus.PENDING: 30,
    ContributionStatus.VALIDATED: 45,
    ContributionStatus.REJECTED: 12,
    ContributionStatus.INVALIDATED: 5,
}
REJECTION_COMMENTS = [
    "",
    "Esto no es típico aquí.",
    "Parece copiado de internet.",
    "Es demasiado general.",
]
INVALIDATION_REASON = "Respuesta generada con una herramienta de IA."
NO_ANSWER_REASONS = list(BlendAnswer.NoAnswerReason.values)
DRAFT, PENDING, VALIDATED, REJECTED, INVALIDATED = (
    str(status.value)
    for status in (
        ContributionStatus.DRAFT,
        ContributionStatus.PENDING,
        ContributionStatus.VALIDATED,
        ContributionStatus.REJECTED,
        ContributionStatus.INVALIDATED,
    )
)


def _countries_of(author_ids: list[int], rng: random.Random) -> dict[int, str]:
    found: dict[int, str] = {}
    for start in range(0, len(author_ids), 5000):
        chunk = author_ids[start : start + 5000]
        found.update(Profile.objects.filter(user_id__in=chunk).values_list("user_id", "country"))
    return {pk: (found.get(pk) or rng.choice(FALLBACK_COUNTRIES)) for pk in author_ids}


def _question_pools(challenge: Challenge, sizes: dict[str, int]) -> dict[str, list[int]]:
    """At least ``sizes[country]`` seed questions per country, created if missing; their ids."""
    existing = defaultdict(list)
    for pk, country in (
        BlendQuestion.objects.filter(challenge=challenge, external_id__startswith=SEED_PREFIX)
        .order_by("id")
        .values_list("pk", "country")
    ):
        existing[country].append(pk)
    new = []
    for country, size in sizes.items():
        language = "pt" if country in PORTUGUESE else "es"
        name = countries.name(country) or country
        for number in range(len(existing[country]), size):
            topics, spanish, portuguese, _answers = QUESTIONS[number % len(QUESTIONS)]
            template = portuguese if language == "pt" else spanish
            topic = topics[1] if language == "pt" else topics[0]
            text = template.format(country=name)
            if number >= len(QUESTIONS):
                text += f" ({number // len(QUESTIONS) + 1})"
            new.append(
                BlendQuestion(
                    challenge=challenge,
                    external_id=f"{SEED_PREFIX}{country}-{number:05d}",
                    country=country,
                    language=language,
                    topic=topic,
                    question=text,
                    fingerprint=fingerprint(country, text),
                )
            )
    insert_rows(BlendQuestion, new, ignore_conflicts=True)
    pools = defaultdict(list)
    for pk, country in (
        BlendQuestion.objects.filter(
            challenge=challenge, country__in=list(sizes), external_id__startswith=SEED_PREFIX
        )
        .order_by("id")
        .values_list("pk", "country")
    ):
        pools[country].append(pk)
    return pools


def seed_items(*, challenge: Challenge, authors: list, count: int, rng: random.Random) -> int:
    """Create ``count`` BLEND answers spread over ``authors`` (of their profile's country) and
    over every status, with the questions they answer, the peer validations and review
    decisions of the decided ones, and a few skipped questions. Returns how many answers
    (the rows that count once validated) were created."""
    if count <= 0 or not authors:
        return 0
    author_ids = [author.pk for author in authors]
    country_of = _countries_of(author_ids, rng)
    # Some people contribute far more than others.
    weights = [rng.random() ** 3 + 0.02 for _pk in author_ids]
    per_author = defaultdict(int)
    for pk in rng.choices(author_ids, weights=weights, k=count):
        per_author[pk] += 1
    skips_per_author = {pk: rng.randint(0, 2) for pk in per_author}
    sizes: dict[str, int] = defaultdict(lambda: 30)
    for pk, total in per_author.items():
        country = country_of[pk]
        sizes[country] = max(sizes[country], total + skips_per_author[pk] + 5)
    people_of = defaultdict(list)
    for pk in author_ids:
        people_of[country_of[pk]].append(pk)
    statuses = iter(
        rng.choices(
            [str(status.value) for status in STATUS_WEIGHTS],
            weights=list(STATUS_WEIGHTS.values()),
            k=count,
        )
    )
    now = timezone.now()

    with transaction.atomic():
        pools = _question_pools(challenge, dict(sizes))
        # Seeded before: add only what is missing (one answer per person per question).
        existing = BlendAnswer.objects.filter(challenge=challenge)
        taken = (
            set(existing.values_list("question_id", "author_id")) if existing.exists() else set()
        )
        answers: list[dict] = []
        skips: list[BlendSkip] = []
        for pk, total in per_author.items():
            country = country_of[pk]
            pool = pools[country]
            start = rng.randrange(len(pool))
            for step in range(total):
                question_id = pool[(start + step) % len(pool)]
                if (question_id, pk) in taken:
                    continue
                answer = _answer(challenge, question_id, pk, country, next(statuses), rng, now)
                answer["validators"] = _pick_validators(answer, people_of[country], rng)
                answers.append(answer)
            for step in range(total, total + skips_per_author[pk]):
                skips.append(
                    BlendSkip(
                        challenge_id=challenge.pk,
                        question_id=pool[(start + step) % len(pool)],
                        user_id=pk,
                    )
                )
        for answer, answer_id in zip(answers, reserve_ids(BlendAnswer, len(answers)), strict=True):
            answer["id"] = answer_id
        insert_rows(BlendSkip, skips, ignore_conflicts=True)
        validations, decisions = _reviews(challenge, answers, rng)
        loaded = (BlendAnswer, BlendValidation, ReviewDecision)
        with indexes_built_after(*loaded, rows=len(answers)):
            copy_rows(BlendAnswer, ANSWER_FIELDS, map(operator.itemgetter(*ANSWER_FIELDS), answers))
            copy_rows(
                BlendValidation, ("answer_id", "validator_id", "approve", "comment"), validations
            )
            copy_rows(
                ReviewDecision,
                ("challenge_id", "item_type", "item_id", "status", "reason"),
                decisions,
            )
    _analyze(BlendQuestion, BlendAnswer, BlendSkip, BlendValidation)
    return len(answers)


def _analyze(*models) -> None:
    """Refresh the planner's statistics after a bulk load (SQLite never does it by itself), so
    that it picks the indexes made for each query."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


# An answer's columns, as seed_items writes them (plain rows: an instance costs more than its row).
ANSWER_FIELDS = ("id", "challenge_id", "question_id", "author_id", "country", "status", "region",
                 "no_answer_reason", "answer_1", "answer_2", "answer_3", "reworded_question",
                 "approvals", "rejections", "decided_at", "decision_reason")  # fmt: skip


def _answer(challenge, question_id, author_id, country, status, rng, now) -> dict:
    """One answer's values (``ANSWER_FIELDS``, its id still to come)."""
    values = {"region": rng.choice(REGIONS)}
    if rng.random() < 0.06:
        values = {"no_answer_reason": rng.choice(NO_ANSWER_REASONS)}
    else:
        topic_answers = QUESTIONS[rng.randrange(len(QUESTIONS))][3]
        chosen = rng.sample(topic_answers, k=min(len(topic_answers), rng.choice((1, 1, 2, 3))))
        if status == DRAFT and rng.random() < 0.3:
            chosen = []  # started, not written yet
        values.update(zip(("answer_1", "answer_2", "answer_3"), chosen, strict=False))
    if rng.random() < 0.1:
        values["reworded_question"] = "¿Y en tu barrio, qué se acostumbra?"
    if status in (VALIDATED, INVALIDATED):
        values["approvals"] = challenge.approvals_to_validate
    elif status == REJECTED:
        values["rejections"] = challenge.rejections_to_reject
    elif status == PENDING and challenge.approvals_to_validate > 1:
        values["approvals"] = rng.randrange(challenge.approvals_to_validate)
    if status in (VALIDATED, REJECTED, INVALIDATED):
        values["decided_at"] = now - dt.timedelta(minutes=rng.randint(1, 60 * 24 * 30))
        values["decision_reason"] = (
            INVALIDATION_REASON if status == INVALIDATED else PEER_VALIDATION_REASON
        )
    return {
        "id": None,
        "challenge_id": challenge.pk,
        "question_id": question_id,
        "author_id": author_id,
        "country": country,
        "status": status,
        "region": "",
        "no_answer_reason": "",
        "answer_1": "",
        "answer_2": "",
        "answer_3": "",
        "reworded_question": "",
        "approvals": 0,
        "rejections": 0,
        "decided_at": None,
        "decision_reason": "",
        **values,
    }


def _pick_validators(answer: dict, people: list[int], rng: random.Random) -> list[int]:
    """Other people of the answer's country behind its counters; without enough of them, an
    organizer decided it from the review queue (no peer counters)."""
    needed = answer["approvals"] + answer["rejections"]
    if not needed:
        return []
    picked = [
        pk for pk in rng.sample(people, k=min(len(people), needed + 1)) if pk != answer["author_id"]
    ][:needed]
    if len(picked) < needed:
        answer["approvals"] = answer["rejections"] = 0
        if answer["decision_reason"] == PEER_VALIDATION_REASON:
            answer["decision_reason"] = ""
        return []
    return picked


def _reviews(challenge: Challenge, answers: list[dict], rng: random.Random):
    """The validations behind each answer's counters, and the decisions of the decided ones
    (rows for ``copy_rows``)."""
    validations, decisions = [], []
    item_type = item_type_of(BlendAnswer)
    for answer in answers:
        answer_id, status, reason = answer["id"], answer["status"], answer["decision_reason"]
        for position, validator in enumerate(answer["validators"]):
            approve = position < answer["approvals"]
            validations.append(
                (answer_id, validator, approve, "" if approve else rng.choice(REJECTION_COMMENTS))
            )
        if status in (VALIDATED, REJECTED):
            decisions.append((challenge.pk, item_type, answer_id, status, reason))
        elif status == INVALIDATED:
            peer = PEER_VALIDATION_REASON if answer["validators"] else ""
            decisions.append((challenge.pk, item_type, answer_id, VALIDATED, peer))
            decisions.append((challenge.pk, item_type, answer_id, status, reason))
    return validations, decisions
