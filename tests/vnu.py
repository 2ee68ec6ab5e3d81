"""The Nu Html Checker (vnu, the W3C's validator) over pages our tests fetched: every error, or none.

vnu.jar comes from npm (package.json: vnu-jar, installed by `make test`) and runs on the machine's Java 17.
All pages go to one run of the checker (one JVM start, about two seconds).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def errors(pages: dict[str, str]) -> list[str]:
    """{name: html} -> ["name: line N: message", ...]; an empty list when every page is valid."""
    assert VNU.exists(), f"{VNU} is missing: `npm ci` (make test does it) installs vnu-jar"
    java = shutil.which("java")
    assert java, "java is missing: vnu needs a Java runtime (Debian: default-jre-headless)"
    with tempfile.TemporaryDirectory(prefix="vnu-") as folder:
        files = {}
        for name, html in pages.items():
            path = Path(folder) / (name.replace("/", "_").strip("_") + ".html")
            path.write_text(html, encoding="utf-8")
            files[path.name] = name
        run = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, (
            Path(folder) / p for p in sorted(p.name for p in Path(folder).iterdir())))],
            capture_output=True, text=True, timeout=300)
    report = json.loads(run.stderr or run.stdout or '{"messages": []}')
    found = []
    for message in report.get("messages", []):
        if message.get("type") == "error" or message.get("subType") == "fatal":
            url = message.get("url", "")
            page = files.get(url.rsplit("/", 1)[-1], url)
            found.append(f"{page}: line {message.get('lastLine')}: {message.get('message')}")
    return found
