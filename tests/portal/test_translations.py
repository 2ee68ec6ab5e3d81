"""The resident site's catalogues (ja, zh-hans, ko): complete, compiled, and with the same placeholders.

The msgids are read from the sources themselves, the way `makemessages` finds them (Django's `templatize` for
templates, the gettext keywords in Python files), so a translatable string added to a resident template fails here
until it is extracted, translated (yoyaku/locale/tools/<lang>.py + fill_po.py) and compiled. Pure Python: no
GNU gettext needed to run the tests.

To fix a failure: cd yoyaku && ../.venv/bin/python ../manage.py makemessages -l ja -l zh_Hans -l ko --no-location
--no-obsolete; add the strings to yoyaku/locale/tools/{ja,zh_hans,ko}.py; run yoyaku/locale/tools/fill_po.py for
each language; then ../.venv/bin/python ../manage.py compilemessages.
"""

import ast
import os
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation.template import templatize

import yoyaku

PACKAGE = Path(yoyaku.__file__).resolve().parent
LOCALE = Path(settings.LOCALE_PATHS[0])
LANGUAGES = ["ja", "zh-hans", "ko"]

# Everything a resident can see: the portal's templates and code, the domain errors and input rules, and the
# models (status and other choice labels are shown on the resident pages).
RESIDENT_SOURCES = [
    *sorted((PACKAGE / "templates" / "portal").rglob("*.html")),
    *sorted((PACKAGE / "templates" / "includes").rglob("*.html")),
    PACKAGE / "templates" / "base.html",
    PACKAGE / "templates" / "404.html",
    PACKAGE / "templates" / "500.html",
    *sorted((PACKAGE / "portal").rglob("*.py")),
    PACKAGE / "booking" / "errors.py",
    PACKAGE / "booking" / "rules.py",
    PACKAGE / "booking" / "models.py",
]

# The gettext keywords makemessages passes to xgettext for Python files: name -> (context arg, msgid arg).
PY_KEYWORDS = {
    "_": (None, 0), "gettext": (None, 0), "gettext_lazy": (None, 0), "gettext_noop": (None, 0),
    "ngettext": (None, 0), "ngettext_lazy": (None, 0),
    "pgettext": (0, 1), "pgettext_lazy": (0, 1), "npgettext": (0, 1), "npgettext_lazy": (0, 1),
}
# templatize() writes gettext(u'...'), ngettext(u'...', u'...', count), pgettext(u'ctx', u'...'),
# npgettext(u'ctx', ...) for the i18n tags, and _("...") for a literal in a variable or a filter argument.
_LITERAL = r"u?(?:'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\")"
_TEMPLATE_CALL = re.compile(r"(?<![\w.])(_|gettext|ngettext|pgettext|npgettext)\(((?:\s*" + _LITERAL + r"\s*,?)+)")

# A printf directive as Python's % operator reads it: %(name)s, %(seconds).1f, %d, %%.
_DIRECTIVE = re.compile(r"%(?:\((\w+)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?([diouxXeEfFgGcrsa%])")


def python_msgids(path):
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name not in PY_KEYWORDS:
            continue
        ctx_arg, id_arg = PY_KEYWORDS[name]
        args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args]
        if len(args) > id_arg and args[id_arg] is not None:
            context = args[ctx_arg] if ctx_arg is not None else None
            found.add((context, args[id_arg]))
    return found


def template_msgids(path):
    found = set()
    for match in _TEMPLATE_CALL.finditer(templatize(path.read_text(encoding="utf-8"), str(path))):
        literals = [ast.literal_eval(lit) for lit in re.findall(_LITERAL, match.group(2))]
        if match.group(1).startswith(("pgettext", "npgettext")):
            found.add((literals[0], literals[1]))
        else:
            found.add((None, literals[0]))
    return found


def resident_msgids():
    found = {}
    for path in RESIDENT_SOURCES:
        ids = template_msgids(path) if path.suffix == ".html" else python_msgids(path)
        for key in ids:
            found.setdefault(key, os.path.relpath(path, PACKAGE))
    return found


