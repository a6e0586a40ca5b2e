"""PostgreSQL: a request that only read ends with COMMIT (so psycopg keeps its prepared statements);
anything that wrote, holds unflushed changes or failed still ends with the rollback."""
from __future__ import annotations

import pytest
from sqlalchemy import event, select, update

from portal.accounts.models import Organisation
from portal.db.statements import _end_read_only
from portal.db.tenancy import system_scope
from portal.extensions import db
from tests.conftest import is_postgres

pytestmark = pytest.mark.skipif(not is_postgres(), reason="PostgreSQL only (psycopg's prepared statements)")


def _name(org_id: int) -> str:
    with system_scope("test read"):
        return db.session.scalar(select(Organisation.name).where(Organisation.id == org_id))


def test_a_transaction_that_only_read_is_committed(app, world):
    db.session.commit()  # a fresh transaction
    with system_scope("test"):
        db.session.execute(select(Organisation.id)).all()
    assert db.session().in_transaction()
    _end_read_only(None)
    assert not db.session().in_transaction()


def test_a_transaction_that_wrote_is_left_to_the_rollback(app, world):
    acme = world.oid("acme")
    before = _name(acme)
    with system_scope("test"):
        db.session.execute(update(Organisation).where(Organisation.id == acme).values(name="Half written"))
    _end_read_only(None)
    assert db.session().in_transaction()
    db.session.rollback()
    assert _name(acme) == before


def test_unflushed_changes_and_failed_requests_are_left_to_the_rollback(app, world):
    acme = world.oid("acme")
    before = _name(acme)
    with system_scope("test"):
        org = db.session.get(Organisation, acme)
        org.name = "Not flushed"
        _end_read_only(None)
        assert db.session().in_transaction()
        db.session.rollback()
        assert _name(acme) == before
        db.session.commit()
        db.session.execute(select(Organisation.id)).all()
    _end_read_only(RuntimeError("the view failed"))
    assert db.session().in_transaction()


def test_a_page_view_ends_with_commit(app, world, as_user):
    """Through a real request (in its own application context, as a server runs it): the page view's
    transaction commits instead of rolling back."""
    ends: list[str] = []
    listeners = {"commit": lambda conn: ends.append("commit"), "rollback": lambda conn: ends.append("rollback")}
    hana = as_user("hana")
    for name, fn in listeners.items():
        event.listen(db.engine, name, fn)
    try:
        assert hana.get("/client/").status_code == 200
    finally:
        for name, fn in listeners.items():
            event.remove(db.engine, name, fn)
    assert ends and ends[0] == "commit"


def _prepared_here(conn, marker: str) -> bool:
    return bool(conn.exec_driver_sql(
        "SELECT 1 FROM pg_prepared_statements WHERE statement LIKE %(m)s", {"m": f"%{marker}%"}).first())


def test_unprepared_statements_are_planned_afresh_every_time(app, world):
    """`statements.unprepared`: psycopg never prepares such a statement on the server, however often
    it runs (so PostgreSQL never switches it to a generic plan); an ordinary one is prepared."""
    from sqlalchemy import literal_column

    from portal.db.statements import unprepared

    with system_scope("test"):
        conn = db.session.connection()
        plain = select(Organisation.id, literal_column("'plain marker'"))
        kept = unprepared(select(Organisation.id, literal_column("'unprepared marker'")))
        for _ in range(8):
            db.session.execute(plain).all()
            db.session.execute(kept).all()
        assert _prepared_here(conn, "plain marker"), "an ordinary statement run 8 times is prepared"
        assert not _prepared_here(conn, "unprepared marker")
        assert db.session.execute(kept).all() == db.session.execute(plain.with_only_columns(
            Organisation.id, literal_column("'unprepared marker'"))).all()  # same rows either way
