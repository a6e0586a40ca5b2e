"""Reads of the signed-in person's notifications (always filtered on the recipient)."""
from __future__ import annotations

from sqlalchemy import case, func, select

from portal.db.tenancy import self_scoped
from portal.extensions import db
from portal.notifications.models import Notification

PAGE_SIZE = 25


def header_state(user) -> tuple[int, int, int]:
    """(unread count, newest notification id, newest visible event id) in one query: what every
    page's header badge and live cursor show. Each part carries the scope's own criteria."""
    from portal.db.tenancy import current_scope, scope_criteria
    from portal.events.models import Event

    scope = current_scope()
    mine = [Notification.user_id == user.id, *scope_criteria(Notification, scope)]
    unread = select(func.count(Notification.id)).where(*mine, Notification.read_at.is_(None)).scalar_subquery()
    newest = select(func.max(Notification.id)).where(*mine).scalar_subquery()
    cursor = select(func.max(Event.id)).where(*scope_criteria(Event, scope)).scalar_subquery()
    row = db.session.execute(select(unread, newest, cursor).execution_options(tenancy_applied=True)).one()
    return row[0] or 0, row[1] or 0, row[2] or 0


def unread_state(user) -> tuple[int, int]:
    """(unread count, newest notification id) in one query: the badge and its live fingerprint."""
    count, newest = db.session.execute(self_scoped(
        select(func.count(Notification.id).filter(Notification.read_at.is_(None)),
               func.max(Notification.id)).where(Notification.user_id == user.id), Notification)).one()
    return count or 0, newest or 0


def page(user, *, unread_only: bool, number: int) -> tuple[list[Notification], int]:
    """Unread first, then newest first; returns (rows of the page, total)."""
    where = [Notification.user_id == user.id]
    if unread_only:
        where.append(Notification.read_at.is_(None))
    total = db.session.scalar(select(func.count()).select_from(Notification).where(*where)) or 0
    unread_first = case((Notification.read_at.is_(None), 0), else_=1)
    rows = list(db.session.scalars(select(Notification).where(*where)
                                   .order_by(unread_first, Notification.id.desc())
                                   .limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)))
    return rows, total


def own(user, notification_id: int) -> Notification | None:
    """One of the person's own notifications (None for anyone else's: the view answers 404)."""
    return db.session.scalar(select(Notification).where(Notification.id == notification_id,
                                                        Notification.user_id == user.id))
