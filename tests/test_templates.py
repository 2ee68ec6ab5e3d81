"""Template hygiene: Django's {# #} comments are one line only; a two-line one prints on the page."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "yoyaku" / "templates"


def test_no_template_comment_spans_lines():
    offenders = [str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html")
                 for match in re.finditer(r"\{#(.*?)#\}", path.read_text(), re.S) if "\n" in match.group(1)]
    assert offenders == [], "use {% comment %} for comments over several lines"
