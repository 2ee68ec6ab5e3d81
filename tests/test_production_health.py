"""/healthz as a load balancer sees it (plain HTTP straight to gunicorn, the server's address as Host, DEBUG off,
HTTPS redirect on), and YOYAKU_LOG_FORMAT=json: one JSON line per request in gunicorn's output, paths
masked, no query strings, no reservation codes, no ticket numbers."""

from __future__ import annotations

import http.client
import json

import pytest

from tests.web.servers import DETAILS, Browser, Server, collect_static, manage, production_env, request_key, seed_city

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    collect_static(root, tmp_path_factory.mktemp("var"))
    return root


def plain_get(port: int, path: str, host: str) -> tuple[int, dict, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": host})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def test_healthz_over_plain_http_with_any_host_and_json_request_lines(tmp_path, static_root):
    env = production_env(tmp_path, static_root, YOYAKU_LOG_FORMAT="json", LOG_LEVEL="INFO",
                         YOYAKU_GATE_RATE="0.001", YOYAKU_GATE_BURST="1")
    manage(env, "migrate", "--no-input", "-v0")
    city = seed_city(env, capacity=6, residents=1)
    log = tmp_path / "gunicorn.log"
    with Server(env, log, workers=1, threads=2) as server:
        status, headers, body = plain_get(server.port, "/healthz", host="10.0.0.5:8000")
        assert status == 200, body
        assert json.loads(body) == {"status": "ok", "database": "ok", "cache": "ok", "oldest_unsent_seconds": None}
        assert plain_get(server.port, "/login/", host="127.0.0.1")[0] == 301  # pages: HTTPS only
        assert plain_get(server.port, "/login/", host="10.0.0.5:8000")[0] == 400  # pages: known hosts only

        resident = Browser(server.port)  # the gate's one place
        assert resident.log_in(city["tickets"][0]).status == 302
        assert resident.post("/book/1/", {"slot": city["slot"], **DETAILS}).status == 302
        done = resident.post("/book/1/check/", {"request_key": request_key(resident.get("/book/1/check/").text)})
        code = done.location.split("/")[2]
        assert resident.get(f"/reservations/{code}/done/?utm=email").status == 200
        assert Browser(server.port).get("/login/").headers.get("x-yoyaku-waiting-room") == "1"
        assert plain_get(server.port, "/healthz", host="10.0.0.5:8000")[0] == 200  # never gated

    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["logger"] == "yoyaku.request"]
    seen = [(line["method"], line["path"], line["status"]) for line in requests]
    assert ("GET", "/healthz", 200) in seen and ("POST", "/book/1/check/", 302) in seen
    assert ("GET", "/reservations/*/done/", 200) in seen
    assert all(isinstance(line["duration_ms"], float) and line["time"].endswith("+00:00") for line in requests)
    text = log.read_text()
    assert code not in text and city["tickets"][0] not in text and "utm=" not in text
