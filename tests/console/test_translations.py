"""Every string of the console has its Japanese translation (yoyaku/locale/tools/ja.py), compiled.

The msgids are read from the sources as `makemessages` finds them (the resident site's translation test has the
extractor). To fix a failure: add the strings to yoyaku/locale/tools/ja.py, then `make messages`.
"""

import runpy
from pathlib import Path

import pytest
from django.utils import translation

import yoyaku
from tests.portal.test_translations import python_msgids, template_msgids

PACKAGE = Path(yoyaku.__file__).resolve().parent
CONSOLE_SOURCES = [
    *sorted((PACKAGE / "templates" / "console").rglob("*.html")),
    # The console's pages and code; not its management commands (messages for the IT staff at a terminal).
    *sorted(p for p in (PACKAGE / "console").rglob("*.py") if not {"migrations", "management"} & set(p.parts)),
    PACKAGE / "booking" / "search.py",
    PACKAGE / "booking" / "reports.py",
]


def console_msgids() -> dict:
    found = {}
    for path in CONSOLE_SOURCES:
        for key in template_msgids(path) if path.suffix == ".html" else python_msgids(path):
            found.setdefault(key, str(path.relative_to(PACKAGE)))
    return found


def test_every_console_string_has_a_japanese_translation():
    japanese = runpy.run_path(str(PACKAGE / "locale" / "tools" / "ja.py"))["T"]
    missing = sorted(f"{where}: {msgid!r}" for (context, msgid), where in console_msgids().items()
                     if context is None and msgid not in japanese)
    assert not missing, "missing from yoyaku/locale/tools/ja.py:\n" + "\n".join(missing)


@pytest.mark.parametrize("msgid", ["Find a resident", "Searched for:", "Today"])
def test_the_compiled_japanese_catalogue_has_the_console_strings(msgid):
    with translation.override("ja"):
        assert translation.gettext(msgid) != msgid
