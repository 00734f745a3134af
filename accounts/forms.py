import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.languages import LANGUAGE_CHOICES
from accounts.models import Profile

DISCORD_USERNAME = re.compile(r"^[a-z0-9_.]{2,32}$")
ARENA_IDENTITY = re.compile(r"^[\w.@-]{1,80}$")


class ProfileForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages you read and write"),
        choices=LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    accept_consent = forms.BooleanField(
        label=_("I accept how my contributed data will be used, as described above."),
        required=False,
    )

    class Meta:
        model = Profile
        fields = [
            "display_name",
            "discord_username",
            "hub_username",
            "country",
            "languages",
            "arena_identity",
        ]
        help_texts = {
            "discord_username": _(
                "Your Discord username (not the display name), e.g. maria_perez."
            ),
            "hub_username": _("As on your page huggingface.co/your-username."),
        }

    def __init__(self, *args, consent_needed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.consent_needed = consent_needed
        self.fields["accept_consent"].required = consent_needed
        if not consent_needed:
            del self.fields["accept_consent"]
        self.fields["country"].required = True
        self.fields["discord_username"].required = True
        self.fields["hub_username"].required = True

    def clean_arena_identity(self) -> str:
        value = self.cleaned_data["arena_identity"].strip()
        if value and not ARENA_IDENTITY.fullmatch(value):
            raise ValidationError(
                _(
                    "An arena identity has letters, digits, dots, hyphens, underscores or @, up to 80."
                ),
                code="invalid_arena_identity",
            )
        return value

    def clean_display_name(self) -> str:
        return self.cleaned_data["display_name"].strip()

    def clean_discord_username(self) -> str:
        value = self.cleaned_data["discord_username"].strip().lower()
        if not DISCORD_USERNAME.fullmatch(value):
            raise ValidationError(
                _("A Discord username has 2 to 32 lowercase letters, digits, dots or underscores."),
                code="invalid_discord_username",
            )
        return value
