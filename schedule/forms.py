import datetime as dt
import zoneinfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges.text import clean, is_blank
from schedule.domain import known_time_zones
from schedule.models import Event

# The zones the hackathon's people live in, offered first; any other IANA zone is accepted.
COMMON_ZONES = [
    "America/Mexico_City", "America/Guatemala", "America/Costa_Rica", "America/Panama",
    "America/Havana", "America/Santo_Domingo", "America/Puerto_Rico", "America/Bogota",
    "America/Lima", "America/Guayaquil", "America/Caracas", "America/La_Paz",
    "America/Santiago", "America/Asuncion", "America/Argentina/Buenos_Aires",
    "America/Montevideo", "America/Sao_Paulo", "Atlantic/Canary", "Europe/Lisbon",
    "Europe/Madrid", "UTC",
]  # fmt: skip
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def validate_zone(value: str) -> None:
    if value not in known_time_zones():
        raise forms.ValidationError(
            _("“%(value)s” is not a known time zone."), params={"value": value}
        )


class TimeZoneForm(forms.Form):
    """The zone the calendar page shows the times in, besides the edition's (AoE)."""

    tz = forms.CharField(
        label=_("Show the times in"),
        max_length=64,
        validators=[validate_zone],
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
    )


class EventForm(forms.ModelForm):
    url = forms.URLField(
        label=_("link"),
        required=False,
        assume_scheme="https",
        help_text=_("Where to join or read more."),
    )
    time_zone = forms.CharField(
        label=_("Time zone of these times"),
        max_length=64,
        validators=[validate_zone],
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
    )

    class Meta:
        model = Event
        fields = [
            "kind", "title_es", "title_pt", "title_en", "description_es", "description_pt",
            "description_en", "starts_at", "ends_at", "url",
        ]  # fmt: skip
        widgets = {
            "starts_at": DATETIME_WIDGET,
            "ends_at": DATETIME_WIDGET,
            "description_es": forms.Textarea(attrs={"rows": 3}),
            "description_pt": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].initial = edition.time_zone
        if self.instance.pk:
            zone = edition.zone
            for name in ("starts_at", "ends_at"):
                value = getattr(self.instance, name)
                if value is not None:
                    self.initial[name] = timezone.localtime(value, zone).replace(tzinfo=None)

    def clean(self):
        data = super().clean()
        for name in ("title_es", "title_pt", "title_en"):
            if name in data:
                data[name] = clean(data[name] or "")
        if "title_es" in data and is_blank(data["title_es"]):
            self.add_error("title_es", _("Write the Spanish title."))
        zone_name = data.get("time_zone")
        if zone_name:
            zone = zoneinfo.ZoneInfo(zone_name)
            for name in ("starts_at", "ends_at"):
                value = data.get(name)
                if isinstance(value, dt.datetime):
                    naive = timezone.make_naive(value) if timezone.is_aware(value) else value
                    data[name] = naive.replace(tzinfo=zone)
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("An event must end after it starts."))
        return data

    def event_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
