"""gunicorn as production runs it: the app preloaded in the master, workers forked and recycled."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str) -> tuple[int, float]:
    start = time.monotonic()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as resp:
        resp.read()
        return resp.status, time.monotonic() - start


@pytest.mark.skipif(shutil.which("gunicorn", path=os.path.dirname(sys.executable)) is None
                    and shutil.which("gunicorn") is None, reason="gunicorn is not installed")
def test_recycled_workers_are_forked_from_the_preloaded_app(tmp_path):
    """Each worker serves 10 requests (PORTAL_MAX_REQUESTS) and is replaced by a fork of the master's
    app: 120 requests (`/healthz` reads the database) go through ~12 workers, all answered; the app
    was built once, in the master, not once per worker; each new worker opens its own connections
    (post_fork empties the pools it inherits)."""
    db = tmp_path / "g.sqlite"
    env = {**os.environ, "PORTAL_DATABASE_URL": f"sqlite:///{db}", "PORTAL_INSTANCE_PATH": str(tmp_path),
           "PORTAL_SECRET_KEY": "g" * 40, "PORTAL_ENV": "development", "PORTAL_MAX_REQUESTS": "10",
           "PORTAL_WORKERS": "2", "PORTAL_LOG_LEVEL": "info",
           "PORTAL_PRELOAD": "1", "PORTAL_WORKER_CLASS": "sync"}
    env.pop("PORTAL_TEST_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "flask", "--app", "portal", "db", "upgrade"], env=env, cwd=ROOT,
                   check=True, capture_output=True)
    port = _free_port()
    env["PORTAL_BIND"] = f"127.0.0.1:{port}"
    log = tmp_path / "gunicorn.log"
    with open(log, "w") as out:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "python:portal.gunicorn_conf",
                                   "portal.wsgi:app"], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _get(port, "/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"gunicorn did not start:\n{log.read_text()}")
                time.sleep(0.2)
        for i in range(120):
            status, _ = _get(port, "/healthz" if i % 2 else "/client/login")
            assert status == 200
        text = log.read_text()
        booted = re.findall(r"Booting worker with pid: (\d+)", text)
        assert len(set(booted)) >= 8, text  # the workers were recycled, again and again
        assert "Autorestarting worker" in text or "max requests" in text.lower(), text
        # Built once, in the master (before any worker booted): workers are forks of it, so a
        # recycled worker serves at once instead of importing the app again (~1.3 s).
        created = re.findall(r"Portal app created \(pid (\d+)", text)
        assert created == [str(server.pid)], text
    finally:
        server.terminate()
        server.wait(timeout=30)
