"""Awards that are not points, in the edition file's ``[[edition.awards]]``: ZeroGPU time for
the best demos, the winners' credits that require the video... with their conditions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from challenges.models import Challenge, Edition

AWARD_KEYS = {
    "slug", "title_es", "title_pt", "title_en", "description_es", "description_pt",
    "description_en", "challenge", "winners", "requires",
}  # fmt: skip


def check_awards(awards: Any, *, challenge_slugs: set) -> list[str]:
    """The problems of the edition's ``[[edition.awards]]``: each names a slug and a Spanish
    title; ``challenge`` (what it rewards) and every ``requires`` entry are challenge slugs of the
    file; ``winners`` is how many teams win it ("2-3", or a whole number)."""
    if awards is None:
        return []
    if not isinstance(awards, list) or not all(isinstance(a, dict) for a in awards):
        return [_("[[edition.awards]] is a list of tables.")]
    problems = []
    for number, award in enumerate(awards, start=1):
        label = award.get("slug") or str(number)
        unknown = set(award) - AWARD_KEYS
        if unknown:
            problems.append(
                _("Award “%(award)s”: unknown keys %(keys)s.")
                % {"award": label, "keys": ", ".join(sorted(unknown))}
            )
        if not award.get("slug") or not award.get("title_es"):
            problems.append(_("Award “%(award)s” needs a slug and a title_es.") % {"award": label})
        named = [award["challenge"]] if award.get("challenge") else []
        for slug in [*named, *award.get("requires", [])]:
            if slug not in challenge_slugs:
                problems.append(
                    _("Award “%(award)s”: “%(slug)s” is not a challenge of the file.")
                    % {"award": label, "slug": slug}
                )
        winners = str(award.get("winners", "1"))
        low, _dash, high = winners.partition("-")
        if not (low.isdigit() and (not high or (high.isdigit() and int(high) >= int(low)))):
            problems.append(
                _("Award “%(award)s”: winners is a number or a range such as 2-3.")
                % {"award": label}
            )
    return problems


@dataclass(frozen=True)
class Award:
    slug: str
    title: str
    description: str
    challenge: str
    winners: str
    requires: list[Challenge]


def list_awards(*, edition: Edition, challenge: Challenge | None = None) -> list[Award]:
    """The edition's awards in the active language (Spanish when a text is missing), with the
    challenges they require; with ``challenge``, those that reward it or require it."""
    if not edition.awards:
        return []
    language = (get_language() or "es").split("-")[0]
    by_slug = {c.slug: c for c in edition.challenges.all()}
    awards = []
    for award in edition.awards or []:
        slugs = [award.get("challenge", ""), *award.get("requires", [])]
        if challenge is not None and challenge.slug not in slugs:
            continue
        awards.append(
            Award(
                slug=award.get("slug", ""),
                title=award.get(f"title_{language}") or award.get("title_es", ""),
                description=award.get(f"description_{language}") or award.get("description_es", ""),
                challenge=award.get("challenge", ""),
                winners=str(award.get("winners", "")),
                requires=[by_slug[s] for s in award.get("requires", []) if s in by_slug],
            )
        )
    return awards
