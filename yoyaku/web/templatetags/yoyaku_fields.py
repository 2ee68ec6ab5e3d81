"""A form field in the Digital Agency pattern, written in Python: `{{ form.x|field }}` is byte for byte
`{% include "includes/field.html" with field=form.x %}`, and `{{ form.x|radios }}` is includes/radios.html.

For the booking page's details (five fields and two radio groups on the page with a venue's times, the
busiest page of the opening rush): each include looked up a dozen names on the bound field, each lookup trying
a dictionary key first, which a bound field refuses with an exception (issue 11). The templates stay the
reference, and the rest of the site still includes them; tests/web/test_field_markup.py renders every field of
the site's forms both ways, unbound and with errors, in each language, and compares them."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


def _text(value) -> str:
    """What `{{ value }}` writes: escaped, unless already safe."""
    return str(conditional_escape(value))


@register.filter
def field(bound) -> str:
    errors = bound.errors
    auto_id = _text(bound.auto_id)
    if bound.field.required:
        mark = f' <span class="req">{_text(gettext("*Required"))}</span>'
    else:
        mark = f' <span class="opt">{_text(gettext("Optional"))}</span>'
    hint = f'<p class="hint" id="{auto_id}_helptext">{_text(bound.help_text)}</p>' if bound.help_text else ""
    error = (f'<p class="error-text" id="{auto_id}_error">{" ".join(_text(e) for e in errors)}</p>'
             if errors else "")
    return mark_safe(  # noqa: S308 - every text escaped above; the widget is Django's own safe markup
        f'\n<div class="field{" field-error" if errors else ""}">\n'
        f'  <label for="{_text(bound.id_for_label)}" class="label">{_text(bound.label)}{mark}</label>\n'
        f"  {hint}\n  {error}\n  {_text(bound)}\n</div>\n")


@register.filter
def radios(bound) -> str:
    errors = bound.errors
    auto_id = _text(bound.auto_id)
    described = ""
    if errors or bound.help_text:
        described = (f' aria-describedby="{f"{auto_id}_helptext" if bound.help_text else ""}'
                     f'{f" {auto_id}_error" if errors else ""}"')
    mark = f' <span class="req">{_text(gettext("*Required"))}</span>' if bound.field.required else ""
    hint = f'<p class="hint" id="{auto_id}_helptext">{_text(bound.help_text)}</p>' if bound.help_text else ""
    error = (f'<p class="error-text" id="{auto_id}_error">{"".join(f"{_text(e)} " for e in errors)}</p>'
             if errors else "")
    options = "".join(
        f'<div class="radio"><input type="radio" name="{_text(radio.data["name"])}" '
        f'value="{_text(radio.data["value"])}" id="{_text(radio.id_for_label)}"'
        f'{" checked" if radio.data["selected"] else ""}><label for="{_text(radio.id_for_label)}">'
        f"{_text(radio.choice_label)}</label></div>" for radio in bound)
    return mark_safe(  # noqa: S308 - every text escaped above
        f'\n<fieldset class="field{" field-error" if errors else ""}" id="{auto_id}"{described}>\n'
        f'  <legend class="label">{_text(bound.label)}{mark}</legend>\n'
        f'  {hint}\n  {error}\n  <div class="radios">{options}</div>\n</fieldset>\n')
