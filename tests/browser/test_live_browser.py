"""Live updates across two server processes, seen in two browsers side by side.

BluePeak's Priya works on a second portal process (its own Python process, the same database);
Globex's hiring manager Leo has his review board open on the first. Priya submits a candidate:
Leo's board shows it without a reload. Leo rejects it: Priya's submissions list and her
notification badge change without a reload. Nothing is shared between the processes but the
database, as with several gunicorn workers or machines.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal import clock
from portal.db.tenancy import system_scope
from portal.extensions import db
from portal.job_orders.models import JobOrder
from tests.browser.helpers import REPO_ROOT, screenshot, sign_in
from tests.fixtures.candidates import pdf_bytes
from tests.world import WORLD_JOBS

#: The poll runs every 2 s; allow one poll, the region's fetch and a slow CI machine.
LIVE_MS = 3_500

_SECOND = """
import sys
from werkzeug.serving import run_simple
from portal import create_app
app = create_app({"TESTING": True, "SECRET_KEY": sys.argv[1], "SQLALCHEMY_DATABASE_URI": sys.argv[2],
                  "MAIL_BACKEND": "locmem", "UPLOAD_DIR": sys.argv[3], "RATELIMIT_ENABLED": False,
                  "BASE_URL": sys.argv[5]})
run_simple("127.0.0.1", int(sys.argv[4]), app, threaded=True)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def second_server(live_server):
    """The same portal in another process, on the live server's database."""
    config = live_server.app.config
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-c", _SECOND, config["SECRET_KEY"], config["SQLALCHEMY_DATABASE_URI"],
         config["UPLOAD_DIR"], str(port), url],
        cwd=REPO_ROOT, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the second portal process did not start: "
                                       + proc.stderr.read().decode(errors="replace")[-2000:])
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_submission_and_its_rejection_cross_processes_without_a_reload(new_page, live_server, second_server):
    with live_server.app.app_context(), system_scope("browser test lookup"):
        job = db.session.scalar(select(JobOrder).where(JobOrder.title == WORLD_JOBS["globex"][1]))
        job_id, reference = job.id, job.reference

    leo = new_page()  # on the first process
    sign_in(leo, "client", "leo@globex.example")
    leo.goto(f"/client/job-orders/{job_id}/board")
    board = leo.locator("#review-board")
    expect(board).to_be_visible()

    priya = new_page()  # on the second process
    sign_in(priya, "supplier", "priya@bluepeak.example", base=second_server)
    priya.goto(f"{second_server}/supplier/submissions")
    badge = priya.locator("#notifications-badge")
    unread_before = _unread(badge)

    # Priya submits from a second tab on the second process; her list tab stays open.
    form = priya.context.new_page()
    form.goto(f"{second_server}/supplier/job-orders/{job_id}/submit?candidate=new")
    form.get_by_label("First name").fill("Lina")
    form.get_by_label("Last name").fill("Livewire")
    form.get_by_label("E-mail address", exact=True).fill("lina.livewire@example.com")
    form.get_by_label("Résumé file").set_input_files(
        {"name": "Lina Livewire.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("Lina Livewire, analyst")})
    form.get_by_label(re.compile(r"^(Bill rate|Expected salary|Pay rate)")).fill("60")
    form.get_by_label("Available from").fill((clock.now().date() + timedelta(days=10)).isoformat())
    form.get_by_label(re.compile("permission to represent them for this job order")).check()
    form.get_by_role("button", name=re.compile("^Submit")).click()
    expect(form.get_by_text(re.compile("submitted", re.I)).first).to_be_visible()

    # Leo's board, on the other process, shows her without a reload.
    card = board.get_by_role("article", name="Lina Livewire")
    expect(card).to_be_visible(timeout=LIVE_MS)
    expect(priya.get_by_role("link", name="Lina Livewire")).to_be_visible(timeout=LIVE_MS)
    screenshot(leo, "live-board-new-submission")

    card.get_by_text("Reject…").click()
    card.get_by_label("Reason").select_option(label="Skills don't match")
    card.get_by_role("button", name="Reject candidate").click()
    expect(leo.get_by_text("Rejected: the supplier has been told the reason.")).to_be_visible()

    # Priya's list and badge change without a reload.
    row = priya.get_by_role("row", name=re.compile("Lina Livewire"))
    expect(row).to_contain_text(re.compile("Rejected|Not retained", re.I), timeout=LIVE_MS)
    expect(badge).to_contain_text(re.compile(r"\d"), timeout=LIVE_MS)
    assert _wait_unread_above(badge, unread_before), "the badge did not count the new notification"
    screenshot(priya, "live-supplier-list-after-rejection")

    # The notification centre lists it first, with a deep link to the submission.
    badge.click()
    expect(priya.get_by_role("heading", name="Notifications")).to_be_visible()
    first = priya.locator(".notification").first
    expect(first).to_contain_text(f"not retained for {reference}")
    screenshot(priya, "notifications-centre")
    first.get_by_role("button", name=re.compile("^Your candidate was not retained")).click()
    expect(priya.get_by_role("heading", level=1)).to_contain_text("Lina Livewire")


def _unread(badge) -> int:
    text = badge.inner_text()
    found = re.search(r"(\d+)", text)
    return int(found.group(1)) if found else 0


def _wait_unread_above(badge, before: int, seconds: float = 3.5) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _unread(badge) > before:
            return True
        time.sleep(0.1)
    return False
