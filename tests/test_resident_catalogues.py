"""Every string a resident can meet is in the *compiled* catalogue (the .mo Django serves) for ja, zh-hans and ko
(issue 13, item 1): the waiting page, the error pages (404, 500, 503), the emails, the domain errors, the shared
web layer's messages and the resident site. The waiting page was half English for Japanese residents because its
strings were in the translation tables but not compiled, and no test looked at the compiled files.

The msgids are read from the sources the way makemessages finds them (tests/portal/test_translations.py), so a
string added to any of these files fails here until `DEBUG=1 make messages` has extracted, translated (from
yoyaku/locale/tools/<lang>.py) and compiled it."""

import pytest
from django.utils import translation

from tests.notify.test_translations import EMAIL_SOURCES
from tests.portal.test_translations import PACKAGE, RESIDENT_SOURCES, catalogue, python_msgids, template_msgids

LANGUAGES = ["ja", "zh-hans", "ko"]
SOURCES = sorted({
    *RESIDENT_SOURCES,
    *EMAIL_SOURCES,
    PACKAGE / "gate.py",
    *sorted((PACKAGE / "templates" / "gate").glob("*.html")),
    PACKAGE / "templates" / "404.html",
    PACKAGE / "templates" / "500.html",
    PACKAGE / "templates" / "503.html",
    PACKAGE / "web" / "faults.py",
    PACKAGE / "web" / "forms.py",
    PACKAGE / "web" / "time_choice.py",
    PACKAGE / "web" / "context.py",
})


def msgids():
    found = {}
    for path in SOURCES:
        ids = python_msgids(path) if path.suffix == ".py" else template_msgids(path)
        for key in ids:
            found.setdefault(key, path.relative_to(PACKAGE).as_posix())
    return found


def test_the_sources_include_the_waiting_page_and_the_503_page():
    found = msgids()
    sources = set(found.values())
    assert {"templates/gate/waiting.html", "templates/503.html", "booking/errors.py"} <= sources
    assert (None, "Please wait: you are in line") in found
    assert any(source.startswith("templates/notify/email/") for source in sources)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_resident_facing_string_is_in_the_compiled_catalogue(language):
    compiled = {(entry.msgctxt, entry.msgid): entry for entry in catalogue(language, "mo")}
    missing = []
    for (context, msgid), source in sorted(msgids().items(), key=lambda item: (item[1], item[0][1])):
        entry = compiled.get((context, msgid))
        text = (entry.msgstr_plural.get(0) if entry.msgid_plural else entry.msgstr) if entry else ""
        if not text:
            missing.append(f"{source}: {msgid!r}")
    assert not missing, (f"{language}: {len(missing)} resident-facing strings not in the compiled catalogue "
                         "(DEBUG=1 make messages):\n" + "\n".join(missing))


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "words"), [("ja", "順番"), ("zh-hans", "排队"), ("ko", "대기")])
def test_the_waiting_page_comes_out_in_the_residents_language(language, words, settings, client):
    from yoyaku import gate

    settings.YOYAKU = {**settings.YOYAKU, "GATE_RATE": 0.001, "GATE_BURST": 1.0}
    gate._local.__init__()
    gate._seen.update(at=0.0, released=0.0)
    client.get("/login/")  # the burst
    client.cookies.clear()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get("/login/").content.decode()
    with translation.override(language):
        for english in ("Please wait: you are in line", "People ahead of you:", "What happens next"):
            assert translation.gettext(english) != english
            assert translation.gettext(english).replace("'", "&#x27;") in html
    assert words in html and "People ahead" not in html and "<style" not in html and "style=" not in html
    gate._local.__init__()
