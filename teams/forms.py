from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from challenges.text import clean, is_blank
from teams.models import Team


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "countries", "project_idea", "track"]
        widgets = {
            "project_idea": forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
        }
        help_texts = {
            "name": _("Unique in the edition; 60 characters at most."),
            "countries": _("Hold Ctrl (or Cmd) to choose several."),
            "project_idea": _("Optional now; you can write it later."),
            "track": _("Optional now; choose A or B before the alignment challenge."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["countries"].required = True
        self.fields["countries"].widget.attrs["size"] = 8
        self.fields["track"].choices = [("", _("Not chosen yet"))] + list(Team.Track.choices)

    def clean_name(self) -> str:
        name = clean(self.cleaned_data["name"])
        if is_blank(name):
            raise forms.ValidationError(_("A team needs a name."), code="required")
        return name

    def clean_countries(self) -> list[str]:
        chosen = self.cleaned_data["countries"]
        unknown = [code for code in chosen if code not in dict(countries)]
        if unknown:
            raise forms.ValidationError(
                _("Choose countries from the list."), code="invalid_country"
            )
        return chosen
