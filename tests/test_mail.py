"""The outbox: mail follows the commit, a failing server delays mail but loses none."""
from __future__ import annotations

from sqlalchemy import select

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
    # the server comes back: the next tick delivers it, once
    app.extensions["mailman"].backend = "locmem"
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
