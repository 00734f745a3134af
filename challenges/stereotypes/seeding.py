"""Demo and benchmark data for the stereotypes challenge: a pool of pairs and ratings.

Called by the project's seed_demo command once the edition, people and teams exist. Built with
bulk inserts so that benchmark scale (hundreds of thousands of ratings) takes seconds.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import Profile
from challenges.models import Challenge, ContributionStatus
from challenges.stereotypes.domain import get_consent_text
from challenges.stereotypes.models import (
    StereotypeConsent,
    StereotypePair,
    StereotypeProfile,
    StereotypeRating,
)
from challenges.text import fingerprint, normalize
from hackathon.bulk import copy_rows, indexes_built_after, insert_rows

# A rating's columns, as seed_items writes them (plain rows: an instance costs more than its row).
RATING_FIELDS = ("challenge_id", "author_id", "pair_id", "status", "skipped", "rating",
                 "extra_attribute", "other_nationalities", "region", "own_nationality",
                 "decision_reason")  # fmt: skip

NATIONALITIES = {
    "es": [
        "peruanos", "argentinos", "mexicanos", "chilenos", "colombianos", "españoles", "venezolanos",
        "bolivianos", "cubanos", "uruguayos", "paraguayos", "ecuatorianos", "guatemaltecos",
        "hondureños", "salvadoreños", "nicaragüenses", "costarricenses", "panameños", "dominicanos",
        "puertorriqueños", "brasileños", "portugueses", "catalanes", "gallegos", "vascos", "andaluces",
    ],
    "pt": [
        "brasileiros", "portugueses", "angolanos", "moçambicanos", "cabo-verdianos", "argentinos",
        "espanhóis", "mexicanos", "chilenos", "peruanos", "colombianos", "paulistas", "cariocas",
        "gaúchos", "nordestinos", "mineiros", "baianos", "açorianos",
    ],
    "en": [
        "Peruvians", "Argentinians", "Mexicans", "Chileans", "Colombians", "Spaniards", "Brazilians",
        "Portuguese", "Venezuelans", "Bolivians", "Cubans", "Uruguayans", "Paraguayans", "Ecuadorians",
    ],
}  # fmt: skip
ATTRIBUTES = {
    "es": [
        "amables", "arrogantes", "trabajadores", "perezosos", "alegres", "serios", "puntuales",
        "impuntuales", "ruidosos", "tranquilos", "religiosos", "fiesteros", "tacaños", "generosos",
        "orgullosos", "humildes", "futboleros", "buenos cocineros", "hospitalarios", "desconfiados",
        "cultos", "supersticiosos", "machistas", "emprendedores", "conservadores", "progresistas",
        "bailarines", "habladores", "tímidos", "familiares", "competitivos", "creativos",
    ],
    "pt": [
        "simpáticos", "arrogantes", "trabalhadores", "preguiçosos", "alegres", "sérios", "pontuais",
        "atrasados", "barulhentos", "tranquilos", "religiosos", "festeiros", "sovinas", "generosos",
        "orgulhosos", "humildes", "bons de bola", "bons cozinheiros", "hospitaleiros", "desconfiados",
        "cultos", "supersticiosos", "empreendedores", "conservadores", "dançarinos", "falantes",
    ],
    "en": [
        "friendly", "arrogant", "hard-working", "lazy", "cheerful", "serious", "punctual", "late",
        "loud", "calm", "religious", "party-loving", "stingy", "generous", "proud", "humble",
        "football fans", "good cooks", "hospitable", "distrustful", "superstitious", "creative",
    ],
}  # fmt: skip
LANGUAGE_SHARE = {"es": 0.6, "pt": 0.25, "en": 0.15}
OWN_NATIONALITY = {
    "PE": "peruanos", "MX": "mexicanos", "AR": "argentinos", "CO": "colombianos", "CL": "chilenos",
    "ES": "españoles", "PT": "portugueses", "BR": "brasileiros", "BO": "bolivianos",
    "EC": "ecuatorianos", "VE": "venezolanos", "UY": "uruguayos", "PY": "paraguayos",
    "GT": "guatemaltecos", "CU": "cubanos", "CR": "costarricenses",
}  # fmt: skip
REGIONS = [
    "",
    "",
    "",
    "Lima",
    "Cusco",
    "Andalucía",
    "Cataluña",
    "São Paulo",
    "Bahia",
    "Jalisco",
    "Patagonia",
]
EXTRA_ATTRIBUTES = ["", "", "", "", "sociables", "madrugadores", "deportistas", "románticos"]
# The share of answers in each status: mostly validated ratings, some skips (drafts), and a few
# that organizers invalidated, sent back to pending or rejected in the review queue.
STATUS_WEIGHTS = [
    (ContributionStatus.VALIDATED, 78),
    (ContributionStatus.DRAFT, 12),
    (ContributionStatus.INVALIDATED, 5),
    (ContributionStatus.PENDING, 3),
    (ContributionStatus.REJECTED, 2),
]


def _pair_texts(language: str) -> Iterator[tuple[str, str]]:
    """Every (nationality, attribute) of a language, then the same with a qualifier, so that a
    pool of any size has distinct pairs."""
    base = list(itertools.product(NATIONALITIES[language], ATTRIBUTES[language]))
    for round_number in itertools.count():
        for nationality, attribute in base:
            yield (
                nationality,
                attribute if round_number == 0 else f"{attribute} ({round_number + 1})",
            )


def seed_pool(*, challenge: Challenge, size: int) -> list[StereotypePair]:
    """A pool of ``size`` pairs (ids seed-1, seed-2...), shared out among the languages; pairs
    already there are kept. Returns the seeded pairs."""
    per_language = {
        code: max(1, math.floor(size * share)) for code, share in LANGUAGE_SHARE.items()
    }
    per_language["es"] += size - sum(per_language.values())
    pairs = []
    number = 0
    for language, wanted in per_language.items():
        texts = _pair_texts(language)
        for _index in range(wanted):
            nationality, attribute = next(texts)
            number += 1
            pairs.append(
                StereotypePair(
                    challenge=challenge,
                    external_id=f"seed-{number}",
                    language=language,
                    nationality=nationality,
                    attribute=attribute,
                    nationality_key=normalize(nationality),
                    fingerprint=fingerprint(language, nationality, attribute),
                )
            )
    insert_rows(StereotypePair, pairs, ignore_conflicts=True)
    return list(
        StereotypePair.objects.filter(challenge=challenge, external_id__startswith="seed-").only(
            "pk", "language", "nationality_key"
        )
    )


def seed_items(*, challenge: Challenge, authors: list, count: int, rng: random.Random) -> int:
    """Create ``count`` answers (ratings and skips) spread over ``authors`` and every status,
    with the pool, consents and reading profiles they need. Returns how many of them count
    (validated ratings)."""
    if count <= 0 or not authors:
        return 0
    author_ids = [getattr(author, "pk", author) for author in authors]
    per_author = math.ceil(count / len(author_ids))
    pairs = seed_pool(challenge=challenge, size=max(60, per_author * 2, count // 20))
    by_language: dict[str, list[StereotypePair]] = {}
    for pair in pairs:
        by_language.setdefault(pair.language, []).append(pair)
    all_languages = sorted(by_language)

    countries: dict[int, str] = {}
    declared: dict[int, list] = {}
    for chunk in _chunks(author_ids):
        for user_id, country, languages in Profile.objects.filter(user_id__in=chunk).values_list(
            "user_id", "country", "languages"
        ):
            countries[user_id], declared[user_id] = str(country or ""), languages or []
    wanted_authors = set(author_ids)
    answered = {
        (author_id, pair_id)
        for author_id, pair_id in StereotypeRating.objects.filter(challenge=challenge).values_list(
            "author_id", "pair_id"
        )
        if author_id in wanted_authors
    }
    consent = get_consent_text(challenge=challenge)
    statuses, weights = zip(*STATUS_WEIGHTS, strict=True)
    status_weights = list(itertools.accumulate(weights))
    scale, scale_weights = (1, 2, 3, 4, 5), list(itertools.accumulate((20, 20, 25, 20, 15)))

    profiles, consents, ratings = [], [], []
    counted = created = 0
    remaining = count
    candidates_cache: dict[tuple, list[StereotypePair]] = {}
    for author_id in author_ids:
        wanted = min(per_author, remaining)
        if wanted <= 0:
            break
        languages = tuple(
            code for code in declared.get(author_id) or ["es"] if code in by_language
        ) or ("es",)
        candidates = candidates_cache.get(languages)
        if candidates is None:
            candidates = [pair for code in languages for pair in by_language.get(code, [])]
            candidates_cache[languages] = candidates
        if len(candidates) < wanted:
            languages = tuple(all_languages)
            candidates = pairs
        own = OWN_NATIONALITY.get(countries.get(author_id, ""), "peruanos")
        regions = [rng.choice(REGIONS[3:])] if rng.random() < 0.4 else []
        region = regions[0] if regions else ""
        profiles.append(
            StereotypeProfile(
                user_id=author_id,
                challenge_id=challenge.pk,
                languages=list(languages),
                nationalities=[own],
                regions=regions,
            )
        )
        consents.append(
            StereotypeConsent(user_id=author_id, challenge_id=challenge.pk, version=consent.version)
        )
        chosen = rng.sample(candidates, min(wanted, len(candidates)))
        chosen_statuses = rng.choices(statuses, cum_weights=status_weights, k=len(chosen))
        values = rng.choices(scale, cum_weights=scale_weights, k=len(chosen))
        for pair, status, value in zip(chosen, chosen_statuses, values, strict=True):
            if (author_id, pair.pk) in answered:
                continue
            if created < len(statuses):
                # The first answers go through every status once, then the shares above apply.
                status = statuses[created]
            created += 1
            skipped = status == ContributionStatus.DRAFT
            ratings.append(
                (
                    challenge.pk,
                    author_id,
                    pair.pk,
                    str(status),
                    skipped,
                    None if skipped else value,
                    "" if skipped else rng.choice(EXTRA_ATTRIBUTES),
                    (
                        [rng.choice(NATIONALITIES["es"])]
                        if not skipped and rng.random() < 0.15
                        else []
                    ),
                    "" if skipped else region,
                    pair.nationality_key == own,
                    "Demo: spam" if status == ContributionStatus.INVALIDATED else "",
                )
            )
            counted += status == ContributionStatus.VALIDATED
        remaining -= len(chosen)
    with indexes_built_after(StereotypeRating, rows=len(ratings)):
        copy_rows(StereotypeRating, RATING_FIELDS, ratings)
    insert_rows(StereotypeProfile, profiles, ignore_conflicts=True)
    insert_rows(StereotypeConsent, consents, ignore_conflicts=True)
    _recount(challenge=challenge)
    return counted


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _recount(*, challenge: Challenge) -> None:
    """Set every pair's times_rated from its ratings (skips excluded), in one statement."""
    rated = (
        StereotypeRating.objects.filter(pair=OuterRef("pk"), skipped=False)
        .order_by()
        .values("pair")
        .annotate(total=Count("pk"))
        .values("total")
    )
    StereotypePair.objects.filter(challenge=challenge).update(
        times_rated=Coalesce(Subquery(rated, output_field=IntegerField()), Value(0))
    )
