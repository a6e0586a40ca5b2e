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
