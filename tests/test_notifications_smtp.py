"""Notification e-mail against a real local SMTP server (aiosmtpd): each message arrives exactly once,
and while the server is down the actions still succeed and the mail waits in the outbox for `tick`."""
from __future__ import annotations

import socket
from datetime import timedelta
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller

from portal import clock

from portal.db.tenancy import system_scope
from portal.tick import tick
from tests.test_review_support import job_with_candidates, prefixed


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 Message accepted"

    def to(self, address: str, subject_part: str) -> list:
        return [m for rcpt, m in self.messages if address in rcpt and subject_part in m["Subject"]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(app):
    """The portal pointed at a local SMTP server on a free port; `start()` / `stop()` it at will."""
    inbox = Inbox()
    port = _free_port()
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False,
                      MAIL_USE_SSL=False, MAIL_TIMEOUT=3)
    mailman = app.extensions["mailman"]  # Flask-Mailman copies the settings at init_app: set them there
    saved = {k: getattr(mailman, k) for k in ("backend", "server", "port", "use_tls", "use_ssl", "timeout")}
    mailman.backend, mailman.server, mailman.port, mailman.use_tls, mailman.use_ssl, mailman.timeout = (
        "smtp", "127.0.0.1", port, False, False, 3)
    state = {"controller": None}

    def start():
        state["controller"] = Controller(inbox, hostname="127.0.0.1", port=port)
        state["controller"].start()

    def stop():
        if state["controller"] is not None:
            state["controller"].stop()
            state["controller"] = None

    inbox.start, inbox.stop = start, stop
    start()
    yield inbox
    stop()
    for key, value in saved.items():
        setattr(mailman, key, value)


def test_each_notification_mail_reaches_the_smtp_server_exactly_once(world, as_user, smtp):
    job, (a, b) = job_with_candidates(world, 2)
    smtp.messages.clear()  # the forwarding mails of the set-up are not what this test counts
    hana = as_user("hana")
    assert hana.post(f"/client/submissions/{a.id}/shortlist", prefixed("shortlist", a.id)).status_code == 303
    assert hana.post(f"/client/submissions/{b.id}/reject", prefixed("reject", b.id, reason="rate")).status_code == 303
    with system_scope("tick"):
        tick()
        tick()
    [shortlisted] = smtp.to("sam@talentco.example", "shortlisted")
    [rejected] = smtp.to("sam@talentco.example", "not retained")
    assert shortlisted.is_multipart()
    parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in shortlisted.walk()
             if not p.is_multipart()}
    assert set(parts) == {"text/plain", "text/html"}
    assert f"/supplier/submissions/{a.id}" in parts["text/plain"] and f"/supplier/submissions/{a.id}" in parts["text/html"]
    assert f"/supplier/submissions/{b.id}" in rejected.get_payload(0).get_payload(decode=True).decode()
    assert not smtp.to("hana@acme.example", "shortlisted")  # the actor is not told


def test_with_the_smtp_server_stopped_actions_succeed_and_mail_arrives_once_it_is_back(world, as_user, smtp):
    job, (a,) = job_with_candidates(world, 1)
    smtp.stop()
    smtp.messages.clear()
    resp = as_user("hana").post(f"/client/submissions/{a.id}/shortlist", prefixed("shortlist", a.id))
    assert resp.status_code == 303  # the action is not failed by the mail server
    with system_scope("tick"):
        tick()  # still down: retried later, nothing lost
    assert smtp.messages == []
    smtp.start()
    with system_scope("tick"):
        tick()  # too early: the failed message waits out its back-off
    assert smtp.to("sam@talentco.example", "shortlisted") == []
    clock.freeze(clock.now() + timedelta(minutes=5))
    with system_scope("tick"):
        tick()
        tick()
    assert len(smtp.to("sam@talentco.example", "shortlisted")) == 1
