"""Forms of the stereotypes challenge: they parse input; the rules live in domain.py."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.languages import LANGUAGE_CHOICES
from challenges.domain import ContributionRefused
from challenges.stereotypes import domain
from challenges.stereotypes.models import ATTRIBUTE_MAX, NATIONALITY_MAX, REGION_MAX
from challenges.uploads import contains_html
from hackathon.rendering import RememberedFieldsForm

RATING_CHOICES = [
    (1, _("1 · Not associated at all")),
    (2, _("2 · Slightly associated")),
    (3, _("3 · Somewhat associated")),
    (4, _("4 · Strongly associated")),
    (5, _("5 · Very strongly associated")),
]


def _plain(value: str) -> str:
    value = " ".join((value or "").split())
    if contains_html(value):
        raise ValidationError(_("HTML is not allowed here; send plain text."), code="html")
    return value


def _text_list(
    value: str, *, max_items: int, max_length: int, what, fold: bool = True
) -> list[str]:
    try:
        return domain.check_list(
            domain.split_list(value),
            max_items=max_items,
            max_length=max_length,
            what=what,
            fold=fold,
        )
    except ContributionRefused as refused:
        raise ValidationError(refused.message, code="list") from refused


class ConsentForm(forms.Form):
    version = forms.CharField(widget=forms.HiddenInput, max_length=40, required=False)
    accept = forms.BooleanField(
        label=_("I have read this text and I agree to take part on these terms."),
        error_messages={"required": _("Tick the box to accept, or leave the challenge here.")},
    )


class StereotypeProfileForm(forms.Form):
    languages = forms.MultipleChoiceField(
        label=_("Languages you read"),
        choices=LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one language you read.")},
        help_text=_("You will only see pairs written in these languages."),
    )
    nationalities = forms.CharField(
        label=_("Nationalities you identify with"),
        max_length=1000,
        help_text=_("Separated by commas, as the pool writes them, e.g. peruanos, bolivianos."),
        error_messages={"required": _("Give at least one nationality you identify with.")},
    )
    regions = forms.CharField(
        label=_("Regions you identify with (optional)"),
        max_length=1000,
        required=False,
        help_text=_("Separated by commas, e.g. Cusco, Andalucía."),
    )

    def clean_nationalities(self) -> list[str]:
        items = _text_list(
            self.cleaned_data["nationalities"],
            max_items=domain.MAX_NATIONALITIES,
            max_length=NATIONALITY_MAX,
            what=_("nationalities"),
        )
        if not items:
            raise ValidationError(
                _("Give at least one nationality you identify with."), code="required"
            )
        return items

    def clean_regions(self) -> list[str]:
        return _text_list(
            self.cleaned_data["regions"],
            max_items=domain.MAX_REGIONS,
            max_length=REGION_MAX,
            what=_("regions"),
            fold=False,
        )


class RatingForm(RememberedFieldsForm):
    RATE, SKIP = "rate", "skip"

    pair = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    action = forms.ChoiceField(
        choices=[(RATE, _("Save the rating")), (SKIP, _("Skip this pair"))], required=False
    )
    rating = forms.TypedChoiceField(
        label=_("How strongly are they associated in your region?"),
        choices=RATING_CHOICES,
        coerce=int,
        required=False,
        widget=forms.RadioSelect,
    )
    extra_attribute = forms.CharField(
        label=_("Another attribute associated with this nationality (optional)"),
        max_length=ATTRIBUTE_MAX,
        required=False,
    )
    other_nationalities = forms.CharField(
        label=_("Other nationalities associated with this attribute (optional)"),
        max_length=1000,
        required=False,
        help_text=_("Separated by commas."),
    )
    region = forms.CharField(
        label=_("Region (optional)"),
        max_length=REGION_MAX,
        required=False,
        help_text=_("Where this association holds, if it is a particular region."),
    )

    def clean_extra_attribute(self) -> str:
        return _plain(self.cleaned_data["extra_attribute"])

    def clean_region(self) -> str:
        return _plain(self.cleaned_data["region"])

    def clean_other_nationalities(self) -> list[str]:
        return _text_list(
            self.cleaned_data["other_nationalities"],
            max_items=domain.MAX_OTHER_NATIONALITIES,
            max_length=NATIONALITY_MAX,
            what=_("other nationalities"),
        )

    def clean_action(self) -> str:
        # Pressing Enter in a text field submits without a button: that is a rating.
        return self.cleaned_data["action"] or self.RATE

    def clean(self):
        data = super().clean()
        if data.get("action") == self.RATE and data.get("rating") in (None, ""):
            self.add_error(
                "rating",
                ValidationError(
                    _("Choose how strongly they are associated, from 1 to 5, or skip the pair."),
                    code="required",
                ),
            )
        return data


class PoolUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Pool file"),
        help_text=_(
            "CSV, JSON or JSON Lines with the fields id, language, nationality and attribute."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.json,.jsonl,.ndjson,text/csv,application/json"}
        ),
        error_messages={
            "required": _("Choose a file to upload."),
            "empty": _("The file is empty."),
        },
    )


class InvalidateForm(forms.Form):
    person = forms.CharField(
        label=_("Person"),
        max_length=254,
        help_text=_("Their email address, Hugging Face username or participant number (e.g. #12)."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The person reads it next to each invalidated rating."),
    )

    def clean_person(self):
        person = domain.find_person(identifier=self.cleaned_data["person"])
        if person is None:
            raise ValidationError(_("No participant matches this."), code="unknown")
        return person

    def clean_reason(self) -> str:
        return _plain(self.cleaned_data["reason"])
