"""Django's form renderer, with the plain <input> widgets written in Python.

A text, email, tel, number, date or hidden field rendered through Django's widget templates (input.html with
its attrs.html) cost about half a millisecond each; the booking page's details form has seven of them, a
fifth of that page's server time at opening (issue 11). The markup is the templates' own, byte for byte
(tests/web/test_renderer.py renders every case through both); anything else goes to the templates.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape

INPUTS = frozenset(f"django/forms/widgets/{kind}.html" for kind in (
    "input", "text", "email", "tel", "number", "password", "url", "search", "date", "time", "datetime", "hidden",
    "color"))


class Renderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name in INPUTS and "widget" in context and not context["widget"].get("subwidgets"):
            return input_html(context["widget"])
        return super().render(template_name, context, request)


def input_html(widget: dict) -> str:
    # input.html: <input type="{{ widget.type }}" name="{{ widget.name }}"{% if widget.value != None %}
    # value="{{ widget.value|stringformat:'s' }}"{% endif %}{% include attrs.html %}>; attrs.html writes each
    # attribute that is not False, bare when True. stringformat:'s' is "%s" % value, which is str(value).
    parts = [f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"']
    if widget["value"] is not None:
        parts.append(f' value="{conditional_escape(str(widget["value"]))}"')
    for name, value in widget["attrs"].items():
        if value is not False:
            parts.append(f" {conditional_escape(name)}")
            if value is not True:
                parts.append(f'="{conditional_escape(str(value))}"')
    parts.append(">")
    return "".join(parts)
