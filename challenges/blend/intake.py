"""How BLEND answers plug into the shared pages: review queue, progress and exports."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from challenges.intake import Column, Intake
from challenges.models import Challenge, ContributionStatus

from .models import BlendAnswer

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
        search_lookups=["question__question", "answer_1", "answer_2", "answer_3"],
    )