def catalogue(language, ext="po"):
    path = LOCALE / translation.to_locale(language) / "LC_MESSAGES" / f"django.{ext}"
    assert path.exists(), f"{path} is missing"
    return polib.pofile(str(path)) if ext == "po" else polib.mofile(str(path))


def directives(text):
    """The named placeholders (name, conversion) and the count of unnamed ones; %% is a literal percent sign."""
    named, unnamed = set(), 0
    for name, conversion in _DIRECTIVE.findall(text):
        if conversion == "%":
            continue
        if name:
            named.add((name, conversion))
        else:
            unnamed += 1
    return named, unnamed


def test_the_extractor_finds_the_resident_strings():
    """Guards the test itself: a broken extractor must not pass by finding nothing."""
    msgids = resident_msgids()
    for expected in ["Log in", "Reservation ID", "Dose %(n)s", "None", "Booking for this dose has closed.",
                     "Enter the 10-digit ticket number.", "cancelled"]:
        assert (None, expected) in msgids
    assert len(msgids) > 250


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_resident_string_is_translated(language):
    po = catalogue(language)
    problems = []
    for (context, msgid), source in sorted(resident_msgids().items(), key=lambda item: (item[1], item[0][1])):
        entry = po.find(msgid, msgctxt=context) if context else po.find(msgid)
        if entry is None or entry.obsolete:
            problems.append(f"{source}: not in the catalogue (run makemessages): {msgid!r}")
        elif not entry.translated():
            state = "fuzzy" if "fuzzy" in entry.flags else "untranslated"
            problems.append(f"{source}: {state}: {msgid!r}")
    assert not problems, f"{language}: {len(problems)} resident strings not translated:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_po(language):
    """The .mo holds what the .po says (compilemessages was run), and Django serves it for the language."""
    po, mo = catalogue(language), catalogue(language, "mo")
    compiled = {(e.msgctxt, e.msgid): e for e in mo}
    stale = []
    for entry in po.translated_entries():
        got = compiled.get((entry.msgctxt, entry.msgid))
        if got is None or (got.msgstr_plural if entry.msgid_plural else got.msgstr) != (
            entry.msgstr_plural if entry.msgid_plural else entry.msgstr
        ):
            stale.append(entry.msgid)
    assert not stale, f"{language}: the .mo is out of date (run compilemessages) for: {stale}"

    served = []
    with translation.override(language):
        for entry in po.translated_entries():
            if entry.msgid_plural:
                forms = set(entry.msgstr_plural.values())
                for n in (1, 2):
                    if entry.msgctxt:
                        got = translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                    else:
                        got = translation.ngettext(entry.msgid, entry.msgid_plural, n)
                    if got not in forms:
                        served.append((entry.msgid, n, got))
            else:
                got = (translation.pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt
                       else translation.gettext(entry.msgid))
                if got != entry.msgstr:
                    served.append((entry.msgid, got))
    assert not served, f"{language}: Django does not serve the catalogue's translation for: {served}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language):
    """%(name)s in, %(name)s out: a missing, renamed or retyped placeholder breaks the page at run time."""
    problems = []
    for entry in catalogue(language).translated_entries():
        if entry.msgid_plural:
            expected = directives(entry.msgid_plural)
            forms = list(entry.msgstr_plural.values())
        else:
            expected = directives(entry.msgid)
            forms = [entry.msgstr]
        python_format = "python-format" in entry.flags
        for form in forms:
            found = directives(form)
            # Outside python-format strings a % is plain text: only the named placeholders must agree there.
            same = found == expected if python_format else found[0] == expected[0]
            if not same:
                problems.append(f"{entry.msgid!r}\n    -> {form!r}")
            elif python_format and "%" in _DIRECTIVE.sub("", form):
                problems.append(f"{entry.msgid!r}\n    -> {form!r} (a lone %: write %% for a percent sign)")
    assert not problems, f"{language}: placeholders differ:\n" + "\n".join(problems)


def test_a_page_in_each_language():
    """End to end: the login page comes out in the language asked for."""
    from django.test import Client

    expected = {"ja": "接種券番号", "zh-hans": "接种券号码", "ko": "접종권 번호"}
    for language, label in expected.items():
        html = Client(headers={"accept-language": language}).get("/login/").content.decode()
        assert label in html, language
