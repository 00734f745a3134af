from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from scoring.judged import parse_mark


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Judge's email address"))


class AcceptForm(forms.Form):
    """A new account from an invitation: the address is the invitation's."""

    display_name = forms.CharField(label=_("Your name, as organizers see it"), max_length=80)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=500)


class SettingsForm(forms.Form):
    per_team = forms.IntegerField(label=_("Judges per team"), min_value=1, max_value=20)
    blind = forms.BooleanField(label=_("Blind judging (teams shown by a code)"), required=False)
    same_country_conflict = forms.BooleanField(
        label=_("Never a judge from the team's country"), required=False
    )


class RunForm(forms.Form):
    seed = forms.IntegerField(label=_("Seed"), min_value=0, initial=0, required=False)


class HandAssignForm(forms.Form):
    team = forms.IntegerField(widget=forms.HiddenInput)
    judge = forms.IntegerField(label=_("Judge"))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(_("The file must be UTF-8 text.")) from error


class ConflictForm(forms.Form):
    reason = forms.CharField(label=_("Why (for the organizers)"), max_length=300, required=False)


class MarksForm(forms.Form):
    """One field per criterion (0 to its scale; optional ones may stay empty) and a comment."""

    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, criteria, draft=None, marks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        draft = draft or {}
        for criterion in self.criteria:
            initial = draft.get(str(criterion.pk), (marks or {}).get(criterion.pk))
            self.fields[f"criterion_{criterion.pk}"] = forms.DecimalField(
                label=f"{criterion.label} (0-{criterion.scale}, ×{format(criterion.weight.normalize(), 'f')})",
                help_text=criterion.guidance,
                min_value=Decimal(0),
                max_value=Decimal(criterion.scale),
                decimal_places=2,
                required=criterion.required,
                initial=initial,
            )

    def marks(self) -> dict[int, Decimal | None]:
        return {c.pk: self.cleaned_data.get(f"criterion_{c.pk}") for c in self.criteria}

    def typed(self) -> dict[int, str]:
        """What was typed, valid or not, for the autosaved draft."""
        return {c.pk: self.data.get(f"criterion_{c.pk}", "") for c in self.criteria}

    def typed_is_valid(self) -> bool:
        return all(
            parse_mark(text) is not None or not str(text).strip() for text in self.typed().values()
        )


class RubricItemForm(forms.Form):
    label_es = forms.CharField(label=_("Label (Spanish)"), max_length=200)
    label_pt = forms.CharField(label=_("Label (Portuguese)"), max_length=200, required=False)
    label_en = forms.CharField(label=_("Label (English)"), max_length=200, required=False)
    guidance_es = forms.CharField(
        label=_("Guidance (Spanish)"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    guidance_pt = forms.CharField(
        label=_("Guidance (Portuguese)"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    guidance_en = forms.CharField(
        label=_("Guidance (English)"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    weight = forms.DecimalField(
        label=_("Weight"), min_value=Decimal("0.01"), max_value=Decimal(999), decimal_places=2,
        initial=1,
    )  # fmt: skip
    scale = forms.IntegerField(
        label=_("Scale (marks from 0 to)"), min_value=1, max_value=10, initial=10
    )
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    position = forms.IntegerField(label=_("Order"), min_value=1, required=False)


RubricFormSet = forms.formset_factory(RubricItemForm, extra=1, can_delete=True)
