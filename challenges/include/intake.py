"""How INCLUDE plugs into the shared pages: review queue columns, filters and exports."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from challenges.include.models import ExamQuestion
from challenges.intake import Column, Intake

EXPORT_FIELDS = [
    "id",
    "exam_id",
    "language",
    "country",
    "exam_name",
    "source",
    "license",
    "level",
    "category_en",
    "category_original_lang",
    "original_question_num",
    "question",
    "options",
    "answer",
    "status",
    "author_id",
]


def render_options(question: ExamQuestion):
    """The 4 options, lettered, the correct one in bold and said in words (not only by colour)."""
    correct = _("correct")
    return format_html(
        '<ol class="options" type="A">{}</ol>',
        format_html_join(
            "",
            "{}",
            (
                (
                    format_html(
                        '<li><strong>{}</strong> ✓ <span class="meta">({})</span></li>',
                        text,
                        correct,
                    )
                    if is_correct
                    else format_html("<li>{}</li>", text),
                )
                for _letter, text, is_correct in question.lettered_options
            ),
        ),
    )


def render_category(question: ExamQuestion):
    category = question.category_en
    if question.category_original_lang and question.category_original_lang != category:
        category = f"{category} / {question.category_original_lang}"
    if question.flagged_category:
        return format_html(
            '{} <span class="badge rejected">{}</span>', category, _("flagged: maths/science")
        )
    return category


def export_rows(challenge) -> Iterator[dict]:
    """Every question of the challenge, by id, streamed in chunks; the author only by id."""
    return (
        ExamQuestion.objects.filter(challenge=challenge)
        .order_by("pk")
        .values(*EXPORT_FIELDS)
        .iterator(chunk_size=2000)
    )


def build_intake() -> Intake:
    return Intake(
        kind="include",
        model=ExamQuestion,
        counted_label=_("accepted questions"),
        organize_url="include:organize_exams",
        participate_url="include:home",
        review_columns=[
            Column(_("Exam"), lambda question: question.exam.name),
            Column(_("Country"), lambda question: question.country),
            Column(_("Language"), lambda question: question.language),
            Column(_("Question"), lambda question: Truncator(question.question).chars(200)),
            Column(_("Options (correct one marked)"), render_options),
            Column(_("Category"), render_category),
        ],
        export_fields=EXPORT_FIELDS,
        export_rows=export_rows,
        review_related=["exam"],
        country_lookup="country",
        language_lookup="language",
        search_lookups=["question", "exam_name"],
    )
