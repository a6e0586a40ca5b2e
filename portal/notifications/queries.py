"""Reads of the signed-in person's notifications (always filtered on the recipient)."""
from __future__ import annotations

from sqlalchemy import case, func, select

from portal.db.tenancy import self_scoped
from portal.extensions import db
from portal.notifications.models import Notification

PAGE_SIZE = 25


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
