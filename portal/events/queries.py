"""Reads of the event log, always through the tenancy scope of the caller."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.db.tenancy import self_scoped
from portal.events.models import Event
from portal.extensions import db


def event_page(*, verb_prefix: str | None = None, before_id: int | None = None, limit: int = 50):
    """Newest events first, keyset-paginated by id; returns (rows, next_before_id)."""
    stmt = select(Event).options(joinedload(Event.actor)).order_by(Event.id.desc())
    if verb_prefix:
        stmt = stmt.where(Event.verb.startswith(verb_prefix, autoescape=True))
    if before_id:
        stmt = stmt.where(Event.id < before_id)
    rows = list(db.session.scalars(stmt.limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


def recent(limit: int = 10):
    """The newest events the viewer may see, as (id, occurred_at, summary) rows: the dashboards'
    "Recent activity" shows when and what only, so neither the actor nor the event's data is loaded
    (the full `event_page` loaded each event with its actor and the actor's organisation)."""
    stmt = select(Event.id, Event.occurred_at, Event.summary).order_by(Event.id.desc()).limit(limit)
    return db.session.execute(self_scoped(stmt, Event)).all()
