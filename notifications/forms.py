from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from challenges.models import Challenge
from notifications.models import ESSENTIAL_KINDS, Campaign, Email, Kind

LANGUAGE_CHOICES = [
    ("", _("The first of my languages the site speaks")),
    ("es", _("Spanish")),
    ("pt", _("Portuguese")),
    ("en", _("English")),
]


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of my emails"), choices=LANGUAGE_CHOICES, required=False
    )
    emailed = forms.MultipleChoiceField(
        label=_("Send me these by email"),
        choices=[(kind, label) for kind, label in Kind.choices if kind not in ESSENTIAL_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class PolicyForm(forms.Form):
    held = forms.MultipleChoiceField(
        label=_("Hold these for review"),
        choices=[(kind, label) for kind, label in Kind.choices if kind != Kind.MESSAGE],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class EmailEditForm(forms.ModelForm):
    class Meta:
        model = Email
        fields = ["subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 16})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = True


class CampaignForm(forms.ModelForm):
    country = forms.ChoiceField(label=_("Country"), choices=[("", "—"), *countries], required=False)

    class Meta:
        model = Campaign
        fields = [
            "segment",
            "country",
            "challenge",
            "subject_es",
            "body_es",
            "subject_pt",
            "body_pt",
            "subject_en",
            "body_en",
        ]
        widgets = {f"body_{code}": forms.Textarea(attrs={"rows": 8}) for code in ("es", "pt", "en")}

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["challenge"].queryset = Challenge.objects.filter(edition=edition)
        self.fields["challenge"].required = False

    def clean(self):
        data = super().clean()
        segment = data.get("segment")
        if segment == Campaign.Segment.COUNTRY and not data.get("country"):
            self.add_error("country", _("Choose a country."))
        if segment == Campaign.Segment.CONTRIBUTORS and not data.get("challenge"):
            self.add_error("challenge", _("Choose a challenge of this edition."))
        return data
