from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


class ReviewForm(forms.Form):
    """One 0-10 field per criterion of the rubric, and a comment."""

    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, criteria, initial_marks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.DecimalField(
                label=f"{criterion.label} (×{criterion.weight.normalize()})",
                min_value=Decimal(0),
                max_value=Decimal(10),
                decimal_places=2,
                initial=(initial_marks or {}).get(criterion.pk),
            )

    def marks(self) -> dict[int, Decimal]:
        return {
            criterion.pk: self.cleaned_data[f"criterion_{criterion.pk}"]
            for criterion in self.criteria
        }


class OverrideForm(forms.Form):
    points = forms.DecimalField(label=_("Judged points"), min_value=Decimal(0), decimal_places=3)
    reason = forms.CharField(label=_("Reason"), max_length=500)
