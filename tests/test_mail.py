"""The outbox: mail follows the commit, a failing server delays mail but loses none."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal import clock
from portal.db.tenancy import system_scope
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.tick import tick
from tests.conftest import sent_to


def _pending():
    with system_scope("test"):
        return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))))


def test_unreachable_smtp_server_fails_no_action_and_loses_no_mail(app, world, as_user, outbox):
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=9, MAIL_USE_TLS=False, MAIL_TIMEOUT=2)
    app.extensions["mailman"].backend = "smtp"
    resp = as_user("nadia").post(f"/staff/organisations/{world.oid('acme')}/invite",
                                 {"name": "Queued Person", "email": "queued@acme.example", "role": "hiring_manager"})
    assert resp.status_code == 302  # the invitation itself succeeded
    [msg] = _pending()
    assert msg.to_email == "queued@acme.example" and msg.attempts == 1 and msg.last_error
    # the server comes back: the next tick after the back-off delivers it, once
    app.extensions["mailman"].backend = "locmem"
    clock.freeze(clock.now() + timedelta(minutes=2))
    with system_scope("tick"):
        assert tick()["mail_sent"] == 1
        assert tick()["mail_sent"] == 0
    assert len(sent_to(outbox, "queued@acme.example")) == 1
    assert _pending() == []


def test_a_claimed_message_is_not_sent_twice(app, world, as_user, outbox):
    from portal.mail.services import _claim, enqueue

    with system_scope("test"), app.test_request_context():
        msg = enqueue("x@acme.example", "password_reset", "Reset", name="X", hours=2, link="/x")
        db.session.commit()
        assert _claim(msg.id) is True
        assert _claim(msg.id) is False  # another worker holds it


def test_an_unreachable_server_stops_the_run_at_the_first_message_and_backs_off(app, world):
    """Ten queued messages and a server that refuses: one attempt, not ten timeouts in a row; each
    failure waits longer before the next try, and nothing is given up for a day's outage."""
    from portal.mail.services import MAX_ATTEMPTS, _backoff, deliver_pending, enqueue

    with system_scope("test"), app.test_request_context():
        for i in range(10):
            enqueue(f"p{i}@acme.example", "password_reset", "Reset\nyour password", name="P", hours=2, link="/x")
        db.session.commit()
    mailman = app.extensions["mailman"]
    saved = (mailman.backend, mailman.server, mailman.port, mailman.timeout)
    mailman.backend, mailman.server, mailman.port, mailman.timeout = "smtp", "127.0.0.1", 9, 2
    try:
        assert deliver_pending() == 0
    finally:
        mailman.backend, mailman.server, mailman.port, mailman.timeout = saved
    rows = _pending()
    assert sorted(m.attempts for m in rows) == [0] * 9 + [1]
    assert all(m.subject == "Reset your password" for m in rows)  # a header never carries a line break
    tried = next(m for m in rows if m.attempts == 1)
    assert tried.next_attempt_at > clock.now()
    assert sum((_backoff(n) for n in range(1, MAX_ATTEMPTS + 1)), timedelta()) > timedelta(hours=24)
