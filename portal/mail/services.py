"""Queue mail with the change (`enqueue`) and deliver it after the commit (`deliver_pending`).

`enqueue` only adds a row: if the transaction rolls back, no mail exists. Delivery claims
each row with a guarded UPDATE, so two processes never send the same message, and a
failing SMTP server leaves the row for the next `tick` (nothing is lost, the user's
action never fails because of mail).
"""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app, render_template
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import or_, select, update

from portal import clock
from portal.db.tenancy import system_scope
from portal.extensions import db
from portal.mail.models import OutboxMessage

log = logging.getLogger(__name__)
CLAIM_TIMEOUT = timedelta(minutes=5)
MAX_ATTEMPTS = 20


def enqueue(to_email: str, kind: str, subject: str, **context) -> OutboxMessage:
    """Render templates/emails/<kind>.txt (and .html) and add the message to the outbox."""
    context.setdefault("base_url", current_app.config["BASE_URL"].rstrip("/"))
    text = render_template(f"emails/{kind}.txt", subject=subject, **context)
    try:
        html = render_template(f"emails/{kind}.html", subject=subject, **context)
    except Exception:  # noqa: BLE001 - an HTML part is optional
        html = None
    msg = OutboxMessage(to_email=to_email, kind=kind, subject=subject, text_body=text, html_body=html)
    db.session.add(msg)
    db.session.flush()
    return msg


def _claim(msg_id: int) -> bool:
    now = clock.now()
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == msg_id,
            OutboxMessage.sent_at.is_(None),
            or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < now - CLAIM_TIMEOUT),
        )
        .values(claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def deliver_pending(limit: int = 100) -> int:
    """Send what the outbox holds; returns how many were sent. Safe to run concurrently."""
    sent = 0
    with system_scope("deliver outbox"):
        ids = list(
            db.session.scalars(
                select(OutboxMessage.id)
                .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
                .order_by(OutboxMessage.id)
                .limit(limit)
            )
        )
        for msg_id in ids:
            if not _claim(msg_id):
                continue
            msg = db.session.get(OutboxMessage, msg_id)
            try:
                email = EmailMultiAlternatives(
                    subject=msg.subject,
                    body=msg.text_body,
                    from_email=current_app.config["MAIL_DEFAULT_SENDER"],
                    to=[msg.to_email],
                )
                if msg.html_body:
                    email.attach_alternative(msg.html_body, "text/html")
                email.send()
            except Exception as exc:  # noqa: BLE001 - any delivery failure is retried later
                log.warning("mail %s to %s failed: %s", msg.id, msg.to_email, exc)
                msg.last_error = str(exc)[:500]
                msg.claimed_at = None
                db.session.commit()
                continue
            msg.sent_at = clock.now()
            msg.last_error = None
            db.session.commit()
            sent += 1
    return sent


def deliver_after_commit() -> None:
    """Best-effort immediate delivery after a request committed; `tick` retries failures."""
    try:
        deliver_pending(limit=20)
    except Exception:  # noqa: BLE001 - never fail the user's (already committed) action
        log.exception("outbox delivery failed; tick will retry")
        db.session.rollback()
