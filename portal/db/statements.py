"""Keep PostgreSQL's prepared statements across requests: a request that only read ends with COMMIT.

psycopg prepares a statement on the server once it has run it five times on a connection, and
PostgreSQL then stops planning it again on every execution (its generic plan). But psycopg
forgets every prepared statement on ROLLBACK, and a request's transaction normally ends with one
(Flask-SQLAlchemy closes the session, which rolls back): every page view planned each of its
statements afresh. Planning a list's six-way join took ~9 ms at the benchmark's scale 100,
longer than running it (~2 ms).

So, on PostgreSQL only, a request whose transaction read and never wrote is committed at the end
of the request instead — for a transaction that changed nothing, COMMIT and ROLLBACK are the same.
A transaction that wrote anything (any statement other than a SELECT went to the server) or holds
unflushed ORM changes, and a request that failed, still end with the rollback, exactly as before:
services commit their own writes, and a refusal's half-done work is never kept.

`written(n)`: the lists' LIMIT and OFFSET as numbers in the SQL, so that PostgreSQL can keep a
generic plan for them; `unprepared(stmt)`: the opposite, for statements whose generic plan is a
gamble (see each one's note).
"""
from __future__ import annotations

from flask import Flask
from sqlalchemy import Integer, bindparam, event

from portal.extensions import db

_WROTE = "portal_wrote"


def _note_write(conn, cursor, statement, parameters, context, executemany) -> None:
    if statement.lstrip()[:6].upper() != "SELECT":
        conn.info[_WROTE] = True


def _new_transaction(conn) -> None:
    conn.info[_WROTE] = False


def _end_read_only(exc) -> None:
    """Teardown: commit the request's transaction when it only read (see the module's note)."""
    if exc is not None or not db.session.registry.has():
        return
    session = db.session()
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return
    try:
        conn = session.connection()
        if conn.dialect.name != "postgresql" or conn.info.get(_WROTE, True):
            return
        session.commit()
    except Exception:  # noqa: BLE001 - the usual rollback follows in Flask-SQLAlchemy's teardown
        return


def written(value: int | str):
    """A LIMIT or OFFSET written into the SQL as a number rather than sent as a parameter (or a
    value from a short fixed list, such as a job order status, that decides the plan).

    For a list's "the 25 newest …" statements. A prepared statement's generic plan does not know
    a parameter's value, and for `LIMIT $1` PostgreSQL assumes a tenth of the rows will be read: the
    generic plan looked far costlier than the custom one, so each execution was planned afresh
    (~3-5 ms a statement at the benchmark's scale 100, to run one of 0.5 ms). Given the number,
    the generic plan is the custom one and is kept. Not for every statement: where the other
    parameters decide the plan (a supplier's job list, the worklists), the generic plan that knows
    the limit was the worse one; each use was measured (docs/performance.md). SQLAlchemy still
    compiles the statement once and writes the number in at execution time."""
    if isinstance(value, int):
        return bindparam(None, int(value), type_=Integer, literal_execute=True)
    return bindparam(None, str(value), literal_execute=True)


def unprepared(stmt):
    """`stmt`, never prepared on the server: PostgreSQL plans it for its own values every time.

    For the SLA worklists (coverage board, dashboards): six selections against per-client targets
    and the current time in one statement. Prepared, PostgreSQL soon switches such a statement to a
    generic plan, which does not know the times or the clients, and that plan is only as good as
    the indexes happen to make it: it took 70 ms instead of 2 once an unrelated index on job_order
    existed (and 108 ms in session 4, with the client ids as one array). Planned afresh, the
    statement costs a steady ~2 ms more and can never turn into that."""
    return stmt.execution_options(portal_unprepared=True)


def _do_execute(cursor, statement, parameters, context) -> bool | None:
    if context.execution_options.get("portal_unprepared"):
        cursor.execute(statement, parameters, prepare=False)
        return True
    return None


def init_statements(app: Flask) -> None:
    """Register the write detector on the app's engine and the teardown that commits read-only requests.

    Call after `db.init_app` (Flask runs teardown functions newest first, so this one runs before
    Flask-SQLAlchemy's, which closes the session)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        return
    if not event.contains(engine, "before_cursor_execute", _note_write):
        event.listen(engine, "before_cursor_execute", _note_write)
        event.listen(engine, "begin", _new_transaction)
        event.listen(engine, "do_execute", _do_execute)
    app.teardown_appcontext(_end_read_only)
