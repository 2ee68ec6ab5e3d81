"""The form renderer writes the plain <input> widgets in Python (web/renderer.py, issue 11): byte for byte what
Django's own widget templates write, for every kind of input and every kind of value and attribute."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from yoyaku.web.renderer import Renderer

WIDGETS = [forms.TextInput, forms.EmailInput, forms.NumberInput, forms.PasswordInput, forms.URLInput,
           forms.HiddenInput, forms.DateInput, forms.TimeInput, forms.DateTimeInput, forms.SearchInput,
           forms.ColorInput, forms.TelInput]
VALUES = [None, "", "taro@example.jp", 'a "quoted" <b>&amp;</b>', 12, 0, mark_safe("<i>safe</i>"), "山田　太郎"]
ATTRS = [{}, {"required": True, "disabled": False}, {"maxlength": 10, "autocomplete": "tel", "class": "a b"},
         {"aria-describedby": 'x" onmouseover="y', "data-n": 0, "pattern": "[0-9]{3}-<x>"}]


@pytest.mark.parametrize("widget_class", WIDGETS, ids=lambda w: w.__name__)
def test_the_inputs_written_in_python_are_the_templates_own_markup(widget_class):
    for value in VALUES:
        for attrs in ATTRS:
            widget = widget_class(attrs=attrs)
            ours = widget.render("field-name", value, attrs={"id": "id_field"}, renderer=Renderer())
            djangos = widget.render("field-name", value, attrs={"id": "id_field"}, renderer=DjangoTemplates())
            assert ours == djangos, (widget_class.__name__, value, attrs)


def test_other_widgets_still_go_to_the_templates():
    widget = forms.Select(choices=[("1", "一"), ("2", "<二>")])
    assert widget.render("s", "2", renderer=Renderer()) == widget.render("s", "2", renderer=DjangoTemplates())


def test_the_site_uses_it(settings):
    from django.forms.renderers import get_default_renderer

    assert settings.FORM_RENDERER == "yoyaku.web.renderer.Renderer"
    assert isinstance(get_default_renderer(), Renderer)
