"""The orphan sweeper: delete stored files that no row refers to, once they are an hour old.

A file is written before the row that records it (see `storage.stage`); if the process dies
between the two, the file has no row. Domains name the columns that hold storage keys with
`owned_by(Model.storage_key)`; the `tick` runs `sweep_orphans` under its system scope.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, union_all

from portal import clock
from portal.extensions import db
from portal.files.storage import get_storage
from portal.tick import rule

#: Columns holding storage keys; a stored file named in none of them is an orphan.
OWNERS: list = []

GRACE = timedelta(hours=1)
_BATCH = 500


def owned_by(column) -> None:
    """Register a column whose values are storage keys (call at import time)."""
    if column not in OWNERS:
        OWNERS.append(column)


def _delete_unreferenced(keys: list[str]) -> int:
    store = get_storage()
    selects = [select(col).where(col.in_(keys)) for col in OWNERS]
    referenced: set[str] = set()
    if selects:
        stmt = selects[0] if len(selects) == 1 else union_all(*selects)
        referenced = set(db.session.scalars(stmt))
    removed = 0
    for key in keys:
        if key not in referenced:
            store.delete(key)
            removed += 1
    return removed


@rule
def sweep_orphans() -> int:
    """Delete files older than an hour that no row refers to; returns how many were deleted."""
    cutoff = clock.now() - GRACE
    removed, batch = 0, []
    for key in get_storage().keys_older_than(cutoff):
        batch.append(key)
        if len(batch) >= _BATCH:
            removed += _delete_unreferenced(batch)
            batch = []
    if batch:
        removed += _delete_unreferenced(batch)
    return removed
