from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from challenges.preferences.models import (
    ArenaUpload,
    ArenaVote,
    Prompt,
    PromptValidation,
    Quiz,
    QuizAttempt,
    QuizChoice,
    QuizQuestion,
)
from challenges.text import fingerprint


def _short(text: str) -> str:
    return Truncator(text).chars(80)


class QuizChoiceFormSet(forms.BaseInlineFormSet):
    """A question offers at least two answers, and at least one of them is correct."""

    def clean(self):
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if len(kept) < 2:
            raise forms.ValidationError(_("Give at least two answers."))
        if not any(data.get("is_correct") for data in kept):
            raise forms.ValidationError(_("Mark at least one answer as correct."))


class QuizChoiceInline(admin.TabularInline):
    model = QuizChoice
    formset = QuizChoiceFormSet
    fields = ["position", "text", "is_correct"]
    extra = 4


class QuizQuestionInline(admin.StackedInline):
    model = QuizQuestion
    fields = ["position", "text"]
    extra = 0
    show_change_link = True


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "challenge",
        "pass_mark",
        "pass_mark_kind",
        "question_count",
        "created_at",
    ]
    list_filter = ["challenge__edition", "pass_mark_kind"]
    search_fields = ["title", "challenge__slug", "challenge__title_es"]
    list_select_related = ["challenge"]
    readonly_fields = ["created_at"]
    inlines = [QuizQuestionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_total=Count("questions"))

    @admin.display(description=_("questions"), ordering="question_total")
    def question_count(self, quiz):
        return quiz.question_total


@admin.register(QuizQuestion)
class QuizQuestionAdmin(admin.ModelAdmin):
    """Each question with its answers: open a question from its quiz to edit its answers."""

    list_display = ["short_text", "quiz", "position"]
    list_filter = ["quiz"]
    search_fields = ["text", "quiz__title"]
    list_select_related = ["quiz"]
    inlines = [QuizChoiceInline]

    @admin.display(description=_("question"), ordering="text")
    def short_text(self, question):
        return _short(question.text)


@admin.register(QuizAttempt)
class QuizAttemptAdmin(admin.ModelAdmin):
    list_display = ["user", "quiz", "score", "total", "passed", "created_at"]
    list_filter = ["passed", "quiz"]
    search_fields = ["user__email", "user__profile__display_name"]
    list_select_related = ["user", "quiz"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at"]
    date_hierarchy = "created_at"


class PromptValidationInline(admin.TabularInline):
    model = PromptValidation
    fields = [
        "validator",
        "well_designed",
        "culturally_anchored",
        "keep_chosen",
        "approves",
        "created_at",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class PromptAdminForm(forms.ModelForm):
    """The same prompt (normalized) can be in a challenge only once: say so before saving."""

    class Meta:
        model = Prompt
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets choose what is shown; the form only validates

    def clean(self):
        data = super().clean()
        challenge, text = data.get("challenge"), data.get("text")
        if challenge and text:
            duplicates = Prompt.objects.filter(challenge=challenge, fingerprint=fingerprint(text))
            if self.instance.pk:
                duplicates = duplicates.exclude(pk=self.instance.pk)
            if duplicates.exists():
                self.add_error("text", _("This prompt is already in the challenge."))
        return data


@admin.register(Prompt)
class PromptAdmin(admin.ModelAdmin):
    """Statuses change in the review queue (so that every decision is recorded), not here."""

    list_display = [
        "pk", "short_text", "author", "country", "language", "status", "approvals", "rejections",
        "source", "created_at",
    ]  # fmt: skip
    list_filter = ["challenge", "status", "source", "language", "country"]
    search_fields = [
        "text",
        "system_prompt",
        "topic",
        "author__email",
        "author__profile__display_name",
    ]
    list_select_related = ["author", "challenge"]
    raw_id_fields = ["author"]
    readonly_fields = [
        "status", "decision_reason", "decided_at", "approvals", "rejections", "fingerprint",
        "source", "created_at", "updated_at",
    ]  # fmt: skip
    inlines = [PromptValidationInline]
    date_hierarchy = "created_at"
    form = PromptAdminForm

    @admin.display(description=_("prompt"), ordering="text")
    def short_text(self, prompt):
        return _short(prompt.text)

    def save_model(self, request, obj, form, change):
        obj.fingerprint = fingerprint(obj.text)
        super().save_model(request, obj, form, change)


@admin.register(PromptValidation)
class PromptValidationAdmin(admin.ModelAdmin):
    list_display = [
        "prompt", "validator", "well_designed", "culturally_anchored", "keep_chosen", "approves",
        "created_at",
    ]  # fmt: skip
    list_filter = ["approves", "well_designed", "culturally_anchored", "keep_chosen"]
    search_fields = ["prompt__text", "validator__email", "improved_answer"]
    list_select_related = ["prompt", "validator"]
    raw_id_fields = ["prompt", "validator", "vote"]
    readonly_fields = ["created_at"]


@admin.register(ArenaUpload)
class ArenaUploadAdmin(admin.ModelAdmin):
    list_display = [
        "filename",
        "challenge",
        "uploaded_by",
        "votes_added",
        "duplicates",
        "matched",
        "prompts_created",
        "created_at",
    ]
    list_filter = ["challenge"]
    search_fields = ["filename", "uploaded_by__email"]
    list_select_related = ["challenge", "uploaded_by"]
    raw_id_fields = ["uploaded_by"]
    readonly_fields = [
        "votes_added", "duplicates", "matched", "prompts_created", "identity_flagged",
        "over_daily_cap", "created_at",
    ]  # fmt: skip


@admin.register(ArenaVote)
class ArenaVoteAdmin(admin.ModelAdmin):
    list_display = [
        "pk", "vote_type", "identity", "user", "prompt", "model_a", "model_b", "tstamp", "flag",
        "flag_detail",
    ]  # fmt: skip
    list_filter = ["challenge", "vote_type", "flag", ("prompt", admin.EmptyFieldListFilter)]
    search_fields = ["identity", "question", "model_a", "model_b", "user__email"]
    list_select_related = ["user", "prompt"]
    raw_id_fields = ["user", "prompt", "upload"]
    readonly_fields = ["fingerprint", "question_fingerprint", "created_at"]
    date_hierarchy = "tstamp"
