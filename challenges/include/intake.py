"""How INCLUDE plugs into the platform: review queue columns, filters, exports, the published
dataset of accepted questions, and imports from the Hub into one of the person's exams."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import Http404
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from challenges.domain import ContributionRefused
from challenges.include.domain import (
    add_question_records,
    edit_question,
    ensure_can_add_questions,
    upload_questions,
)
from challenges.include.forms import QuestionEditForm
from challenges.include.models import Exam, ExamQuestion
from challenges.include.views import get_own_exam
from challenges.intake import (
    Amendment,
    Column,
    DatasetForm,
    GroupFilter,
    Importer,
    Intake,
    Publication,
    Uploader,
)
from challenges.languages import country_name, language_name
from challenges.models import ContributionStatus
from challenges.provenance import Provenance
from challenges.views.uploads import announce_questions_stored

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


def render_exam_mismatch(value: str, exam_value: str, *, differs: bool, name):
    """A question's country or language by name, with a badge when it is not its exam's."""
    if not differs or value == exam_value:
        return name(value)
    return format_html(
        '{} <span class="badge rejected">{}</span>',
        name(value),
        _("the exam's: %(value)s") % {"value": name(exam_value)},
    )


def render_country(question: ExamQuestion):
    return render_exam_mismatch(
        question.country,
        question.exam.country.code,
        differs=question.differs_from_exam,
        name=country_name,
    )


def render_language(question: ExamQuestion):
    return render_exam_mismatch(
        question.language,
        question.exam.language,
        differs=question.differs_from_exam,
        name=language_name,
    )


def exam_choices(challenge) -> list[tuple[int, str]]:
    """The challenge's exams for the queue's filter, by name (one query)."""
    return [
        (pk, f"{name} (#{pk})")
        for pk, name in Exam.objects.filter(challenge=challenge)
        .order_by("name", "pk")
        .values_list("pk", "name")
    ]


def export_rows(challenge) -> Iterator[dict]:
    """Every question of the challenge, by id, streamed in chunks; the author only by id."""
    return (
        ExamQuestion.objects.filter(challenge=challenge)
        .order_by("pk")
        .values(*EXPORT_FIELDS)
        .iterator(chunk_size=2000)
    )


# The 12 fields of the upstream INCLUDE dataset.
UPSTREAM_COLUMNS = {
    name: {"original_question_num": "int64", "options": "list<string>", "answer": "int64"}.get(
        name, "string"
    )
    for name in EXPORT_FIELDS
    if name not in {"id", "exam_id", "status", "author_id"}
}
# The public dataset: the row's stable id, the upstream fields, its exam's stable key
# (``<edition>-exam-<pk>``), the review status and the author's key, never their id
# (``challenges.provenance``).
PUBLISHED_COLUMNS = {
    "id": "string",
    **UPSTREAM_COLUMNS,
    "exam": "string",
    "status": "string",
    "contributor": "string",
}


def published_rows(challenge) -> Iterator[dict]:
    """The accepted questions of the challenge, by id, streamed in chunks."""
    provenance = Provenance(challenge, kind="include")
    rows = (
        ExamQuestion.objects.filter(challenge=challenge, status=ContributionStatus.VALIDATED)
        .order_by("pk")
        .values("pk", *UPSTREAM_COLUMNS, "exam_id", "status", "author_id")
        .iterator(chunk_size=2000)
    )
    for values in rows:
        yield {
            "id": provenance.row_id(values.pop("pk")),
            **{name: values[name] for name in UPSTREAM_COLUMNS},
            "exam": provenance.key("exam", values["exam_id"]),
            "status": values["status"],
            "contributor": provenance.contributor(values["author_id"]),
        }


PUBLICATION = Publication(
    label=_("accepted INCLUDE questions"),
    published=lambda questions: questions.filter(status=ContributionStatus.VALIDATED),
    forms=[DatasetForm(name="default", columns=PUBLISHED_COLUMNS, rows=published_rows)],
    summary=_(
        "Multiple-choice questions from exams about the culture and regional knowledge of a "
        "country, each with exactly 4 options and the index (0 to 3) of the correct one."
    ),
    validation_rule=_(
        "Only questions accepted by the organizers after reviewing their exam are included. "
        "Exams had to be non-proprietary; each row keeps its exam's source and licence."
    ),
    task_categories=["question-answering", "multiple-choice"],
    # The 2025 exams were kept private in the organization: a public copy would leak the
    # benchmark into the models it evaluates.
    default_visibility="private",
    # Questions and answers come from existing exams; people transcribed and organizers checked.
    language_creators=["found"],
    annotations_creators=["found", "expert-generated"],
    # Each question keeps its exam's licence.
    license_lookup="license",
    limitations=_(
        "The questions come from the exams people found and transcribed: some countries, "
        "languages and subjects have many more than others, and the exams reflect what their "
        "authors thought worth asking. A question may still hold a transcription error."
    ),
    uses=_(
        "Evaluating what language models know about the culture, history, law and regional "
        "knowledge of the countries of Latin America and the Iberian Peninsula."
    ),
    out_of_scope=_(
        "Training models on the questions (a benchmark a model has seen no longer measures "
        "it), and uses that the licence of a question's exam does not allow."
    ),
)


# --- imports from the Hub: into one of the person's own exams ----------------------------------


def find_import_exam(request, challenge):
    """The exam named by the import form: one of the person's own (others: 404)."""
    pk = request.POST.get("exam", "")
    if not pk.isdigit():
        raise Http404
    return get_own_exam(request, challenge, int(pk))


