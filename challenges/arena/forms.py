"""The arena's forms: a new battle, one more message, the vote."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from challenges.preferences.forms import NO_HTML, PromptForm
from challenges.preferences.models import Prompt
from challenges.text import clean, is_blank
from challenges.uploads import NO_VISIBLE_TEXT, contains_html
from hackathon.rendering import RememberedBoundField

from .domain.battles import VOTE_TYPES


class BattleForm(PromptForm):
    """A new prompt for the two models (the prompt form's fields and checks), or one of the
    team's prompts picked from the list. Its unbound fields are rendered once per process
    (``hackathon.rendering``): the country's 250 options were most of the arena page's cost,
    which everyone starting a battle loads."""

    bound_field_class = RememberedBoundField

    picked = forms.ModelChoiceField(
        label=_("Or pick one of your team's prompts"),
        queryset=Prompt.objects.none(),
        required=False,
    )

    class Meta(PromptForm.Meta):
        fields = ["country", "language", "system_prompt", "text"]

    def __init__(self, *args, team_prompts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("topic", None)
        if team_prompts is not None:
            self.fields["picked"].queryset = team_prompts
        for name in ("country", "language", "text"):
            self.fields[name].required = False

    def clean(self):
        data = super().clean()
        if data.get("picked"):
            return data
        for name in ("country", "language", "text"):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, _("This field is required."))
        return data


class ContinueForm(forms.Form):
    text = forms.CharField(
        label=_("Ask both models something more"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_text(self):
        value = clean(self.cleaned_data["text"])
        if contains_html(value):
            raise forms.ValidationError(NO_HTML)
        if is_blank(value):
            raise forms.ValidationError(NO_VISIBLE_TEXT)
        return value


class VoteForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("Your vote"),
        choices=[
            ("a", _("A is better")),
            ("b", _("B is better")),
            ("tie", _("Both are good")),
            ("bothbad", _("Both are bad")),
        ],
    )

    def clean_choice(self):
        choice = self.cleaned_data["choice"]
        if choice not in VOTE_TYPES:  # the choices and the domain's list are one list
            raise forms.ValidationError(_("Choose one of the four votes."))
        return choice


class ArenaSettingsForm(forms.Form):
    ratings_public = forms.BooleanField(label=_("Everyone can see the ratings"), required=False)
