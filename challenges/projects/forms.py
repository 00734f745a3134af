from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from challenges.domain import ContributionRefused
from challenges.projects.domain import parse_duration
from teams.models import Team


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace(",", "\n").splitlines() if line.strip()]


class ProjectForm(forms.Form):
    track = forms.ChoiceField(
        label=_("Track"), required=False, choices=[("", _("Not chosen yet")), *Team.Track.choices]
    )
    model_repos = forms.CharField(
        label=_("Model repositories"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}), help_text=_("One per line, e.g. somosnlp-hackathon-2025/my-model."),
    )  # fmt: skip
    dataset_repos = forms.CharField(
        label=_("Dataset repositories"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}), help_text=_("One per line."),
    )  # fmt: skip
    demo_space = forms.CharField(label=_("Demo Space"), required=False, max_length=200)
    video_url = forms.URLField(label=_("Video link"), required=False, assume_scheme="https")
    video_length = forms.CharField(
        label=_("Video length"),
        required=False,
        max_length=8,
        help_text=_("Minutes:seconds, 5:00 at most."),
    )
    paper_url = forms.URLField(label=_("Paper link"), required=False, assume_scheme="https")
    paper_file = forms.FileField(label=_("Paper (PDF, 20 MB at most)"), required=False)

    # The project's parts as the domain names them (``PART_CHALLENGE``) -> the form's fields.
    PART_FIELDS = {"video_seconds": "video_length"}

    def __init__(self, *args, closed_parts: dict[str, str] | None = None, **kwargs):
        """``closed_parts``: the parts whose window is not open, with why; they are shown
        disabled (their saved value kept), the reason as their help text."""
        super().__init__(*args, **kwargs)
        for part, reason in (closed_parts or {}).items():
            field = self.fields.get(self.PART_FIELDS.get(part, part))
            if field is not None:
                field.disabled = True
                field.help_text = reason

    def clean_video_url(self) -> str:
        url = self.cleaned_data["video_url"]
        if url and not url.lower().startswith(("http://", "https://")):
            raise ValidationError(_("Give an http(s) link."), code="invalid_scheme")
        return url

    def clean_video_length(self) -> int | None:
        text = self.cleaned_data["video_length"]
        if not text:
            return None
        try:
            return parse_duration(text)
        except ContributionRefused as error:
            raise ValidationError(error.message, code="invalid_length") from error

    def values(self) -> dict:
        data = self.cleaned_data
        values = {
            "track": data["track"],
            "model_repos": _lines(data["model_repos"]),
            "dataset_repos": _lines(data["dataset_repos"]),
            "demo_space": data["demo_space"].strip(),
            "video_url": data["video_url"],
            "video_seconds": data["video_length"],
            "paper_url": data["paper_url"],
        }
        if data.get("paper_file"):
            values["paper_file"] = data["paper_file"]
        return values
