"""Browser harness: the portal served live on a freshly migrated, seeded database; one headless
Chromium per session; a fresh browser context (no shared cookies) per page; every page's
JavaScript errors and CSP violations collected and failed on.

Runs on SQLite (a file of its own) even when PORTAL_TEST_DATABASE_URL points the main suite at
PostgreSQL, so the shared database stays free; set PORTAL_BROWSER_DATABASE_URL to run the live
server on a PostgreSQL database of its own (its public schema is dropped and rebuilt).

Chromium is Debian's /usr/bin/chromium, or PORTAL_CHROMIUM. Without it the browser tests are
skipped, unless PORTAL_REQUIRE_BROWSER=1 (CI), which makes them fail.
"""
from __future__ import annotations

import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select, text
from werkzeug.serving import make_server

from portal import clock, create_app
from portal.db.tenancy import system_scope
from portal.extensions import db
from tests.browser.helpers import REPO_ROOT, SCREENSHOT_DIR, screenshot, sign_in  # noqa: F401 - re-exported
from tests.conftest import _config
from tests.world import build_world

HERE = Path(__file__).resolve().parent
BROWSER_DB_URL = os.environ.get("PORTAL_BROWSER_DATABASE_URL")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: Playwright's per-action wait: the app answers locally in milliseconds, so fail fast.
TIMEOUT_MS = 5_000


def _required() -> bool:
    return os.environ.get("PORTAL_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes"}


def chromium_path() -> str | None:
    """PORTAL_CHROMIUM when set (and only it), else chromium on the PATH."""
    configured = os.environ.get("PORTAL_CHROMIUM")
    if configured:
        return shutil.which(configured)  # None unless it exists and is executable
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python Playwright is not installed (pip install -e '.[test]')"
    if chromium_path() is None:
        where = os.environ.get("PORTAL_CHROMIUM") or "chromium on the PATH"
        return f"Chromium not found ({where}); install it or set PORTAL_CHROMIUM"
    return None


def pytest_collection_modifyitems(config, items):
    """Mark every test of this folder `browser`; skip them when no browser is available."""
    reason = _missing()
    for item in items:
        if HERE not in Path(item.path).resolve().parents:
            continue
        item.add_marker(pytest.mark.browser)
        if reason and not _required():
            item.add_marker(pytest.mark.skip(reason=f"{reason}; set PORTAL_REQUIRE_BROWSER=1 to fail instead"))


@pytest.fixture(scope="session", autouse=True)
def _browser_available():
    reason = _missing()
    if reason:  # only reached when PORTAL_REQUIRE_BROWSER=1: the hook skipped the tests otherwise
        pytest.fail(f"PORTAL_REQUIRE_BROWSER=1 but {reason}", pytrace=False)


# --- the live server -------------------------------------------------------------------------

@dataclass
class LiveServer:
    """The running portal: its Flask app (for reading the database) and its base URL."""

    app: Flask
    url: str

    def mail_to(self, email: str) -> list[str]:
        """Text bodies of the outbox messages addressed to `email`, oldest first."""
        from portal.mail.models import OutboxMessage

        with self.app.app_context(), system_scope("browser test reads the outbox"):
            rows = db.session.scalars(select(OutboxMessage.text_body)
                                      .where(OutboxMessage.to_email == email).order_by(OutboxMessage.id))
            return list(rows)


def _build_database(app: Flask) -> None:
    """Run the migrations on an empty database, then seed the world."""
    with app.app_context():
        if BROWSER_DB_URL:
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        with system_scope("browser test world"):
            build_world()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The portal on 127.0.0.1:<free port>, served by werkzeug from a daemon thread."""
    tmp = tmp_path_factory.mktemp("browser")
    uri = BROWSER_DB_URL or f"sqlite:///{tmp / 'browser.sqlite'}"
    config = _config(uri, tmp)
    # Rate-limit counters would be state shared between tests (and a long session of failed
    # sign-ins would trip them); the limits themselves are tested without a browser.
    config["RATELIMIT_ENABLED"] = False
    app = create_app(config)
    _build_database(app)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url  # links in e-mail point at this server
    thread = threading.Thread(target=server.serve_forever, name="portal-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=url)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        clock.freeze(None)
        with app.app_context():
            db.engine.dispose()


# --- the browser -----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class PageErrors:
    """What went wrong in the pages of one test: console errors and uncaught exceptions."""

    messages: list[str] = field(default_factory=list)
    #: Documents that answered 4xx on purpose (a refused sign-in is a 401, a used link a 410):
    #: should Chromium log "Failed to load resource" for them, that is not a fault of the page.
    error_documents: set[str] = field(default_factory=set)

    def watch(self, page) -> None:
        page.on("response", self._on_response)
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.messages.append(f"uncaught exception on {page.url}: {exc}"))

    def _on_response(self, response) -> None:
        if response.request.resource_type == "document" and response.status >= 400:
            self.error_documents.add(response.url)

    def _on_console(self, msg) -> None:
        if msg.type != "error":
            return
        where = (msg.location or {}).get("url", "")
        if msg.text.startswith("Failed to load resource") and (
                where in self.error_documents or where.endswith("/favicon.ico")):
            return  # Chromium asks every site for /favicon.ico by itself; the portal has none
        self.messages.append(f"console error at {where or '?'}: {msg.text}")


@pytest.fixture
def page_errors() -> PageErrors:
    """The JavaScript errors and CSP violations seen so far in this test (failed on at teardown)."""
    return PageErrors()


@pytest.fixture
def new_page(browser, live_server, page_errors):
    """new_page() -> a page in a fresh browser context (own cookies), relative URLs on the live server."""
    contexts = []

    def make():
        context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                      viewport={"width": 1280, "height": 800})
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        pg = context.new_page()
        page_errors.watch(pg)
        return pg

    yield make
    for context in contexts:
        context.close()
    clock.freeze(None)  # a test that moved the clock never leaks it into the next one
    assert not page_errors.messages, "JavaScript errors or CSP violations:\n" + "\n".join(page_errors.messages)


@pytest.fixture
def page(new_page):
    """A page in a fresh browser context: nothing (cookies, storage) is shared between tests."""
    return new_page()
