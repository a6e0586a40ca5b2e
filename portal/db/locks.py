"""Write locks for services whose invariants need writers to queue (counters, caps, round-robin).

On SQLite a transaction starts with a read lock and fails, rather than waits, when it later needs
to write while another writer holds the lock; taking the write lock first (BEGIN IMMEDIATE) makes
concurrent writers queue on the busy timeout instead. PostgreSQL needs nothing here: those
services lock the rows they depend on (`SELECT … FOR UPDATE`).
"""
from __future__ import annotations

from functools import wraps

from portal.extensions import db


def begin_write() -> None:
    """Take SQLite's write lock now, unless this transaction already began (a no-op on PostgreSQL)."""
    conn = db.session.connection()
    if conn.dialect.name == "sqlite":
        raw = conn.connection.dbapi_connection
        if not raw.in_transaction:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def writes(fn):
    """Decorate a service that writes: it takes the write lock first (see `begin_write`)."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        begin_write()
        return fn(*args, **kwargs)

    return wrapper
