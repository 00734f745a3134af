"""Rendering an unbound form field once per process.

A field's HTML (label, widget, help text) goes through half a dozen form templates; on the
"next item" pages that was most of the page's rendering. An unbound field renders the same
HTML for the same form, field, language and initial value, so ``RememberedFieldsForm`` keeps
what ``as_field_group`` rendered and gives it again. A bound field (a form sent back with its
errors) is always rendered afresh.
"""

from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundField
from django.forms.models import ModelChoiceIterator
from django.utils.translation import get_language

MAX_ENTRIES = 5_000
_rendered: dict[tuple, str] = {}


class RememberedBoundField(BoundField):
    def as_field_group(self):
        field = self.field
        # A bound field shows what was sent; a model choice's options are rows, which change.
        if self.form.is_bound or isinstance(getattr(field, "choices", None), ModelChoiceIterator):
            return super().as_field_group()
        key = (
            type(self.form).__module__,
            type(self.form).__qualname__,
            self.form.prefix,
            self.form.auto_id,
            self.name,
            get_language(),
            repr(self.value()),
            repr(field.widget.attrs),
            repr(getattr(field, "choices", None)),
            str(field.label),
            str(field.help_text),
            field.required,
            field.disabled,
        )
        html = _rendered.get(key)
        if html is None:
            html = super().as_field_group()
            if len(_rendered) >= MAX_ENTRIES:
                _rendered.clear()
            _rendered[key] = html
        return html


class RememberedFieldsForm(forms.Form):
    """A form whose unbound fields' ``as_field_group`` is rendered once per process (see the
    module). Only for forms whose fields' HTML depends on nothing but what the key names."""

    bound_field_class = RememberedBoundField
