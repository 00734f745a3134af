"""Realistic demo data for the preference dataset challenge, in bulk (see seed_demo)."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import operator
import random

from django.utils import timezone

from challenges.models import Challenge, ContributionStatus
from challenges.preferences.models import (
    ArenaVote,
    Prompt,
    PromptValidation,
    Quiz,
    QuizAttempt,
    QuizChoice,
    QuizQuestion,
)
from challenges.text import fingerprint, fold
from hackathon.bulk import copy_rows, indexes_built_after, insert_rows, reserve_ids

PLACES = {
    "PE": ["Lima", "Cusco", "Arequipa", "Trujillo", "Iquitos"],
    "MX": ["Ciudad de México", "Oaxaca", "Guadalajara", "Monterrey", "Mérida"],
    "AR": ["Buenos Aires", "Córdoba", "Rosario", "Mendoza", "Salta"],
    "CO": ["Bogotá", "Medellín", "Cali", "Barranquilla", "Cartagena"],
    "CL": ["Santiago", "Valparaíso", "Concepción", "Temuco", "Antofagasta"],
    "ES": ["Madrid", "Sevilla", "Bilbao", "Valencia", "Barcelona"],
    "BO": ["La Paz", "Santa Cruz", "Cochabamba", "Sucre", "Oruro"],
    "EC": ["Quito", "Guayaquil", "Cuenca", "Loja", "Manta"],
    "UY": ["Montevideo", "Salto", "Paysandú", "Maldonado", "Rivera"],
    "VE": ["Caracas", "Maracaibo", "Mérida", "Valencia", "Barquisimeto"],
    "BR": ["São Paulo", "Salvador", "Recife", "Porto Alegre", "Belo Horizonte"],
    "PT": ["Lisboa", "Porto", "Coimbra", "Braga", "Faro"],
}
QUESTIONS_ES = [
    ("comida", "¿Qué se suele comer en {place} un domingo con la familia?"),
    ("fiestas", "¿Cómo se celebra el Año Nuevo en {place}?"),
    ("trabajo", "¿Cómo se saluda a alguien en {place} en una primera reunión de trabajo?"),
    ("educación", "¿A qué edad empiezan los niños la escuela primaria en {place}?"),
    ("deporte", "¿Qué deporte se juega más en los barrios de {place}?"),
    ("familia", "¿Quién suele cocinar en una reunión familiar grande en {place}?"),
    ("lenguaje", "¿Qué significa “estar de chill” para un joven de {place}?"),
    ("transporte", "¿Cuál es la forma más común de ir al trabajo en {place}?"),
    ("música", "¿Qué música suena en una fiesta de cumpleaños en {place}?"),
    ("cortesía", "¿Es de mala educación llegar puntual a una cena en {place}?"),
]
QUESTIONS_PT = [
    ("comida", "O que se costuma comer em {place} num domingo em família?"),
    ("festas", "Como se comemora a passagem de ano em {place}?"),
    ("trabalho", "Como se cumprimenta alguém em {place} numa primeira reunião de trabalho?"),
    ("educação", "Com que idade as crianças começam a escola em {place}?"),
    ("esporte", "Que esporte se joga mais nos bairros de {place}?"),
    ("música", "Que música toca numa festa de aniversário em {place}?"),
]
ASKERS = [
    "", "", "", "Eres un asistente que responde como una persona de {place}.",
    "Eres una guía turística local de {place}.", "Responde como un profesor de secundaria de {place}.",
]  # fmt: skip
MOMENTS = ["", "", " Responde en pocas frases.", " Explica por qué.", " Da un ejemplo concreto."]
ANSWERS = [
    "Es muy común reunirse al mediodía y compartir un plato tradicional de la región.",
    "Depende mucho de la familia, pero lo más habitual es algo sencillo y casero.",
    "La gente suele comer hamburguesas.",
    "No tengo información sobre eso.",
    "Se celebra con la familia, música y comida típica hasta la madrugada.",
    "Con un apretón de manos y, si hay confianza, un beso en la mejilla.",
]
MODELS = ["model-alpha", "model-beta", "model-gamma", "model-delta", "model-epsilon"]
STATUS_WEIGHTS = [
    (ContributionStatus.PENDING, 35),
    (ContributionStatus.VALIDATED, 40),
    (ContributionStatus.REJECTED, 14),
    (ContributionStatus.INVALIDATED, 6),
    (ContributionStatus.DRAFT, 5),
]
SOURCE_WEIGHTS = [(Prompt.Source.FORM, 60), (Prompt.Source.CSV, 30), (Prompt.Source.ARENA, 10)]
QUIZ = [
    (
        "¿Qué hace que un prompt esté culturalmente anclado?",
        [
            ("Pregunta por algo propio de un país o región", True),
            ("Es muy largo", False),
            ("Está en inglés", False),
        ],
    ),
    (
        "¿En qué idiomas se escriben los prompts?",
        [("Español o portugués", True), ("Cualquier idioma", False), ("Solo inglés", False)],
    ),
    (
        "¿Para qué sirve el system prompt?",
        [
            ("Para dar un rol al modelo", True),
            ("Para votar", False),
            ("Para elegir el país", False),
        ],
    ),
    (
        "¿Qué se vota en la arena?",
        [("Cuál de las dos respuestas es mejor", True), ("Qué modelo es más rápido", False)],
    ),
]


def _picker(pairs):
    """A function drawing one value with the given weights."""
    values = [value for value, _weight in pairs]
    cumulative = list(itertools.accumulate(weight for _value, weight in pairs))

    def pick(rng: random.Random):
        return rng.choices(values, cum_weights=cumulative, k=1)[0]

    return pick


_status = _picker(STATUS_WEIGHTS)
_source = _picker(SOURCE_WEIGHTS)
# The columns seed_items writes (plain rows: an instance costs more than its row).
PROMPT_FIELDS = ("id", "challenge_id", "author_id", "status", "decision_reason", "decided_at",
                 "country", "language", "system_prompt", "text", "topic", "fingerprint", "source",
                 "approvals", "rejections")  # fmt: skip
VOTE_FIELDS = ("challenge_id", "user_id", "prompt_id", "identity", "vote_type", "model_a",
               "model_b", "system_prompt", "question", "question_fingerprint", "answer_a",
               "answer_b", "chosen", "rejected", "tstamp", "raw", "fingerprint")  # fmt: skip


def _ensure_quiz(challenge: Challenge) -> Quiz:
    quiz, created = Quiz.objects.get_or_create(
        challenge=challenge,
        defaults={"title": "Cuestionario sobre la guía de prompts", "pass_mark": 75},
    )
    if created:
        for position, (text, choices) in enumerate(QUIZ, start=1):
            question = QuizQuestion.objects.create(quiz=quiz, text=text, position=position)
            QuizChoice.objects.bulk_create(
                QuizChoice(question=question, text=choice, is_correct=correct, position=index)
                for index, (choice, correct) in enumerate(choices, start=1)
            )
    return quiz


def seed_items(*, challenge: Challenge, authors: list, count: int, rng: random.Random) -> int:
    """Create ``count`` prompts spread over ``authors`` and every status, with the quiz (passed by
    their authors), arena votes for about a sixth of them (and a few unmatched ones) and the
    peer validations that decided about a third of the decided ones (organizers decided the
    others). Returns the prompts created."""
    if count <= 0 or not authors:
        return 0
    quiz = _ensure_quiz(challenge)
    now = timezone.now()
    seen = set(Prompt.objects.filter(challenge=challenge).values_list("fingerprint", flat=True))
    offset = len(seen)
    author_ids = [author.pk for author in authors]
    prompts: list[dict] = []
    folded_texts: dict[str, str] = {}
    for index in range(count):
        country = rng.choice(list(PLACES))
        place = rng.choice(PLACES[country])
        portuguese = country in ("BR", "PT")
        topic, template = rng.choice(QUESTIONS_PT if portuguese else QUESTIONS_ES)
        text = template.format(place=place) + ("" if portuguese else rng.choice(MOMENTS))
        # The few texts the templates make are folded once (kept here: the votes' unique
        # texts would push them out of what ``fold`` remembers); a number after one folds to
        # itself.
        folded = folded_texts.get(text)
        if folded is None:
            folded = folded_texts[text] = fold(text)
        digest = _digest(folded)
        if digest in seen:
            suffix = f" ({offset + index + 1})"
            text += suffix
            digest = _digest(folded + suffix)
        seen.add(digest)
        status = str(_status(rng))
        approvals = rejections = 0
        reason = ""
        decided_at = None
        # About a third of the decisions came from peer validations, the rest from organizers.
        by_peers = rng.random() < 0.3
        if status == ContributionStatus.VALIDATED:
            approvals = challenge.approvals_to_validate if by_peers else 0
        elif status == ContributionStatus.REJECTED:
            rejections = challenge.rejections_to_reject if by_peers else 0
            reason = (
                "Rechazado por validadores de otros equipos: no está culturalmente anclado."
                if by_peers
                else "No es una pregunta sobre la cultura del país."
            )
        elif status == ContributionStatus.INVALIDATED:
            reason = "Duplicado de otro prompt con distinta redacción."
        if status in (
            ContributionStatus.VALIDATED,
            ContributionStatus.REJECTED,
            ContributionStatus.INVALIDATED,
        ):
            decided_at = now - dt.timedelta(minutes=rng.randint(1, 60 * 24 * 30))
        prompts.append(
            {
                "id": None,
                "challenge_id": challenge.pk,
                "author_id": rng.choice(author_ids),
                "status": status,
                "decision_reason": reason,
                "decided_at": decided_at,
                "country": country,
                "language": "pt" if portuguese else "es",
                "system_prompt": "" if portuguese else rng.choice(ASKERS).format(place=place),
                "text": text,
                "topic": topic,
                "fingerprint": digest,
                "source": str(_source(rng)),
                "approvals": approvals,
                "rejections": rejections,
            }
        )
    for prompt, prompt_id in zip(prompts, reserve_ids(Prompt, len(prompts)), strict=True):
        prompt["id"] = prompt_id
    with indexes_built_after(Prompt, rows=len(prompts)):
        copy_rows(Prompt, PROMPT_FIELDS, map(operator.itemgetter(*PROMPT_FIELDS), prompts))

    passed = set(
        QuizAttempt.objects.filter(quiz=quiz, passed=True).values_list("user_id", flat=True)
    )
    total = len(QUIZ)
    insert_rows(
        QuizAttempt,
        [
            QuizAttempt(quiz=quiz, user_id=user_id, score=total, total=total, passed=True)
            for user_id in sorted({prompt["author_id"] for prompt in prompts} - passed)
        ],
    )

    votes: list[tuple] = []
    validations: list[tuple] = []
    for prompt in prompts:
        if prompt["status"] != ContributionStatus.DRAFT and (
            prompt["source"] == Prompt.Source.ARENA or rng.random() < 0.05
        ):
            votes.append(_vote(challenge, prompt, rng, identity=f"demo-{prompt['author_id']}"))
        approves = prompt["approvals"] > 0
        needed = prompt["approvals"] + prompt["rejections"]
        others = [
            pk
            for pk in rng.sample(author_ids, min(len(author_ids), needed + 1))
            if pk != prompt["author_id"]
        ]
        for validator_id in others[:needed]:
            validations.append(
                (
                    prompt["id"],
                    validator_id,
                    approves or rng.random() < 0.5,
                    approves,
                    None,
                    approves,
                )
            )
    for _index in range(max(1, count // 50)):
        votes.append(_vote(challenge, None, rng, identity=f"anon-{rng.randrange(10**9)}"))
    copy_rows(ArenaVote, VOTE_FIELDS, votes, ignore_conflicts=True)
    copy_rows(
        PromptValidation,
        ("prompt_id", "validator_id", "well_designed", "culturally_anchored", "keep_chosen",
         "approves"),
        validations,
        ignore_conflicts=True,
    )  # fmt: skip
    return len(prompts)


def _digest(folded: str) -> str:
    """``challenges.text.fingerprint`` of one text already folded."""
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def _vote(challenge: Challenge, prompt: dict | None, rng: random.Random, *, identity: str) -> tuple:
    """One arena vote's row (``VOTE_FIELDS``), on the prompt or on none."""
    question = prompt["text"] if prompt else rng.choice(QUESTIONS_ES)[1].format(place="Lima")
    system_prompt = prompt["system_prompt"] if prompt else ""
    vote_type = rng.choice(ArenaVote.VoteType.values)
    model_a, model_b = rng.sample(MODELS, 2)
    answer_a, answer_b = rng.sample(ANSWERS, 2)
    stamp = 1744600000 + rng.random() * 3_000_000
    chosen = rejected = ""
    if vote_type == ArenaVote.VoteType.LEFT:
        chosen, rejected = answer_a, answer_b
    elif vote_type == ArenaVote.VoteType.RIGHT:
        chosen, rejected = answer_b, answer_a
    raw = {
        "tstamp": round(stamp, 2),
        "type": vote_type,
        "models": [model_a, model_b],
        "states": [
            {
                "model_name": model_a,
                "system_message": system_prompt,
                "messages": [["user", question], ["assistant", answer_a]],
            },
            {
                "model_name": model_b,
                "system_message": system_prompt,
                "messages": [["user", question], ["assistant", answer_b]],
            },
        ],
        "username": identity,
    }
    return (
        challenge.pk,
        prompt["author_id"] if prompt else None,
        prompt["id"] if prompt else None,
        identity,
        vote_type,
        model_a,
        model_b,
        system_prompt,
        question,
        fingerprint(question),
        answer_a,
        answer_b,
        chosen,
        rejected,
        dt.datetime.fromtimestamp(stamp, tz=dt.UTC),
        raw,
        fingerprint(f"{stamp:.6f}", identity, question, model_a, model_b),
    )
