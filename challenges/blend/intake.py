"""How BLEND answers plug into the platform: review queue, progress, exports, the published
dataset of validated answers (one row per answer, and BLEnD's aggregated shape) and the
credits gate."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from challenges.intake import (
    Amendment,
    Column,
    CountGate,
    DatasetForm,
    Intake,
    Publication,
    Uploader,
    no_person_rules,
)
from challenges.models import Challenge, ContributionStatus
from challenges.provenance import Provenance
from challenges.text import normalize

from .domain import PEER_VALIDATION, import_questions
from .models import BlendAnswer
from .views import announce_questions_added

EXPORT_FIELDS = [
    "id", "question_id", "question_external_id", "country", "language", "topic", "question",
    "reworded_question", "answer_1", "answer_2", "answer_3", "region", "no_answer_reason",
    "status", "author_id",
]  # fmt: skip
# Where each exported field is read from (no email, no name: the author's id only).
EXPORT_SOURCES = {
    "question_external_id": "question__external_id",
    "language": "question__language",
    "topic": "question__topic",
    "question": "question__question",
}


def export_rows(challenge: Challenge) -> Iterator[dict]:
    """Every submitted answer (drafts are the authors' own, unfinished), oldest first."""
    sources = [EXPORT_SOURCES.get(name, name) for name in EXPORT_FIELDS]
    rows = (
        BlendAnswer.objects.filter(challenge=challenge)
        .exclude(status=ContributionStatus.DRAFT)
        .order_by("id")
        .values_list(*sources)
    )
    for values in rows.iterator(chunk_size=2000):
        yield dict(zip(EXPORT_FIELDS, values, strict=True))


# The public dataset leaves out the platform's question id, the author's id (a contributor key
# stands for them) and the status (every published answer is validated); the id is the row's
# stable one (``challenges.provenance``).
PUBLISHED_COLUMNS = {
    name: "string"
    for name in [*EXPORT_FIELDS, "contributor"]
    if name not in {"question_id", "status", "author_id"}
}
PUBLISHED_SOURCES = [
    EXPORT_SOURCES.get(name, name) for name in PUBLISHED_COLUMNS if name != "contributor"
]


def published_rows(challenge: Challenge) -> Iterator[dict]:
    """The validated answers of the challenge, oldest first, streamed in chunks."""
    provenance = Provenance(challenge)
    rows = (
        BlendAnswer.objects.filter(challenge=challenge, status=ContributionStatus.VALIDATED)
        .order_by("pk")
        .values_list(*PUBLISHED_SOURCES, "author_id")
    )
    for *values, author_id in rows.iterator(chunk_size=2000):
        row = dict(zip(PUBLISHED_COLUMNS, values, strict=False))
        row["id"] = provenance.row_id(row["id"])
        row["contributor"] = provenance.contributor(author_id)
        yield row


# BLEnD's aggregated shape: one row per question (of one country), its answers with how many
# people gave each, most given first, and the reasons for no answer with their counts.
AGGREGATED_COLUMNS = {
    "id": "string",
    "question_external_id": "string",
    "country": "string",
    "language": "string",
    "topic": "string",
    "question": "string",
    "answers": "list<string>",
    "counts": "list<int64>",
    "no_answer_reasons": "list<string>",
    "no_answer_counts": "list<int64>",
    "respondents": "int64",
}


def _ranked(counter: dict[str, list]) -> list[tuple[str, int]]:
    """(the form first written, how many) per key, most given first, then first given."""
    ranked = sorted(counter.values(), key=lambda entry: (-entry[1], entry[2]))
    return [(written, count) for written, count, _order in ranked]


def aggregate_answers(rows: list[dict]) -> list[dict]:
    """The aggregated form, from one challenge's published answers (personal-data decisions
    applied): per question, each answer (answer_1 to answer_3, compared case and spacing
    aside, accents kept) with the number of people who gave it, and the reasons for no
    answer with theirs; ``respondents`` the number of published answers to the question. The
    row's id is the question's (``<edition>-blend-question-<external id>``)."""
    questions: dict[str, dict] = {}
    for row in rows:
        key = row["question_external_id"]
        entry = questions.get(key)
        if entry is None:
            slug = row["id"].rsplit("-blend-", 1)[0]
            entry = questions[key] = {
                "row": {
                    "id": f"{slug}-blend-question-{key}",
                    **{
                        name: row[name]
                        for name in (
                            "question_external_id",
                            "country",
                            "language",
                            "topic",
                            "question",
                        )
                    },
                },  # fmt: skip
                "answers": {},
                "reasons": {},
                "respondents": 0,
            }
        entry["respondents"] += 1
        given = set()
        for name in ("answer_1", "answer_2", "answer_3"):
            answer = (row.get(name) or "").strip()
            folded = normalize(answer)
            if not folded or folded in given:
                continue
            given.add(folded)
            found = entry["answers"].setdefault(folded, [answer, 0, len(entry["answers"])])
            found[1] += 1
        reason = row.get("no_answer_reason") or ""
        if reason:
            found = entry["reasons"].setdefault(reason, [reason, 0, len(entry["reasons"])])
            found[1] += 1
    aggregated = []
    for entry in questions.values():
        answers, reasons = _ranked(entry["answers"]), _ranked(entry["reasons"])
        aggregated.append(
            {
                **entry["row"],
                "answers": [answer for answer, _count in answers],
                "counts": [count for _answer, count in answers],
                "no_answer_reasons": [reason for reason, _count in reasons],
                "no_answer_counts": [count for _reason, count in reasons],
                "respondents": entry["respondents"],
            }
        )
    return aggregated


PUBLICATION = Publication(
    label=_("validated BLEND answers"),
    published=lambda answers: answers.filter(status=ContributionStatus.VALIDATED),
    forms=[
        DatasetForm(name="default", columns=PUBLISHED_COLUMNS, rows=published_rows),
        DatasetForm(
            name="aggregated",
            columns=AGGREGATED_COLUMNS,
            rows=lambda challenge: [],
            derive=aggregate_answers,
        ),
    ],
    summary=_(
        "Answers to everyday-culture questions (food, sport, family, education, holidays, "
        "work life...) given by people of the question's country."
    ),
    validation_rule=_(
        "Only answers validated by other people of the same country are included. No AI "
        "tools or search engines were allowed to answer. The default config has one row per "
        "answer; the aggregated config, BLEnD's shape, one row per question with its answers "
        "and how many people gave each."
    ),
    task_categories=["question-answering"],
    limitations=_(
        "Each answer is what a few people of a country said about everyday life there: it is "
        "not the only right answer, and regions, ages and backgrounds are unevenly "
        "represented among those who answered."
    ),
    uses=_(
        "Evaluating and improving how well language models know the everyday culture of each "
        "country, in its own words."
    ),
    out_of_scope=_(
        "Treating an answer as the view of everyone in a country, or using the answers to "
        "describe or judge people."
    ),
)


def store_question_bank(*, challenge, user, target=None, upload, progress=None):
    return import_questions(challenge=challenge, upload=upload, progress=progress)


# The organizers' upload: the question bank.
QUESTIONS_UPLOADER = Uploader(
    check=no_person_rules,
    store=store_question_bank,
    announce=announce_questions_added,
    form_page=lambda challenge, target: ("blend:upload", {"slug": challenge.slug}),
)


def build_intake() -> Intake:
    return Intake(
        kind=Challenge.Kind.BLEND,
        model=BlendAnswer,
        counted_label=_("validated answers"),
        participate_url="blend:home",
        organize_url="blend:questions",
        review_columns=[
            Column(_("Country"), lambda item: item.country.name),
            Column(_("Topic"), lambda item: item.question.topic),
            Column(_("Question"), lambda item: item.question.question),
            Column(_("As asked in the country"), lambda item: item.reworded_question),
            Column(_("Answer 1"), lambda item: item.answer_1),
            Column(_("Answer 2"), lambda item: item.answer_2),
            Column(_("Answer 3"), lambda item: item.answer_3),
            Column(_("Region"), lambda item: item.region),
            Column(_("Reason for no answer"), lambda item: item.get_no_answer_reason_display()),
            Column(_("Approvals"), lambda item: item.approvals),
            Column(_("Rejections"), lambda item: item.rejections),
        ],
        review_related=["question"],
        export_fields=EXPORT_FIELDS,
        export_rows=export_rows,
        country_lookup="question__country",
        language_lookup="question__language",
        publication=PUBLICATION,
        organizer_uploader=QUESTIONS_UPLOADER,
        gates=[
            CountGate(
                key="blend",
                label=_("Validated BLEND answers"),
                setting="validated_blend_answers",
                default=200,
            )
        ],
        peer_validation=PEER_VALIDATION,
        search_lookups=["answer_1", "answer_2", "answer_3", "reworded_question", "region"],
        # An answer no peer has voted on yet can be withdrawn (answered again from its page).
        amendment=Amendment(),
    )
