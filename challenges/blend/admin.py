from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import BlendAnswer, BlendProfile, BlendQuestion, BlendSkip, BlendValidation


@admin.register(BlendQuestion)
class BlendQuestionAdmin(admin.ModelAdmin):
    list_display = ["external_id", "country", "language", "topic", "short_question", "challenge"]
    list_filter = ["challenge", "country", "language", "topic"]
    search_fields = ["external_id", "question", "topic"]
    list_select_related = ["challenge"]
    readonly_fields = ["fingerprint", "created_at"]
    ordering = ["challenge", "country", "id"]

    @admin.display(description=_("question"))
    def short_question(self, obj: BlendQuestion) -> str:
        return obj.question[:80]


class ValidationInline(admin.TabularInline):
    model = BlendValidation
    fields = ["validator", "approve", "comment", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(BlendAnswer)
class BlendAnswerAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "question",
        "author",
        "country",
        "status",
        "approvals",
        "rejections",
        "created_at",
    ]
    list_filter = ["status", "country", "no_answer_reason", "challenge"]
    search_fields = [
        "question__external_id",
        "question__question",
        "answer_1",
        "answer_2",
        "answer_3",
        "author__email",
    ]
    list_select_related = ["question", "author"]
    raw_id_fields = ["author", "question", "challenge"]
    # Decisions go through the review queue, which records them; not edited here.
    readonly_fields = [
        "status",
        "decision_reason",
        "decided_at",
        "approvals",
        "rejections",
        "created_at",
        "updated_at",
    ]
    inlines = [ValidationInline]
    date_hierarchy = "created_at"


@admin.register(BlendValidation)
class BlendValidationAdmin(admin.ModelAdmin):
    list_display = ["id", "answer", "validator", "approve", "created_at"]
    list_filter = ["approve"]
    search_fields = ["answer__question__external_id", "validator__email", "comment"]
    list_select_related = ["answer", "validator"]
    raw_id_fields = ["answer", "validator"]
    readonly_fields = ["created_at"]


@admin.register(BlendSkip)
class BlendSkipAdmin(admin.ModelAdmin):
    list_display = ["id", "question", "user", "challenge", "created_at"]
    list_filter = ["challenge"]
    search_fields = ["question__external_id", "user__email"]
    list_select_related = ["question", "user", "challenge"]
    raw_id_fields = ["question", "user", "challenge"]


@admin.register(BlendProfile)
class BlendProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "countries", "updated_at"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
