from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from challenges.include.models import Exam, ExamQuestion


@admin.register(Exam)
class ExamAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "author",
        "country",
        "language",
        "domain",
        "declared_questions",
        "original_format",
        "license",
        "status",
        "created_at",
    ]
    list_filter = ["status", "challenge", "country", "original_format", "language"]
    search_fields = [
        "name",
        "domain",
        "source",
        "license",
        "author__email",
        "author__profile__display_name",
    ]
    list_select_related = ["author", "challenge"]
    raw_id_fields = ["author", "decided_by"]
    readonly_fields = ["created_at", "updated_at", "decided_at"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]


@admin.register(ExamQuestion)
class ExamQuestionAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "short_question",
        "exam",
        "author",
        "country",
        "language",
        "category_en",
        "flagged_category",
        "status",
        "created_at",
    ]
    list_filter = ["status", "flagged_category", "challenge", "country", "language"]
    search_fields = [
        "question",
        "exam_name",
        "category_en",
        "category_original_lang",
        "fingerprint",
        "author__email",
    ]
    list_select_related = ["exam", "author"]
    raw_id_fields = ["author", "exam"]
    readonly_fields = ["fingerprint", "created_at", "updated_at", "decided_at"]
    ordering = ["-id"]
    show_full_result_count = False  # no COUNT(*) over every question on each page

    @admin.display(description=_("question"))
    def short_question(self, question: ExamQuestion) -> str:
        return Truncator(question.question).chars(80)
