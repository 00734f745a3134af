from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from challenges.preferences.domain import (
    IMPROVED_ANSWER_MAX_LENGTH,
    PROMPT_MAX_LENGTH,
    SYSTEM_PROMPT_MAX_LENGTH,
    TOPIC_MAX_LENGTH,
)
from challenges.preferences.models import Prompt, PromptLanguage, QuizQuestion
from challenges.text import clean, is_blank
from challenges.uploads import NO_VISIBLE_TEXT, contains_html
from hackathon.rendering import RememberedFieldsForm

NO_HTML = _("HTML is not allowed here; send plain text.")
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _plain(form: forms.Form, name: str) -> str:
    """The field's text as stored (without invisible characters): plain, and not only
    invisible characters when the field is required."""
    value = clean(form.cleaned_data.get(name) or "")
    if contains_html(value):
        raise forms.ValidationError(NO_HTML)
    if form.fields[name].required and is_blank(value):
        raise forms.ValidationError(NO_VISIBLE_TEXT)
    return value


class PromptForm(forms.ModelForm):
    """One prompt: its checks are the domain's; these give each field its own message."""

    language = forms.ChoiceField(
        label=_("Language"), choices=PromptLanguage.choices, widget=forms.RadioSelect
    )
    system_prompt = forms.CharField(
        label=_("System prompt (optional)"),
        required=False,
        max_length=SYSTEM_PROMPT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A role for the model, e.g. “You are a person from Lima.”"),
    )
    text = forms.CharField(
        label=_("Prompt"),
        max_length=PROMPT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A question that tests whether a model knows the culture of the country."),
    )
    topic = forms.CharField(
        label=_("Topic (optional)"),
        required=False,
        max_length=TOPIC_MAX_LENGTH,
        help_text=_("Food, holidays, work life, language..."),
    )

    class Meta:
        model = Prompt
        fields = ["country", "language", "system_prompt", "text", "topic"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].required = True
        choices = [choice for choice in self.fields["country"].choices if choice[0]]
        self.fields["country"].choices = [("", _("Choose a country"))] + choices
        self.fields["country"].help_text = _("The country whose culture the prompt is about.")

    def clean_text(self) -> str:
        return _plain(self, "text")

    def clean_system_prompt(self) -> str:
        return _plain(self, "system_prompt")

    def clean_topic(self) -> str:
        return _plain(self, "topic")


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, help_text="", **kwargs):
        super().__init__(*args, **kwargs)
        if help_text:
            self.fields["file"].help_text = help_text


def prompt_upload_form(*args, **kwargs) -> UploadForm:
    return UploadForm(
        *args,
        help_text=_(
            "CSV with the columns “prompt” and “pais” (the country, by name or ISO code); "
            "optional: “idioma” (es or pt), “system_prompt”, “tema”. At most 10 MB."
        ),
        **kwargs,
    )


def arena_upload_form(*args, **kwargs) -> UploadForm:
    return UploadForm(
        *args,
        help_text=_(
            "The arena's vote log, one JSON object per line; or a CSV file in the shared "
            "2025 shape (country, system_prompt, question, chosen, rejected). At most 10 MB."
        ),
        **kwargs,
    )


class QuizForm(forms.Form):
    """One radio group per question; every question needs an answer."""

    def __init__(self, *args, questions: list[QuizQuestion], **kwargs):
        super().__init__(*args, **kwargs)
        for number, question in enumerate(questions, start=1):
            self.fields[f"question_{question.pk}"] = forms.TypedChoiceField(
                label=f"{number}. {question.text}",
                choices=[
                    (choice.pk, choice.text)
                    for choice in getattr(question, "shown_choices", None) or question.choices.all()
                ],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Answer this question.")},
            )

    def answers(self) -> dict[int, int]:
        return {
            int(name.removeprefix("question_")): value for name, value in self.cleaned_data.items()
        }


def _yes_no(label, *, required: bool = True) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
        error_messages={"required": _("Answer yes or no.")},
    )


class ValidationForm(RememberedFieldsForm):
    prompt = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    well_designed = _yes_no(_("Is the prompt well designed (clear, answerable, in good language)?"))
    culturally_anchored = _yes_no(
        _("Is it culturally anchored (about something specific to the country)?")
    )
    keep_chosen = _yes_no(
        _("Would you keep the answer that was chosen in the arena?"), required=False
    )
    improved_answer = forms.CharField(
        label=_("Improved answer (optional)"),
        required=False,
        max_length=IMPROVED_ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A better answer than the chosen one, if you can write it."),
    )

    def __init__(self, *args, has_chosen: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_chosen = has_chosen
        if not has_chosen:
            del self.fields["keep_chosen"]

    def clean_improved_answer(self) -> str:
        return _plain(self, "improved_answer")

    def clean(self):
        data = super().clean()
        if self.has_chosen and data.get("keep_chosen") is None and "keep_chosen" not in self.errors:
            self.add_error("keep_chosen", _("Answer yes or no."))
        return data
