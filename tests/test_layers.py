"""Layers point down only: the sites (portal, console) → the shared web layer → the domain (booking) → the
outbox (notify). Walked from the source with `ast`, imports inside functions included, so a lazy import
cannot hide a wrong-way arrow (docs/architecture.md, "Layers")."""

import pytest

from tests.imports import imports_of

# What each package may import from yoyaku, besides itself. Django's settings and the URL root are wiring,
# not layers; nothing below the sites imports them.
BELOW = {
    "yoyaku.notify": set(),
    "yoyaku.booking": {"yoyaku.notify"},
    "yoyaku.web": {"yoyaku.booking", "yoyaku.notify"},
    "yoyaku.portal": {"yoyaku.web", "yoyaku.booking", "yoyaku.notify"},
    "yoyaku.console": {"yoyaku.web", "yoyaku.booking", "yoyaku.notify"},
    "yoyaku.api": {"yoyaku.web", "yoyaku.booking", "yoyaku.notify"},
}


def _layer(name: str) -> str:
    return ".".join(name.split(".")[:2])


@pytest.mark.parametrize("package", sorted(BELOW))
def test_imports_point_down_only(package):
    allowed = BELOW[package] | {package}
    wrong = sorted({f"{file}:{line} imports {name}" for file, line, name in imports_of(package)
                    if name.startswith("yoyaku.") and _layer(name) not in allowed})
    assert wrong == []


def test_the_walk_sees_imports_inside_functions_and_relative_ones():
    found = {(file, name) for file, _line, name in imports_of("yoyaku.booking")}
    # BookingConfig.ready imports inside a function (models need the app registry): the walk must see it.
    assert ("yoyaku/booking/apps.py", "yoyaku.booking.notifications") in found
    # `from .. import rules` in a subpackage is yoyaku.booking.rules, not something outside.
    assert ("yoyaku/booking/services/reservations.py", "yoyaku.booking.rules") in found


def test_a_wrong_way_import_is_caught(tmp_path, monkeypatch):
    """The check can fail: a console module importing the resident site is reported."""
    import tests.imports as walker

    package = tmp_path / "yoyaku" / "console"
    package.mkdir(parents=True)
    (package / "bad.py").write_text("def f():\n    from yoyaku.portal import session\n")
    monkeypatch.setattr(walker, "ROOT", tmp_path)
    assert [name for _f, _l, name in walker.imports_of("yoyaku.console")] == [
        "yoyaku.portal", "yoyaku.portal.session"]


def test_the_outbox_templates_use_no_tag_library_from_above():
    """Emails format dates with Django's `date` filter and the format modules, not the web layer's tags."""
    from tests.imports import ROOT

    loads = [f"{path.relative_to(ROOT)}: {line.strip()}"
             for path in sorted((ROOT / "yoyaku" / "templates" / "notify").rglob("*.txt"))
             for line in path.read_text(encoding="utf-8").splitlines() if "{% load" in line and "yoyaku_" in line]
    assert loads == []
