"""Record events in the same transaction as the change they describe.

Any service may call `record()`; it only adds and flushes, the request commits.
"""
from __future__ import annotations

from typing import Any

from portal.accounts.models import OrgKind, Organisation, User
from portal.events.models import Event
from portal.extensions import db

#: Called with each recorded event, in the same transaction (notifications fan out from here).
LISTENERS: list = []


def party_columns(org: Organisation | None) -> dict[str, int | None]:
    """The client_org_id / supplier_org_id stamp for an event about `org`."""
    if org is None:
        return {}
    if org.kind == OrgKind.CLIENT:
        return {"client_org_id": org.id}
    if org.kind == OrgKind.SUPPLIER:
        return {"supplier_org_id": org.id}
    return {}


def _unproxy(obj):
    """current_user is a proxy; the event wants the user object itself."""
    getter = getattr(obj, "_get_current_object", None)
    return getter() if getter is not None else obj


def record(
    actor: User | None,
    verb: str,
    subject: Any,
    summary: str,
    *,
    client_org_id: int | None = None,
    supplier_org_id: int | None = None,
    internal: bool = False,
    data: dict | None = None,
) -> Event:
    """Append one event. `subject` is a mapped object with an `id` (flushed first if new)."""
    subject = _unproxy(subject)
    actor = _unproxy(actor)
    if getattr(subject, "id", None) is None:
        db.session.flush()
    ev = Event(
        verb=verb,
        actor_user_id=actor.id if actor is not None else None,
        actor_org_id=actor.org_id if actor is not None else None,
        subject_type=type(subject).__tablename__,
        subject_id=subject.id,
        client_org_id=client_org_id,
        supplier_org_id=supplier_org_id,
        internal=internal,
        summary=summary[:500],
        data=data or {},
    )
    db.session.add(ev)
    db.session.flush()
    for listener in LISTENERS:
        listener(ev)
    return ev
