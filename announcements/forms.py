from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from announcements.models import Announcement
from challenges.text import clean, is_blank

TEXT_FIELDS = ["title_es", "title_pt", "title_en", "body_es", "body_pt", "body_en"]
BODY_MAX = 20_000


class AnnouncementForm(forms.ModelForm):
    """An announcement in es/pt/en: the Spanish title and text are required, the others fall
    back to them."""

    class Meta:
        model = Announcement
        fields = TEXT_FIELDS
        widgets = {
            name: forms.Textarea(attrs={"rows": 6}) for name in TEXT_FIELDS if "body" in name
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in TEXT_FIELDS:
            if name.startswith("body"):
                self.fields[name].validators.append(MaxLengthValidator(BODY_MAX))

    def clean(self):
        data = super().clean()
        for name in TEXT_FIELDS:
            if name in data:
                data[name] = clean(data[name] or "")
        for name in ("title_es", "body_es"):
            if name in data and is_blank(data[name]):
                self.add_error(
                    name, _("Write the Spanish text: the other languages fall back to it.")
                )
        return data
