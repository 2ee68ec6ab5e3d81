"""Every notification enters the outbox through its one queueing function (the layers: tests/test_layers.py)."""

import ast

from tests.imports import ROOT


def _notification_writes(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"create", "bulk_create", "get_or_create", "update_or_create"}
                and isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "objects"
                and isinstance(node.func.value.value, ast.Name) and node.func.value.value.id == "Notification"):
            yield f"{path.relative_to(ROOT)}:{node.lineno}"


def test_every_notification_is_queued_through_notification_queue():
    writers = [where for path in sorted((ROOT / "yoyaku").rglob("*.py")) if "migrations" not in path.parts
               for where in _notification_writes(path)]
    assert writers and all(where.startswith("yoyaku/notify/services.py:") for where in writers), writers