def find_kept_exam(challenge, target_id):
    """The exam an upload or an import checked in the background goes into, if still there."""
    exam = Exam.objects.filter(pk=target_id, challenge=challenge).first()
    if exam is not None:
        exam.challenge = challenge
    return exam


def check_import(*, challenge, user, target, now=None) -> None:
    if target is None or target.challenge_id != challenge.pk:
        raise ContributionRefused(_("Choose one of your exams to add the questions to."))
    target.challenge = challenge
    ensure_can_add_questions(exam=target, author=user, now=now)


def store_import(*, challenge, user, target, rows, now=None):
    return add_question_records(exam=target, author=user, rows=rows, now=now)


IMPORTER = Importer(
    check=check_import,
    store=store_import,
    announce=announce_questions_stored,
    find_target=find_import_exam,
    find_target_by_id=find_kept_exam,
    form_page=lambda challenge, exam: ("include:exam", {"slug": challenge.slug, "pk": exam.pk}),
    done_page=lambda challenge, exam: ("include:exam", {"slug": challenge.slug, "pk": exam.pk}),
)


# --- uploaded files: into one of the person's own exams ---------------------------------------


def store_upload_file(*, challenge, user, target, upload, progress=None):
    if target is None:  # deleted since the upload was sent
        raise ContributionRefused(_("Choose one of your exams to add the questions to."))
    return upload_questions(exam=target, author=user, upload=upload, progress=progress)


UPLOADER = Uploader(
    check=check_import,
    store=store_upload_file,
    announce=announce_questions_stored,
    find_target=find_kept_exam,
    form_page=lambda challenge, exam: ("include:exam", {"slug": challenge.slug, "pk": exam.pk}),
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
            Column(_("Country"), render_country),
            Column(_("Language"), render_language),
            Column(_("Question"), lambda question: Truncator(question.question).chars(200)),
            Column(_("Options (correct one marked)"), render_options),
            Column(_("Category"), render_category),
        ],
        export_fields=EXPORT_FIELDS,
        export_rows=export_rows,
        review_related=["exam"],
        country_lookup="country",
        language_lookup="language",
        group_filter=GroupFilter(name="exam", label=_("Exam"), lookup="exam", choices=exam_choices),
        counted_column="accepted",
        search_lookups=["question", "category_en", "exam_name"],
        # A pending question is corrected by the rules of an uploaded one, or withdrawn.
        amendment=Amendment(form=QuestionEditForm.for_question, edit=edit_question),
        publication=PUBLICATION,
        importer=IMPORTER,
        uploader=UPLOADER,
        marks_possible_duplicates=True,
    )
