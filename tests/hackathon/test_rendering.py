"""An unbound field's HTML is rendered once per process and given again, the same as a fresh
render; a bound form (sent back with its errors) is always rendered afresh."""

import importlib.util
import sys

import pytest
from django import forms
from django.utils.translation import override

from hackathon import rendering


class Plain(forms.Form):
    comment = forms.CharField(label="Comment", help_text="Say why", max_length=5)


class Remembered(rendering.RememberedFieldsForm):
    comment = forms.CharField(label="Comment", help_text="Say why", max_length=5)


def test_an_unbound_field_renders_as_a_fresh_one_and_is_kept(monkeypatch):
    rendering._rendered.clear()
    first = Remembered()["comment"].as_field_group()
    assert first == Plain()["comment"].as_field_group()
    assert len(rendering._rendered) == 1
    calls = []
    monkeypatch.setattr(forms.BoundField, "as_field_group", lambda self: calls.append(1) or "fresh")
    assert Remembered()["comment"].as_field_group() == first and not calls


def test_initial_values_and_languages_are_kept_apart():
    rendering._rendered.clear()
    empty = Remembered()["comment"].as_field_group()
    filled = Remembered(initial={"comment": "hola"})["comment"].as_field_group()
    assert 'value="hola"' in filled and 'value="hola"' not in empty
    with override("es"):
        Remembered()["comment"].as_field_group()
    assert len(rendering._rendered) == 3


def test_a_bound_form_is_rendered_afresh_with_its_errors():
    rendering._rendered.clear()
    form = Remembered({"comment": "demasiado largo"})
    assert not form.is_valid()
    html = form["comment"].as_field_group()
    assert "errorlist" in html and "demasiado largo" in html
    assert not rendering._rendered


@pytest.mark.django_db
def test_a_model_choice_is_rendered_afresh_as_its_rows_change():
    from django.contrib.auth.models import Group

    class Picking(rendering.RememberedFieldsForm):
        group = forms.ModelChoiceField(queryset=Group.objects.all())

    rendering._rendered.clear()
    before = Picking()["group"].as_field_group()
    Group.objects.create(name="Jurado")
    after = Picking()["group"].as_field_group()
    assert "Jurado" not in before and "Jurado" in after
    assert not rendering._rendered


class PlainHidden(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    note = forms.CharField(widget=forms.HiddenInput, required=False)
    styled = forms.CharField(widget=forms.HiddenInput(attrs={"class": "x"}), required=False)


class RememberedHidden(rendering.RememberedFieldsForm):
    item = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    note = forms.CharField(widget=forms.HiddenInput, required=False)
    styled = forms.CharField(widget=forms.HiddenInput(attrs={"class": "x"}), required=False)


@pytest.mark.parametrize(
    ("kwargs"),
    [
        {},
        {"initial": {"item": 42, "note": 'a "quoted" <b>note</b> & more'}},
        {"initial": {"item": 0, "note": ""}},
        {"data": {"item": "7", "note": "sent"}},
        {"data": {"item": "not a number"}},
        {"auto_id": False, "initial": {"item": 3}},
        {"prefix": "pair", "initial": {"item": 5}},
    ],
)
def test_a_hidden_input_is_written_as_the_form_templates_write_it(kwargs):
    plain, remembered = PlainHidden(**kwargs), RememberedHidden(**kwargs)
    for name in ("item", "note", "styled"):
        assert str(remembered[name]) == str(plain[name])
    assert 'name="item"' in str(remembered["item"]) or "pair-item" in str(remembered["item"])


def test_a_hidden_input_is_written_without_the_templates(monkeypatch):
    calls = []
    monkeypatch.setattr(
        forms.HiddenInput, "render", lambda *args, **kwargs: calls.append(1) or "rendered"
    )
    assert str(RememberedHidden(initial={"item": 9})["item"]) == (
        '<input type="hidden" name="item" value="9" id="id_item">'
    )
    assert not calls
    str(RememberedHidden()["styled"])  # attributes of its own: through the templates
    assert calls


def test_instances_share_the_fields_but_each_has_its_own_list_of_them():
    first, second = Remembered(), Remembered(data={"comment": "too long"})
    assert first.fields["comment"] is second.fields["comment"]  # no deep copy per instance
    assert not second.is_valid() and first.errors == {}
    del first.fields["comment"]
    assert "comment" in second.fields and "comment" in Remembered.base_fields


def remembered_forms() -> list[type]:
    import challenges.blend.forms  # noqa: F401 - the forms that use it register as subclasses
    import challenges.preferences.forms  # noqa: F401
    import challenges.stereotypes.forms  # noqa: F401

    found, pending = [], list(rendering.RememberedFieldsForm.__subclasses__())
    while pending:
        form_class = pending.pop()
        pending.extend(form_class.__subclasses__())
        if form_class.__module__.startswith("challenges."):
            found.append(form_class)
    return found


def described(fields: dict) -> dict:
    return {
        name: (
            repr(field.widget.attrs), field.required, str(field.label), str(field.help_text),
            repr(getattr(field, "choices", None)), repr(field.initial),
        )
        for name, field in fields.items()
    }  # fmt: skip


def as_declared(form_class: type, monkeypatch) -> type:
    """The form class from its module run afresh: its fields as declared, whatever earlier
    tests did with the shared ones."""
    module = sys.modules[form_class.__module__]
    name = "afresh_" + module.__name__.replace(".", "_")
    spec = importlib.util.spec_from_file_location(name, module.__file__)
    afresh = importlib.util.module_from_spec(spec)
    afresh.__package__ = module.__package__  # for its relative imports
    monkeypatch.setitem(sys.modules, name, afresh)  # where its classes say they live
    spec.loader.exec_module(afresh)
    return getattr(afresh, form_class.__qualname__)


@pytest.mark.parametrize("form_class", remembered_forms(), ids=lambda form: form.__qualname__)
def test_no_form_of_the_apps_changes_the_fields_it_shares(form_class, monkeypatch):
    form_class = as_declared(form_class, monkeypatch)
    declared = described(form_class.base_fields)
    for form in (form_class(), form_class(data={})):
        form.is_valid()
        str(form)
    assert described(form_class.base_fields) == declared
