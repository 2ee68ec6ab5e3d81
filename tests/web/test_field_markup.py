"""`|field` and `|radios` (web/templatetags/yoyaku_fields.py) write a field as includes/field.html and
includes/radios.html do. Rule: byte for byte the includes' output, for every field of the resident site's forms,
unbound, with initial values, and with errors, in every language."""

import pytest
from django import forms
from django.core.validators import MinLengthValidator, RegexValidator
from django.template import engines
from django.utils.translation import override

from yoyaku.portal.forms import HouseholdMemberForm, LoginForm, WaitingListForm
from yoyaku.web.forms import DetailsForm, TimeForm

ENGINE = engines["django"]


class Tricky(forms.Form):  # texts that need escaping, a help text with errors, radios with an int value
    name = forms.CharField(label='Name <"A"> & co', help_text="Only <b>if</b> asked & known", max_length=3)
    pick = forms.TypedChoiceField(label="Pick <one>", coerce=int, widget=forms.RadioSelect, required=False,
                                  help_text="Either & or", choices=[(1, "One <1>"), (2, "Two & 2")])
    flag = forms.ChoiceField(label="Flag", widget=forms.RadioSelect, choices=[("y", "Yes"), ("n", "No")])
    code = forms.CharField(label="Code", validators=[MinLengthValidator(5), RegexValidator(r"^[0-9]+$")])  # 2 errors


def forms_in_every_state():
    slots = []
    yield TimeForm(slots=slots)
    for form_class in (DetailsForm, LoginForm, HouseholdMemberForm, WaitingListForm, Tricky):
        yield form_class()
        yield form_class(data={})  # every required field missing: errors
    yield DetailsForm(initial={"booker": "proxy", "booker_name": "山田 <花子>", "email": "a@example.com",
                               "wants_move_up": "yes"})
    yield DetailsForm(data={"booker": "proxy", "booker_phone": "12", "email": "not an email", "wants_move_up": "x"})
    yield Tricky(data={"name": "<too long>", "pick": "2", "flag": "n", "code": "ab"})


@pytest.mark.parametrize("language", ["ja", "en", "zh-hans", "ko"])
def test_a_field_written_in_python_is_the_include_byte_for_byte(language):
    compared = 0
    with override(language):
        for form in forms_in_every_state():
            form.is_bound and form.is_valid()
            for bound in form:
                include = "radios" if isinstance(bound.field.widget, forms.RadioSelect) else "field"
                expected = ENGINE.from_string(
                    '{% include "includes/' + include + '.html" with field=f %}').render({"f": bound})
                got = ENGINE.from_string("{% load yoyaku_fields %}{{ f|" + include + " }}").render({"f": bound})
                assert got == expected, (type(form).__name__, bound.name)
                compared += 1
    assert compared > 40
