"""The worker's settings: read once from the environment by settings.py, checked by notify/conf.py; a wrong
value stops `run_worker` with one line and exit status 1, never a traceback."""

import ast
import subprocess

import pytest
from django.core.management import CommandError, call_command

from yoyaku.notify.conf import mail_host, notify_setting

from .conftest import ROOT, worker_command, worker_env

WRONG = [
    ({"LEASE_SECONDS": 30, "SEND_TIMEOUT": 30},
     "YOYAKU_NOTIFY_LEASE_SECONDS (30) must be greater than YOYAKU_NOTIFY_SEND_TIMEOUT (30)"),
    ({"BACKOFF_SECONDS": -5}, "YOYAKU_NOTIFY_BACKOFF_SECONDS must be at least 0, not '-5'"),
    ({"BATCH_SIZE": "twenty"}, "YOYAKU_NOTIFY_BATCH_SIZE must be a whole number, not 'twenty'"),
    ({"POLL_SECONDS": "2s"}, "YOYAKU_NOTIFY_POLL_SECONDS must be a number, not '2s'"),
    ({"MAX_ATTEMPTS": "0"}, "YOYAKU_NOTIFY_MAX_ATTEMPTS must be at least 1, not '0'"),
    ({"REMINDER_TIME": "nine"}, "YOYAKU_NOTIFY_REMINDER_TIME must be a time like 09:00, not 'nine'"),
]


@pytest.mark.parametrize("notify, message", WRONG)
def test_run_worker_refuses_a_wrong_setting_with_a_command_error(settings, notify, message):
    settings.NOTIFY = {key: str(value) for key, value in notify.items()}
    with pytest.raises(CommandError) as raised:
        call_command("run_worker", "--until-idle")
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("notify, message", [WRONG[0], WRONG[2]])
def test_run_worker_process_exits_1_with_one_line(tmp_path, notify, message):
    env = worker_env(1, tmp_path, **notify)
    result = subprocess.run(worker_command("--until-idle"), env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"CommandError: {message}")


@pytest.mark.slow
def test_settings_reads_the_environment_once_into_notify():
    code = "from django.conf import settings; print(sorted(settings.NOTIFY.items()))"
    env = {"YOYAKU_NOTIFY_BATCH_SIZE": "7", "YOYAKU_NOTIFY_MAIL_HOST": "mail.example.jp",
           "DJANGO_SETTINGS_MODULE": "yoyaku.settings", "DEBUG": "1", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-c", f"import django; django.setup(); {code}"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[('BATCH_SIZE', '7'), ('MAIL_HOST', 'mail.example.jp')]", result.stderr


def test_conf_reads_settings_only_never_the_environment():
    source = (ROOT / "yoyaku" / "notify" / "conf.py").read_text(encoding="utf-8")
    names = {node.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name)}
    assert "os" not in names


def test_a_partial_override_keeps_the_other_defaults(settings):
    settings.NOTIFY = {"BATCH_SIZE": 5}
    assert (notify_setting("BATCH_SIZE"), notify_setting("LEASE_SECONDS")) == (5, 300.0)


def test_the_mail_host_comes_from_the_site_url_unless_set(settings):
    settings.NOTIFY = {}
    settings.YOYAKU = {**settings.YOYAKU, "SITE_URL": "https://yoyaku.city.example.jp"}
    settings.ALLOWED_HOSTS = ["other.example.jp"]
    assert mail_host() == "yoyaku.city.example.jp"
    settings.NOTIFY = {"MAIL_HOST": "mail.city.example.jp"}
    assert mail_host() == "mail.city.example.jp"
