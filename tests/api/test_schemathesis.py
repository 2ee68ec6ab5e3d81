"""Schemathesis against the live server's own OpenAPI document, every check on: no failure, no server error."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests import factories
from yoyaku.booking import services
from yoyaku.booking.integrations import SCOPES
from yoyaku.booking.services.integrations import api_token_create

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_schemathesis_finds_no_failure(live_server, tmp_path):
    admin = factories.staff_user("schemathesis-admin")
    factories.open_window()
    factories.resident()
    factories.slot(capacity=50)
    _token, secret = api_token_create(actor=services.Actor.for_staff(admin), name="fuzz", scopes=list(SCOPES),
                                      rate_per_minute=100000)
    cli = Path(sys.executable).with_name("schemathesis")
    result = subprocess.run(  # noqa: S603 - our own venv's tool, fixed arguments
        [str(cli), "run", f"{live_server.url}/api/v1/openapi.json", "--checks", "all",
         "-H", f"Authorization: Bearer {secret}", "--max-examples", "25", "--no-color",
         "--seed", "1", "--report-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
