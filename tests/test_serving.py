"""Serving: request ids, structured logs, fingerprinted static files, compression."""
from __future__ import annotations

import json
import logging
import re

from portal import create_app
from tests.conftest import SECRET


def test_request_id_is_generated_or_kept(client):
    resp = client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", resp.headers["X-Request-ID"])
    resp = client.get("/healthz", headers={"X-Request-ID": "lb-1234abcd"})
    assert resp.headers["X-Request-ID"] == "lb-1234abcd"
    resp = client.get("/healthz", headers={"X-Request-ID": "<script>x</script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", resp.headers["X-Request-ID"])


def test_json_access_log_in_production(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PORTAL_ENV", "production")
    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'l.sqlite'}"})
    app.test_client().get("/client/login", headers={"X-Request-ID": "req-abcdef12"})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("logger") == "portal.access"]
    assert access, lines
    assert access[-1]["request_id"] == "req-abcdef12" and access[-1]["status"] == 200
    assert access[-1]["path"] == "/client/login" and "duration_ms" in access[-1]
    logging.getLogger("portal").handlers.clear()


def test_static_files_have_fingerprinted_urls_and_long_cache(client):
    page = client.get("/client/login").get_data(as_text=True)
    match = re.search(r'href="(/assets/([0-9a-f]{12})/css/portal\.css)"', page)
    assert match, "stylesheet is not fingerprinted"
    resp = client.get(match.group(1))
    assert resp.status_code == 200
    assert "immutable" in resp.headers["Cache-Control"] and "max-age=31536000" in resp.headers["Cache-Control"]
    stale = client.get("/assets/000000000000/css/portal.css")
    assert stale.status_code == 200 and "immutable" not in stale.headers.get("Cache-Control", "")
    assert client.get("/assets/000000000000/../portal/config.py").status_code == 404
    assert client.get("/assets/000000000000/nope.css").status_code == 404


def test_responses_are_compressed(client):
    resp = client.get("/client/login", headers={"Accept-Encoding": "gzip"})
    assert resp.headers.get("Content-Encoding") == "gzip"
    assert "Accept-Encoding" in resp.headers.get("Vary", "")
