"""Settings come from the environment; production settings pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}}
    full_env.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.slow  # over a second: left out of make test-fast
def test_production_settings_pass_check_deploy():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING",
                        DEBUG="0", SECRET_KEY="x" * 20 + "-a-long-random-production-secret-key-value",
                        ALLOWED_HOSTS="yoyaku.example.jp")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_secret_key_required_when_debug_is_off():
    result = run_manage("check", DEBUG="0", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_defaults_are_japanese_tokyo_and_sqlite_wal(settings):
    assert settings.LANGUAGE_CODE == "ja"
    assert settings.TIME_ZONE == "Asia/Tokyo"
    if not os.environ.get("DATABASE_URL"):
        options = settings.DATABASES["default"]["OPTIONS"]
        assert options["transaction_mode"] == "IMMEDIATE"
        assert "journal_mode=WAL" in options["init_command"]


def test_sqlite_connection_really_is_in_wal_mode(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL run has no journal mode to check")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"


# --- Safe defaults: DEBUG off unless asked, no server without SECRET_KEY and ALLOWED_HOSTS ------------------

PRODUCTION = {"SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-key-value", "ALLOWED_HOSTS": "testserver"}


def clean_env(**env):
    """The environment of a server started by someone who set only what they were told to: nothing of ours."""
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH"}
    full_env = {k: v for k, v in os.environ.items() if k in keep}
    full_env.update(env)
    return full_env


def run_python(code: str, **env):
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean_env(**env), capture_output=True,
                          text=True, timeout=120)


def test_debug_is_off_when_the_variable_is_unset():
    result = run_python("import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
                        DJANGO_SETTINGS_MODULE="yoyaku.settings", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("missing, line", [
    ("SECRET_KEY", "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off"),
    ("ALLOWED_HOSTS", "ImproperlyConfigured: ALLOWED_HOSTS must be set when DEBUG is off"),
])
def test_production_refuses_to_start_without_each_required_setting_in_one_line(missing, line):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=clean_env(**env),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [result.stderr.strip()], result.stderr  # one line, no traceback
    assert result.stderr.startswith(line)


def test_no_fallback_secret_without_debug():
    result = run_python("import yoyaku.settings", SECRET_KEY="", ALLOWED_HOSTS="testserver", DEBUG="0")
    assert result.returncode != 0 and "dev-only" not in result.stdout + result.stderr
    demo = run_python("import yoyaku.settings as s; print(s.SECRET_KEY.startswith('dev-only'))", DEBUG="1")
    assert demo.stdout.strip() == "True"  # only the demo, asked for with DEBUG=1, has a built-in key


def test_make_run_asks_for_debug_explicitly():
    makefile = (ROOT / "Makefile").read_text()
    assert "run: export DEBUG = 1" in makefile


@pytest.mark.slow  # over a second: left out of make test-fast
def test_the_documented_production_environment_passes_check_deploy():
    example = ROOT / "deploy" / "yoyaku.env.example"  # the file docs/deploy.md tells the city to copy
    env = {}
    for line in example.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key.strip()] = value.strip().strip('"')
    env["SECRET_KEY"] = "documented-" + "k3y" * 20  # the example holds a placeholder to replace
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                            env=clean_env(**env), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_with_debug_unset_the_dev_inbox_is_a_404_and_the_404_page_is_ours(tmp_path):
    env = {**PRODUCTION, "YOYAKU_VAR_DIR": str(tmp_path), "STATIC_ROOT": str(tmp_path / "static"),
           "DJANGO_SETTINGS_MODULE": "yoyaku.settings"}
    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "20260101-000000-1.log").write_text("Subject: secret\n\nhanako@example.jp\n")
    collect = subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT,
                             env=clean_env(**env), capture_output=True, text=True, timeout=120)
    assert collect.returncode == 0, collect.stderr
    code = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "client = Client(raise_request_exception=False)\n"
        "out = {}\n"
        "for url in ['/dev/mail/', '/dev/mail/20260101-000000-1.log/0/', '/no-such-page/']:\n"
        "    r = client.get(url, secure=True)\n"
        "    out[url] = [r.status_code, r.content.decode()]\n"
        "print(json.dumps(out))\n"
    )
    result = run_python(code, **env)
    assert result.returncode == 0, result.stderr
    import json

    for url, (status, html) in json.loads(result.stdout).items():
        assert status == 404, url
        assert "hanako@example.jp" not in html
        assert "Using the URLconf" not in html and "DEBUG = True" not in html  # not Django's debug page
        assert "ページが見つかりません" in html, html[:500]  # ours (templates/404.html), in Japanese first
