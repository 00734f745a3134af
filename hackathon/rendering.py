"""Rendering an unbound form field once per process.

A field's HTML (label, widget, help text) goes through half a dozen form templates; on the
"next item" pages that was most of the page's rendering. An unbound field renders the same
HTML for the same form, field, language and initial value, so ``RememberedFieldsForm`` keeps
what ``as_field_group`` rendered and gives it again. A bound field (a form sent back with its
errors) is always rendered afresh. A plain hidden input is written directly, as the templates
would write it.

Its instances also share the class's field objects instead of each taking a deep copy of them
(``BaseForm.__init__`` deep-copies ``base_fields``): copying six fields with their widgets and
choices took a quarter of a millisecond of the rating page. So these forms never change a field
in ``__init__`` (its widget's attributes, its choices, its label): what changes per instance is
the form's own ``fields`` dict, from which a field may be removed.
"""

from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundField
from django.forms.forms import DeclarativeFieldsMetaclass
from django.forms.models import ModelChoiceIterator
from django.utils.html import format_html
from django.utils.translation import get_language

MAX_ENTRIES = 5_000
_rendered: dict[tuple, str] = {}


class RememberedBoundField(BoundField):
    def __str__(self):
        # A plain hidden input (the id of the item on the page) is one tag, but Django renders
        # it through three form templates; its value differs on every page, so it is written
        # here instead, exactly as those templates write it.
        field, widget = self.field, self.field.widget
        if (
            type(widget) is forms.HiddenInput
            and not widget.attrs
            and not field.disabled
            and not field.show_hidden_initial
        ):
            value = widget.format_value(self.value())
            return format_html(
                '<input type="hidden" name="{}"{}{}>',
                self.html_name,
                format_html(' value="{}"', value) if value is not None else "",
                format_html(' id="{}"', self.auto_id) if self.auto_id else "",
            )
        return super().__str__()

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


class SharedFields(dict):
    """A form class's fields, which each instance copies as a dict, sharing the fields."""

    def __deepcopy__(self, memo):
        return dict(self)


class SharedFieldsMetaclass(DeclarativeFieldsMetaclass):
    def __new__(mcs, name, bases, attrs):
        new_class = super().__new__(mcs, name, bases, attrs)
        new_class.base_fields = SharedFields(new_class.base_fields)
        return new_class


class RememberedFieldsForm(forms.Form, metaclass=SharedFieldsMetaclass):
    """A form whose unbound fields' ``as_field_group`` is rendered once per process, whose
    plain hidden inputs are written without templates, and whose instances share the class's
    fields (see the module). Only for forms whose fields' HTML depends on nothing but what the
    key names, and that change no field per instance."""

    bound_field_class = RememberedBoundField
