"""A new app process warms itself before it answers anyone (web/warm.py, issue 11's flash crowd)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
import yoyaku.wsgi
from django.template import engines
loader = engines["django"].engine.template_loaders[0]
print(json.dumps({
    "templates": sorted(name for name in loader.get_template_cache),
    "views_imported": "yoyaku.portal.views.booking" in sys.modules,
    "qr_imported": "segno" in sys.modules,
}))
"""


def _new_worker(tmp_path, **env) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "YOYAKU_WARM_UP"}}
    clean.update({"DEBUG": "0", "SECRET_KEY": "w" * 50, "ALLOWED_HOSTS": "testserver", "YOYAKU_VAR_DIR": str(tmp_path),
                  "STATIC_ROOT": str(tmp_path / "static")}, **env)
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_new_worker_has_every_template_compiled_and_every_view_imported_before_its_first_request(tmp_path):
    warmed = _new_worker(tmp_path)
    ours = sorted(p.relative_to(ROOT / "yoyaku" / "templates").as_posix()
                  for p in (ROOT / "yoyaku" / "templates").rglob("*.html"))
    assert set(ours) <= set(warmed["templates"])
    assert warmed["views_imported"] and warmed["qr_imported"]


def test_warming_can_be_turned_off(tmp_path):
    cold = _new_worker(tmp_path, YOYAKU_WARM_UP="0")
    assert cold["templates"] == [] and not cold["views_imported"]
