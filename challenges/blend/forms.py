from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from challenges.models import ContributionStatus
from hackathon.rendering import RememberedFieldsForm

from . import domain
from .models import BlendAnswer, BlendProfile


class AnswerForm(RememberedFieldsForm):
    """One answer; ``submit`` says whether it is being submitted (complete) or kept as a draft."""

    reworded_question = forms.CharField(
        label=_("The question as it would be asked in your country (optional)"),
        required=False,
        max_length=domain.REWORDED_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only if people in your country would ask it differently."),
    )
    answer_1 = forms.CharField(
        label=_("Answer 1"),
        required=False,
        max_length=domain.ANSWER_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("Required, unless you choose a reason for no answer below."),
    )
    answer_2 = forms.CharField(
        label=_("Answer 2 (optional)"),
        required=False,
        max_length=domain.ANSWER_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    answer_3 = forms.CharField(
        label=_("Answer 3 (optional)"),
        required=False,
        max_length=domain.ANSWER_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    region = forms.CharField(
        label=_("Region (optional)"),
        required=False,
        max_length=domain.REGION_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("If the answer is true only in a region of the country."),
    )
    no_answer_reason = forms.ChoiceField(
        label=_("Or, if there is no answer"),
        required=False,
        choices=[("", _("I give an answer"))] + list(BlendAnswer.NoAnswerReason.choices),
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, submit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.submit = submit

    @classmethod
    def for_answer(cls, answer: BlendAnswer | None) -> AnswerForm:
        if answer is None:
            return cls()
        return cls(initial={name: getattr(answer, name) for name in cls.base_fields})

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        problems = domain.check_answer(
            **{name: data.get(name, "") for name in self.fields}, submit=self.submit
        )
        for field, message in problems.items():
            self.add_error(field, message)
        return data


class ValidationForm(RememberedFieldsForm):
    VERDICTS = [("valid", _("Valid")), ("invalid", _("Not valid"))]

    verdict = forms.ChoiceField(
        label=_("Is this answer valid?"),
        choices=VERDICTS,
        error_messages={"required": _("Say whether the answer is valid or not.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=domain.COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The author reads it if the answer is rejected."),
    )

    @property
    def approve(self) -> bool:
        return self.cleaned_data["verdict"] == "valid"


class KnownCountriesForm(forms.ModelForm):
    class Meta:
        model = BlendProfile
        fields = ["countries"]
        help_texts = {
            "countries": _(
                "Countries you know well besides the one in your profile, because you lived there "
                "for years, for example. Hold Ctrl (or Cmd) to choose several."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["countries"].widget.attrs["size"] = 10


class QuestionUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File of questions"),
        help_text=_(
            "CSV, JSON or JSON Lines with the columns id, country, language, topic and question. "
            "Country: a name in Spanish, Portuguese or English, or an ISO code. At most 10 MB."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.json,.jsonl,text/csv,application/json"}
        ),
    )


class QuestionFilterForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Any"))] + list(countries)


class MyAnswersFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any"))] + list(ContributionStatus.choices),
    )
