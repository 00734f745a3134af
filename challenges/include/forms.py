from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import formats
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.languages import LANGUAGE_CHOICES
from challenges.include.domain import MAX_DECLARED_QUESTIONS, is_language_code
from challenges.include.models import OPTION_MAX, QUESTION_MAX, TEXT_MAX, Exam
from challenges.models import ContributionStatus
from challenges.uploads import MAX_UPLOAD_BYTES, MAX_UPLOAD_ROWS, contains_html


class LanguageInput(forms.TextInput):
    """A text input that suggests the community's languages (a datalist) but takes any ISO code."""

    template_name = "include/widgets/language_input.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["list"] = f"{context['widget']['attrs'].get('id', name)}-choices"
        context["choices"] = LANGUAGE_CHOICES
        return context


class ExamForm(forms.ModelForm):
    class Meta:
        model = Exam
        fields = [
            "name",
            "language",
            "country",
            "domain",
            "level",
            "declared_questions",
            "source",
            "original_format",
            "license",
        ]
        widgets = {"language": LanguageInput(attrs={"autocomplete": "off", "spellcheck": "false"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        declared = self.fields["declared_questions"]
        declared.validators += [MinValueValidator(1), MaxValueValidator(MAX_DECLARED_QUESTIONS)]
        declared.widget.attrs.update({"min": 1, "max": MAX_DECLARED_QUESTIONS})
        declared.help_text = _("How many questions the exam has.")
        self.fields["license"].required = False

    def clean_language(self) -> str:
        value = self.cleaned_data["language"].strip().lower()
        if not is_language_code(value):
            raise forms.ValidationError(
                _("“%(code)s” is not an ISO 639 language code (such as es, pt, gn or nah)."),
                params={"code": value},
            )
        return value

    def clean(self):
        data = super().clean()
        for name in ("name", "domain", "level", "source", "license"):
            value = data.get(name)
            if isinstance(value, str):
                value = value.strip()
                data[name] = value
                if contains_html(value):
                    self.add_error(name, _("HTML is not allowed here; send plain text."))
                elif len(value) > TEXT_MAX:
                    self.add_error(name, _("At most %(limit)s characters.") % {"limit": TEXT_MAX})
        if not data.get("license"):
            data["license"] = "unknown"
        return data


def _upload_help_text() -> str:
    # Formatted when shown, in the page's language: formatting it when the module loads froze
    # it in the language active then.
    return gettext("JSON, JSON Lines or CSV, up to %(size)s MB and %(rows)s questions.") % {
        "size": MAX_UPLOAD_BYTES // 1024 // 1024,
        "rows": formats.number_format(MAX_UPLOAD_ROWS, force_grouping=True),
    }


class QuestionUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Questions file"),
        help_text=lazy(_upload_help_text, str)(),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".json,.jsonl,.ndjson,.csv,application/json,text/csv"}
        ),
        allow_empty_file=True,  # the upload reader says clearly that the file is empty
    )


EXAM_STATUS_CHOICES = [("", _("Any"))] + [
    (value, label) for value, label in ContributionStatus.choices if value in Exam.STATUSES
]


class ExamFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=EXAM_STATUS_CHOICES)
    country = forms.ChoiceField(label=_("Country"), required=False, choices=())
    language = forms.CharField(label=_("Language code"), required=False, max_length=8)
    name = forms.CharField(label=_("Exam name contains"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Any"))] + list(countries)


class ExamDecisionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (ContributionStatus.VALIDATED, _("Accept the exam")),
            (ContributionStatus.REJECTED, _("Reject the exam")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to reject: the author reads it."),
    )
    include_decided = forms.BooleanField(
        label=_("Also apply to questions already accepted or rejected one by one"),
        required=False,
        help_text=_("Otherwise only the exam's pending questions follow the decision."),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("status") == ContributionStatus.REJECTED
            and not (data.get("reason") or "").strip()
        ):
            self.add_error("reason", _("Give a reason: the author will read it."))
        return data


QUESTION_STATUS_FILTERS = [
    ("", _("All")),
    (ContributionStatus.PENDING, ContributionStatus.PENDING.label),
    (ContributionStatus.VALIDATED, ContributionStatus.VALIDATED.label),
    (ContributionStatus.REJECTED, ContributionStatus.REJECTED.label),
    (ContributionStatus.INVALIDATED, ContributionStatus.INVALIDATED.label),
]


class QuestionEditForm(forms.Form):
    """One question, as its author corrects it: the fields of an uploaded record (its checks
    are the upload's, in ``challenges.include.domain.edit_question``)."""

    question = forms.CharField(
        label=_("Question"), max_length=QUESTION_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    option_a = forms.CharField(label=_("Option A"), max_length=OPTION_MAX)
    option_b = forms.CharField(label=_("Option B"), max_length=OPTION_MAX)
    option_c = forms.CharField(label=_("Option C"), max_length=OPTION_MAX)
    option_d = forms.CharField(label=_("Option D"), max_length=OPTION_MAX)
    answer = forms.TypedChoiceField(
        label=_("Correct option"),
        coerce=int,
        choices=[(0, "A"), (1, "B"), (2, "C"), (3, "D")],
        widget=forms.RadioSelect,
    )
    category_en = forms.CharField(label=_("Category (English)"), max_length=TEXT_MAX)
    category_original_lang = forms.CharField(
        label=_("Category (original language)"), max_length=TEXT_MAX, required=False
    )
    original_question_num = forms.IntegerField(
        label=_("Number in the exam"), required=False, min_value=1
    )

    @classmethod
    def for_question(cls, data, question) -> QuestionEditForm:
        """The form filled with the question's values (bound to ``data`` when given)."""
        options = list(question.options) + [""] * (4 - len(question.options))
        initial = {
            "question": question.question,
            **{f"option_{letter}": options[index] for index, letter in enumerate("abcd")},
            "answer": question.answer,
            "category_en": question.category_en,
            "category_original_lang": question.category_original_lang,
            "original_question_num": question.original_question_num,
        }
        return cls(data, initial=initial)
