"""Queue mail with the change (`enqueue`) and deliver it after the commit (`deliver_pending`).

`enqueue` only adds a row: if the transaction rolls back, no mail exists. Delivery claims
each row with a guarded UPDATE, so two processes never send the same message, and a
failing SMTP server leaves the row for the next `tick` (nothing is lost, the user's
action never fails because of mail).
"""
from __future__ import annotations

import logging
import smtplib
import socket
from datetime import timedelta

from flask import Flask, current_app, g, has_request_context, render_template
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import or_, select, update

from portal import clock
from portal.db.tenancy import system_scope
from portal.extensions import db
from portal.mail.models import OutboxMessage

log = logging.getLogger(__name__)
CLAIM_TIMEOUT = timedelta(minutes=5)
MAX_ATTEMPTS = 30


def enqueue(to_email: str, kind: str, subject: str, **context) -> OutboxMessage:
    """Render templates/emails/<kind>.txt (and .html) and add the message to the outbox."""
    context.setdefault("base_url", current_app.config["BASE_URL"].rstrip("/"))
    text = render_template(f"emails/{kind}.txt", subject=subject, **context)
    try:
        html = render_template(f"emails/{kind}.html", subject=subject, **context)
    except Exception:  # noqa: BLE001 - an HTML part is optional
        html = None
    subject = " ".join(subject.split())  # a header: no line breaks, whatever a title contained
    msg = OutboxMessage(to_email=to_email, kind=kind, subject=subject, text_body=text, html_body=html)
    db.session.add(msg)
    db.session.flush()
    if has_request_context():
        g.setdefault("outbox_ids", []).append(msg.id)
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


def _backoff(attempts: int) -> timedelta:
    """Wait 1, 2, 4 … minutes between tries, at most an hour: ~30 tries span a day."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


#: Errors that mean the server itself is unreachable: the other messages would fail the same way.
_SERVER_DOWN = (ConnectionError, TimeoutError, socket.gaierror, smtplib.SMTPServerDisconnected,
                smtplib.SMTPConnectError)


def deliver_pending(limit: int = 100, ids: list[int] | None = None) -> int:
    """Send what the outbox holds (only `ids` when given); returns how many were sent.

    Safe to run concurrently (each message is claimed first). A failed message waits with a
    growing back-off; when the server is unreachable the run stops at once instead of waiting out
    a timeout per message. A message is given up (and logged as an error) after MAX_ATTEMPTS.
    """
    sent = 0
    now = clock.now()
    with system_scope("deliver outbox"):
        stmt = (select(OutboxMessage.id)
                .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS,
                       or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))
                .order_by(OutboxMessage.id).limit(limit))
        if ids is not None:
            stmt = stmt.where(OutboxMessage.id.in_(ids))
        for msg_id in list(db.session.scalars(stmt)):
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
                msg.last_error = str(exc)[:500]
                msg.claimed_at = None
                msg.next_attempt_at = clock.now() + _backoff(msg.attempts)
                db.session.commit()
                if msg.attempts >= MAX_ATTEMPTS:
                    log.error("mail %s to %s given up after %s attempts: %s", msg.id, msg.to_email, msg.attempts, exc)
                else:
                    log.warning("mail %s to %s failed (attempt %s): %s", msg.id, msg.to_email, msg.attempts, exc)
                if isinstance(exc, _SERVER_DOWN):
                    break
                continue
            msg.sent_at = clock.now()
            msg.last_error = None
            db.session.commit()
            sent += 1
    return sent


def deliver_after_commit(ids: list[int] | None = None) -> None:
    """Best-effort delivery once a request committed; `tick` retries failures. Never raises."""
    try:
        deliver_pending(limit=20, ids=ids)
    except Exception:  # noqa: BLE001 - never fail the user's (already committed) action
        log.exception("outbox delivery failed; tick will retry")
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001
            log.exception("rollback after a failed delivery failed")


def init_delivery(app: Flask) -> None:
    """Deliver the messages a successful request queued once its response has gone out (the person
    never waits for SMTP). Only those messages: a backlog is `tick`'s work. A failed request (4xx,
    5xx) rolled back, so it has nothing to send."""

    @app.after_request
    def _deliver_when_closed(response):
        ids = g.pop("outbox_ids", None)
        if ids and response.status_code < 400 and not app.config.get("MAIL_DEFER_TO_TICK"):
            def deliver():
                try:
                    with app.app_context():
                        deliver_after_commit(ids)
                except Exception:  # noqa: BLE001 - nothing may reach the server's close()
                    log.exception("delivery after the response failed; tick will retry")
            response.call_on_close(deliver)
        return response
