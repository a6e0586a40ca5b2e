"""Fixtures: the database built by running the migrations (SQLite or PostgreSQL), a fresh
seeded world per test, clients signed in as any principal, CSRF tokens, captured mail.

Set PORTAL_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test to run the
suite on PostgreSQL; by default it runs on SQLite files in a temporary folder.
"""
from __future__ import annotations

import os
import shutil

os.environ.setdefault("PORTAL_TEST_CHEAP_HASHING", "1")

import pytest
from flask_migrate import upgrade
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import text

from portal import clock, create_app
from portal.config import normalise_database_url
from portal.db.tenancy import system_scope
from portal.extensions import db
from tests.world import PASSWORD, PEOPLE, World, build_world

PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")
SECRET = "test-secret-key-that-is-long-enough-for-production-mode"


def _config(uri: str, tmp) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": SECRET,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(uri),
        "MAIL_BACKEND": "locmem",
        "BASE_URL": "http://portal.test",
        "UPLOAD_DIR": str(tmp / "uploads"),
        "SERVER_NAME": None,
    }


def is_postgres() -> bool:
    return bool(PG_URL)


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Run the migrations once per test run, then seed the world; returns what to copy."""
    tmp = tmp_path_factory.mktemp("db")
    if PG_URL:
        app = create_app(_config(PG_URL, tmp))
        with app.app_context():
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            upgrade()
            with system_scope("test world"):
                build_world()
            db.session.remove()
            _PG_SNAPSHOT.update(_take_snapshot(), uploads=tmp / "uploads")
            db.engine.dispose()
        return PG_URL
    path = tmp / "template.sqlite"
    app = create_app(_config(f"sqlite:///{path}", tmp))
    with app.app_context():
        upgrade()
        with system_scope("test world"):
            build_world()
        db.session.remove()
        db.engine.dispose()
    return path


#: PostgreSQL: the seeded world's rows, captured once and restored before every test
#: (TRUNCATE, then bulk INSERT and sequence reset): much faster than seeding again.
_PG_SNAPSHOT: dict = {}


def _take_snapshot() -> dict:
    tables = [t for t in db.metadata.sorted_tables]
    with db.engine.connect() as conn:
        rows = {t.name: [dict(r._mapping) for r in conn.execute(t.select())] for t in tables}
    return {"tables": tables, "rows": rows}


def _restore_snapshot() -> None:
    tables = _PG_SNAPSHOT["tables"]
    with db.engine.begin() as conn:
        try:
            # As a superuser: skip triggers (the event log's append-only guard, foreign keys)
            # and DELETE, which is far cheaper than TRUNCATE for a few hundred rows.
            with conn.begin_nested():
                conn.execute(text("SET LOCAL session_replication_role = replica"))
            for table in reversed(tables):
                conn.execute(table.delete())
        except Exception:  # noqa: BLE001 - not a superuser: TRUNCATE instead
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        for table in tables:
            rows = _PG_SNAPSHOT["rows"][table.name]
            if rows:
                conn.execute(table.insert(), rows)
            if "id" in table.c and table.c.id.autoincrement in (True, "auto") and rows:
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                                  f"{max(r['id'] for r in rows)})"))


@pytest.fixture
def app(database_template, tmp_path):
    """A fresh app on a fresh copy of the seeded world."""
    if PG_URL:
        application = create_app(_config(PG_URL, tmp_path))
        with application.app_context():
            _restore_snapshot()
        if _PG_SNAPSHOT["uploads"].is_dir():
            shutil.copytree(_PG_SNAPSHOT["uploads"], tmp_path / "uploads")
    else:
        path = tmp_path / "test.sqlite"
        shutil.copyfile(database_template, path)
        # The seeded world's stored files (demo résumés) belong to it as much as its rows.
        if (database_template.parent / "uploads").is_dir():
            shutil.copytree(database_template.parent / "uploads", tmp_path / "uploads")
        application = create_app(_config(f"sqlite:///{path}", tmp_path))
    ctx = application.app_context()
    ctx.push()
    yield application
    db.session.remove()
    clock.freeze(None)
    db.engine.dispose()
    ctx.pop()


@pytest.fixture
def world(app) -> World:
    return World()


class PortalClient:
    """A test client that knows how to sign in and to send the CSRF token like htmx does."""

    def __init__(self, app):
        self.app = app
        self.http = app.test_client()
        self.user_email: str | None = None

    def csrf_token(self) -> str:
        with self.http.session_transaction() as sess:
            raw = sess.get("csrf_token")
            if raw is None:
                import hashlib

                raw = hashlib.sha1(os.urandom(64)).hexdigest()
                sess["csrf_token"] = raw
        return URLSafeTimedSerializer(self.app.secret_key, salt="wtf-csrf-token").dumps(raw)

    def _send(self, method: str, url: str, **kw):
        # Each request gets its own app context (fresh `g`, fresh session), as in production;
        # the test's own session then forgets what it had loaded, so it re-reads fresh rows.
        # Buffered: the response is read and closed as a server would, so work registered with
        # `call_on_close` (mail delivery after the response) runs before the test goes on.
        with self.app.app_context():
            resp = self.http.open(url, method=method, buffered=True, **kw)
        db.session.expire_all()
        return resp

    def get(self, url, htmx: bool = False, **kw):
        headers = kw.pop("headers", {})
        if htmx:
            headers["HX-Request"] = "true"
        return self._send("GET", url, headers=headers, **kw)

    def post(self, url, data=None, htmx: bool = False, csrf: bool = True, **kw):
        headers = kw.pop("headers", {})
        if csrf:
            headers["X-CSRFToken"] = self.csrf_token()
        if htmx:
            headers["HX-Request"] = "true"
        return self._send("POST", url, data=data or {}, headers=headers, **kw)

    def login(self, short_or_email: str, portal: str | None = None, password: str = PASSWORD):
        email = PEOPLE.get(short_or_email, short_or_email)
        if portal is None:
            portal = World().user(short_or_email).portal if short_or_email in PEOPLE else "staff"
        resp = self.post(f"/{portal}/login", {"email": email, "password": password})
        assert resp.status_code == 302, f"sign-in of {email} at {portal} failed: {resp.status_code}"
        self.user_email = email
        return resp


@pytest.fixture
def client(app) -> PortalClient:
    return PortalClient(app)


@pytest.fixture
def as_user(app):
    """as_user('hana') -> a PortalClient signed in as that principal of the world."""

    def make(short: str) -> PortalClient:
        c = PortalClient(app)
        c.login(short)
        return c

    return make


@pytest.fixture
def outbox(app):
    """The list of messages the mail backend (locmem) delivered in this test."""
    state = app.extensions["mailman"]
    state.outbox = []
    return state.outbox


def sent_to(outbox, email: str):
    return [m for m in outbox if email in m.to]
