"""Fast bulk inserts for the scale seeder (`seed-demo --scale`): COPY on PostgreSQL, executemany elsewhere.

Only for demo and benchmark data written under a system scope: rows skip the ORM (no events are
recorded for them by the services; the seeder writes their events itself, in bulk too).
"""
from __future__ import annotations

import json
from typing import Iterable

from sqlalchemy import insert, text

from portal.extensions import db


def _column_defaults(table, keys: set[str]) -> dict:
    """Python-side defaults (`default=utcnow`, `default=dict`) of the columns the rows leave out."""
    out = {}
    for column in table.columns:
        if column.name in keys or column.name == "id" or column.default is None:
            continue
        default = column.default
        if default.is_scalar:
            out[column.name] = default.arg
        elif default.is_callable:
            out[column.name] = default.arg(None)
    return out


def bulk_insert(model, rows: list[dict], batch: int = 20_000) -> list[int]:
    """Insert `rows` (dicts of column values) and return their new ids, in the order given."""
    if not rows:
        return []
    table = model.__table__
    keys = list(rows[0])
    defaults = _column_defaults(table, set(keys))
    conn = db.session.connection()
    if conn.dialect.name != "postgresql":
        filled = [{**defaults, **row} for row in rows]
        ids: list[int] = []
        for start in range(0, len(filled), batch):
            result = conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True),
                                  filled[start:start + batch])
            ids.extend(result.scalars())
        return ids
    ids = list(conn.execute(text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
                            {"t": table.name, "n": len(rows)}).scalars())
    json_columns = {c.name for c in table.columns if c.type.__class__.__name__ in ("JSON", "JSONB")}
    columns = ["id", *keys, *defaults]
    copy_sql = 'COPY "{}" ({}) FROM STDIN'.format(table.name, ", ".join(f'"{c}"' for c in columns))
    cursor = conn.connection.driver_connection.cursor()
    try:
        for start in range(0, len(rows), batch):
            with cursor.copy(copy_sql) as copy:
                for row_id, row in zip(ids[start:start + batch], rows[start:start + batch]):
                    values = [row_id, *(row[k] for k in keys), *defaults.values()]
                    copy.write_row(_jsonify(values, columns, json_columns) if json_columns else values)
    finally:
        cursor.close()
    return ids


def _jsonify(values: list, columns: list[str], json_columns: set[str]) -> list:
    return [json.dumps(v) if c in json_columns and v is not None else v for v, c in zip(values, columns)]


def analyze(tables: Iterable[str]) -> None:
    """Refresh the planner's statistics after a bulk load (PostgreSQL; a no-op elsewhere)."""
    conn = db.session.connection()
    if conn.dialect.name == "postgresql":
        for name in tables:
            conn.execute(text(f'ANALYZE "{name}"'))
