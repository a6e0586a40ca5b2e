"""Reads of the event log for live updates, through the viewer's tenancy scope."""
from __future__ import annotations

from sqlalchemy import select

from portal.db.tenancy import self_scoped
from portal.events.models import Event
from portal.extensions import db

MAX_BATCH = 500


def verbs_since(after: int) -> tuple[list[str], int]:
    """Verbs of the events visible to the viewer after `after`, and the new cursor."""
    rows = db.session.execute(self_scoped(
        select(Event.id, Event.verb).where(Event.id > after).order_by(Event.id).limit(MAX_BATCH), Event)).all()
    if not rows:
        return [], after
    return [verb for _, verb in rows], rows[-1][0]


def trigger_names(verbs: list[str]) -> list[str]:
    """Event names announced to the page: `<domain>-changed` per domain, plus `live-changed`.

    Names only: the data itself is re-fetched by each region through its normal, scoped view.
    """
    names = sorted({f"{verb.split('.', 1)[0]}-changed" for verb in verbs})
    return names + ["live-changed"] if names else []
