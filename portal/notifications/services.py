"""Create notifications and queue their e-mail; mark them read; send daily digests.

`notify` runs inside the transaction of the change it announces (it only adds rows): if that
rolls back, no notification and no mail exist. E-mail goes through the outbox, delivered after
the commit and retried by `tick`. Callers pass only people of the parties the event is stamped
with, so a notification never tells someone what their party may not see.
"""
from __future__ import annotations

import secrets
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, time, timedelta
from typing import Iterable

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from portal import clock
from portal.accounts.models import User, UserStatus
from portal.db.tenancy import system_scope
from portal.events.models import Event
from portal.extensions import db
from portal.mail.services import enqueue
from portal.notifications.kinds import KINDS, Delivery, Kind
from portal.notifications.models import Notification, NotificationPreference
from portal.tick import rule


_QUIET: ContextVar[bool] = ContextVar("notifications_without_email", default=False)


@contextmanager
def without_email():
    """Create notifications but send no e-mail (demo seeding: its history mails nobody)."""
    token = _QUIET.set(True)
    try:
        yield
    finally:
        _QUIET.reset(token)


def _unproxy(user):
    getter = getattr(user, "_get_current_object", None)
    return getter() if getter is not None else user


def preferences(user: User) -> dict[str, Delivery]:
    """The person's delivery for every kind of their portal (defaults filled in)."""
    with system_scope("notification preferences"):
        rows = dict(db.session.execute(select(NotificationPreference.kind, NotificationPreference.delivery)
                                       .where(NotificationPreference.user_id == user.id)).all())
    return {k.key: Delivery(rows.get(k.key, k.default.value)) for k in KINDS.values() if user.portal in k.portals}


def set_preferences(user: User, choices: dict[str, str]) -> int:
    """Store the person's choices (known kinds of their portal only); returns how many changed."""
    user = _unproxy(user)
    current = preferences(user)
    changed = 0
    with system_scope("notification preferences"):
        existing = {p.kind: p for p in db.session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
        for key, value in choices.items():
            if key not in current or value not in Delivery.__members__.values():
                continue
            if current[key].value == value:
                continue
            row = existing.get(key)
            if row is None:
                db.session.add(NotificationPreference(user_id=user.id, org_id=user.org_id, kind=key, delivery=value))
            else:
                row.delivery = value
            changed += 1
        db.session.flush()
    if changed:
        from portal.events.services import party_columns, record

        record(user, "user.notification_settings_changed", user,
               f"{user.name} changed {changed} notification setting{'s' if changed != 1 else ''}",
               **party_columns(user.org), data={"changed": changed})
    return changed


def notify(recipients: Iterable[User], kind: Kind, title: str, link: str, *, event: Event,
           key: str | None = None, body: str | None = None) -> int:
    """Notify each active recipient once per `key` (default: the event) and queue mail by preference.

    The actor of the event is never notified of their own action. Returns how many were created.
    """
    if kind.key not in KINDS:
        raise ValueError(f"unknown notification kind {kind.key!r}")
    key = key or f"event:{event.id}"
    body = (body or event.summary)[:500]
    created = 0
    seen: set[int] = set()
    with system_scope("notify"):
        for user in recipients:
            user = _unproxy(user)
            if user is None or user.id in seen or user.id == event.actor_user_id:
                continue
            seen.add(user.id)
            if user.status != UserStatus.ACTIVE.value or user.portal not in kind.portals:
                continue
            delivery = preferences(user)[kind.key]
            row = Notification(user_id=user.id, org_id=user.org_id, kind=kind.key, title=title[:300], body=body,
                               link=link[:500], event_id=event.id, key=key[:120], delivery=delivery.value,
                               created_at=event.occurred_at or clock.now())
            try:
                with db.session.begin_nested():
                    db.session.add(row)
            except IntegrityError:  # already told (same key): once is enough
                continue
            if _QUIET.get():
                row.emailed_at = clock.now()
            elif delivery == Delivery.IMMEDIATE:
                enqueue(user.email, "notification", title[:250], name=user.name, title=title, body=body,
                        link=link, kind_label=kind.label)
                row.emailed_at = clock.now()
            created += 1
        db.session.flush()
    return created


# --- reading and marking -------------------------------------------------------------------------

def mark_read(user: User, notification: Notification) -> bool:
    """Mark one of the person's notifications read; False when it already was."""
    result = db.session.execute(
        update(Notification).where(Notification.id == notification.id, Notification.user_id == user.id,
                                   Notification.read_at.is_(None))
        .values(read_at=clock.now()).execution_options(synchronize_session=False))
    db.session.expire(notification)
    return result.rowcount == 1


def mark_all_read(user: User, up_to_id: int | None = None) -> int:
    """Mark every unread notification of the person read (up to the newest they were shown)."""
    stmt = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if up_to_id is not None:
        stmt = stmt.where(Notification.id <= up_to_id)
    result = db.session.execute(stmt.values(read_at=clock.now()).execution_options(synchronize_session=False))
    return result.rowcount


# --- daily digests -------------------------------------------------------------------------------

def digest_cutoff(now: datetime) -> datetime:
    """The newest moment a digest sent at `now` covers: today's digest hour, or yesterday's before it."""
    hour = int(current_app.config.get("DIGEST_HOUR", 7))
    cutoff = datetime.combine(now.date(), time(hour=hour), tzinfo=now.tzinfo)
    return cutoff if now >= cutoff else cutoff - timedelta(days=1)


@rule
def send_digests() -> int:
    """Queue one digest per person holding digest notifications older than today's cutoff.

    Each person's rows are claimed by one guarded UPDATE tagged with a fresh batch id, then read
    back by that id: two runners never put a notification in two digests. Returns digests queued.
    """
    now = clock.now()
    cutoff = digest_cutoff(now)
    sent = 0
    with system_scope("send digests"):
        user_ids = list(db.session.scalars(
            select(Notification.user_id).where(Notification.delivery == Delivery.DIGEST.value,
                                               Notification.emailed_at.is_(None),
                                               Notification.created_at <= cutoff).distinct()))
        for user_id in user_ids:
            batch = secrets.token_hex(16)
            db.session.execute(
                update(Notification).where(Notification.user_id == user_id,
                                           Notification.delivery == Delivery.DIGEST.value,
                                           Notification.emailed_at.is_(None), Notification.created_at <= cutoff)
                .values(emailed_at=now, digest_batch=batch).execution_options(synchronize_session=False))
            rows = list(db.session.scalars(select(Notification).where(Notification.digest_batch == batch)
                                           .order_by(Notification.id)))
            user = db.session.get(User, user_id)
            if user is not None:  # a kind switched off since it was created stays out of the digest
                now_off = {k for k, d in preferences(user).items() if d == Delivery.OFF}
                rows = [r for r in rows if r.kind not in now_off]
            if rows and user is not None and user.status == UserStatus.ACTIVE.value:
                enqueue(user.email, "digest", f"Your daily summary: {len(rows)} update{'s' if len(rows) != 1 else ''}",
                        name=user.name, rows=rows, kinds=KINDS)
                sent += 1
            db.session.commit()
    return sent
