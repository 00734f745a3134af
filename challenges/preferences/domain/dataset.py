"""The rows of the preference dataset, from the validated prompts (published by
``hub.publishing`` through the preferences Intake), in four forms:

- ``default``: the shared shape of 2025 (country, system_prompt, question, chosen, rejected);
- ``dpo``: prompt, chosen, rejected, as DPO trainers read them;
- ``kto``: prompt, completion, label, as KTO trainers read them;
- ``prompts``: every validated prompt, voted on or not, without answers.

Each validated prompt is judged by one vote, "its vote": its most recent counted (not flagged)
vote that chose an answer, else its most recent counted vote (both good or both bad). The
default and DPO forms hold only the prompts whose vote chose an answer; KTO turns a vote that
chose into one true row (the chosen answer) and one false row (the other), a "both good" vote
into two true rows and a "both bad" vote into two false rows.

The validators of other teams said, for a vote that chose, whether they would keep the chosen
answer, and may have written a better one (``PromptValidation``, votes not voided). The
``validation`` column tells what they concluded (``VALIDATION_*``): most of those who answered
would keep it (``kept``); most would not and one wrote a better answer, which then replaces
``chosen`` (``improved``; the most recent of those answers); most would not and nobody wrote a
better one (``not_kept``: the row stays, for whoever filters on it); nobody said
(``not_judged``, always so for a vote without a choice).

No row has an empty answer: a pair with an empty chosen or rejected answer is left out, and so
is a KTO row with an empty completion.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce

from challenges.models import Challenge, ContributionStatus
from challenges.preferences.models import ArenaVote, Prompt, PromptValidation
from challenges.provenance import Provenance

from .batching import BATCH_SIZE

VALIDATION_KEPT = "kept"
VALIDATION_IMPROVED = "improved"
VALIDATION_NOT_KEPT = "not_kept"
VALIDATION_NOT_JUDGED = "not_judged"

# Each row's stable id and its author's key (``challenges.provenance``) frame the data.
SHARED_COLUMNS = ["id", "country", "system_prompt", "question", "chosen", "rejected", "contributor"]
# What the training forms say about where each row comes from.
DETAIL_COLUMNS = ["country", "language", "vote_type", "validation"]
DPO_COLUMNS = [
    "id", "prompt", "chosen", "rejected", *DETAIL_COLUMNS, "chosen_model", "rejected_model",
    "contributor",
]  # fmt: skip
KTO_COLUMNS = [
    "id", "prompt", "completion", "label", *DETAIL_COLUMNS, "model", "other_model",
    "contributor",
]  # fmt: skip
PROMPTS_FORM_COLUMNS = ["id", "country", "language", "system_prompt", "question", "contributor"]


@dataclass(frozen=True)
class Preference:
    """One validated prompt and its vote (none: the vote fields are empty)."""

    id: str
    contributor: str
    country: str
    language: str
    system_prompt: str
    question: str
    vote_type: str = ""
    model_a: str = ""
    model_b: str = ""
    answer_a: str = ""
    answer_b: str = ""
    chosen: str = ""
    rejected: str = ""
    validation: str = VALIDATION_NOT_JUDGED

    @property
    def is_decisive(self) -> bool:
        return self.vote_type in ArenaVote.DECISIVE

    @property
    def prompt(self) -> str:
        """The prompt as trainers read it: the system prompt, a blank line, the question (or
        just the question)."""
        if self.system_prompt:
            return f"{self.system_prompt}\n\n{self.question}"
        return self.question

    @property
    def chosen_model(self) -> str:
        return self.model_a if self.vote_type == ArenaVote.VoteType.LEFT else self.model_b

    @property
    def rejected_model(self) -> str:
        return self.model_b if self.vote_type == ArenaVote.VoteType.LEFT else self.model_a


def judge_validations(judgements: Iterable[tuple[bool, str]]) -> tuple[str, str]:
    """What the validators concluded about a chosen answer, from their (keep_chosen,
    improved_answer) oldest first: (outcome, the answer replacing it or "")."""
    judgements = list(judgements)
    if not judgements:
        return VALIDATION_NOT_JUDGED, ""
    keep = sum(1 for kept, _answer in judgements if kept)
    if keep * 2 >= len(judgements):  # a tie keeps what the vote chose
        return VALIDATION_KEPT, ""
    improved = [answer.strip() for kept, answer in judgements if not kept and answer.strip()]
    if improved:
        return VALIDATION_IMPROVED, improved[-1]
    return VALIDATION_NOT_KEPT, ""


def _chunks(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def preferences(*, challenge: Challenge) -> Iterator[Preference]:
    """Every validated prompt of the challenge, oldest first, with its vote and what the
    validators concluded about it: three queries per BATCH_SIZE prompts."""
    provenance = Provenance(challenge)
    counted = ArenaVote.objects.counted().filter(prompt=OuterRef("pk")).order_by("-tstamp", "-pk")
    decisive = counted.filter(vote_type__in=ArenaVote.DECISIVE)
    prompts = (
        Prompt.objects.filter(challenge=challenge, status=ContributionStatus.VALIDATED)
        .annotate(
            vote_id=Coalesce(
                Subquery(decisive.values("pk")[:1]), Subquery(counted.values("pk")[:1])
            )
        )
        .order_by("pk")
        .values_list("pk", "author_id", "country", "language", "system_prompt", "text", "vote_id")
        .iterator(chunk_size=BATCH_SIZE)
    )
    for chunk in _chunks(prompts, BATCH_SIZE):
        vote_ids = [row[-1] for row in chunk if row[-1] is not None]
        votes = {
            vote["pk"]: vote
            for vote in ArenaVote.objects.filter(pk__in=vote_ids).values(
                "pk",
                "vote_type",
                "model_a",
                "model_b",
                "answer_a",
                "answer_b",
                "chosen",
                "rejected",
            )  # fmt: skip
        }
        judgements = defaultdict(list)
        for vote_id, kept, answer in (
            PromptValidation.objects.filter(
                vote_id__in=vote_ids, voided_at__isnull=True, keep_chosen__isnull=False
            )
            .order_by("created_at", "pk")
            .values_list("vote_id", "keep_chosen", "improved_answer")
        ):
            judgements[vote_id].append((kept, answer))
        for pk, author_id, country, language, system_prompt, text, vote_id in chunk:
            base = {
                "id": provenance.row_id(pk),
                "contributor": provenance.contributor(author_id),
                "country": country or "",
                "language": language or "",
                "system_prompt": system_prompt or "",
                "question": text,
            }
            vote = votes.get(vote_id)
            if vote is None:
                yield Preference(**base)
                continue
            chosen, rejected = vote["chosen"] or "", vote["rejected"] or ""
            validation = VALIDATION_NOT_JUDGED
            if vote["vote_type"] in ArenaVote.DECISIVE:
                validation, improved = judge_validations(judgements.get(vote_id, ()))
                chosen = improved or chosen
            yield Preference(
                **base,
                vote_type=vote["vote_type"],
                model_a=vote["model_a"],
                model_b=vote["model_b"],
                answer_a=vote["answer_a"] or "",
                answer_b=vote["answer_b"] or "",
                chosen=chosen,
                rejected=rejected,
                validation=validation,
            )


def _pairs(challenge: Challenge) -> Iterator[Preference]:
    """The prompts whose vote chose an answer, both answers written."""
    for preference in preferences(challenge=challenge):
        if preference.is_decisive and preference.chosen.strip() and preference.rejected.strip():
            yield preference


def shared_preference_rows(*, challenge: Challenge) -> list[dict]:
    """The shared form (the 2025 shape): one row per validated prompt whose vote chose an
    answer, with country (ISO code), system_prompt, question, chosen (the validators' better
    answer when they would not keep it) and rejected, between the row's id and its
    contributor."""
    return [
        {
            "id": p.id,
            "country": p.country,
            "system_prompt": p.system_prompt,
            "question": p.question,
            "chosen": p.chosen,
            "rejected": p.rejected,
            "contributor": p.contributor,
        }
        for p in _pairs(challenge)
    ]


def _details(preference: Preference) -> dict:
    return {
        "country": preference.country,
        "language": preference.language,
        "vote_type": preference.vote_type,
        "validation": preference.validation,
    }


def dpo_preference_rows(*, challenge: Challenge) -> list[dict]:
    """The DPO form: prompt, chosen and rejected for the same prompts as the shared form, with
    the country, language, vote type, validators' outcome and the two models' names."""
    return [
        {
            "id": p.id,
            "prompt": p.prompt,
            "chosen": p.chosen,
            "rejected": p.rejected,
            **_details(p),
            "chosen_model": p.chosen_model,
            "rejected_model": p.rejected_model,
            "contributor": p.contributor,
        }
        for p in _pairs(challenge)
    ]


def _kto_completions(preference: Preference) -> list[tuple[str, str, bool, str, str]]:
    """(part of the id, completion, label, its model, the other model) of one prompt's vote."""
    if preference.is_decisive:
        return [
            ("chosen", preference.chosen, True, preference.chosen_model, preference.rejected_model),
            (
                "rejected",
                preference.rejected,
                False,
                preference.rejected_model,
                preference.chosen_model,
            ),
        ]
    if preference.vote_type in (ArenaVote.VoteType.TIE, ArenaVote.VoteType.BOTH_BAD):
        good = preference.vote_type == ArenaVote.VoteType.TIE
        return [
            ("a", preference.answer_a, good, preference.model_a, preference.model_b),
            ("b", preference.answer_b, good, preference.model_b, preference.model_a),
        ]
    return []


def kto_preference_rows(*, challenge: Challenge) -> list[dict]:
    """The KTO form: prompt, completion and label (True: a desirable answer), two rows per
    voted prompt (a vote that chose: the chosen answer true, the other false; both good: two
    true; both bad: two false), with the details of the DPO form and the completion's model;
    ids ``<prompt's row id>/<chosen|rejected|a|b>``."""
    rows = []
    for p in preferences(challenge=challenge):
        for part, completion, label, model, other in _kto_completions(p):
            if not completion.strip():
                continue
            rows.append(
                {
                    "id": f"{p.id}/{part}",
                    "prompt": p.prompt,
                    "completion": completion,
                    "label": label,
                    **_details(p),
                    "model": model,
                    "other_model": other,
                    "contributor": p.contributor,
                }
            )
    return rows


def prompt_rows(*, challenge: Challenge) -> list[dict]:
    """Every validated prompt, voted on or not: country, language, system prompt, question."""
    return [
        {
            "id": p.id,
            "country": p.country,
            "language": p.language,
            "system_prompt": p.system_prompt,
            "question": p.question,
            "contributor": p.contributor,
        }
        for p in preferences(challenge=challenge)
    ]
