"""Notifications: who is told what, the centre and its badge, e-mail by preference, digests, isolation."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from portal import clock
from portal.db.tenancy import system_scope
from portal.events.services import record
from portal.extensions import db
from portal.mail.models import OutboxMessage
from portal.notifications import kinds as K
from portal.notifications.models import Notification, NotificationPreference
from portal.notifications.services import notify, send_digests
from portal.tick import tick
from tests.conftest import sent_to
from tests.test_review_support import job_with_candidates, prefixed


def _notes(short_email: str, kind: str | None = None) -> list[Notification]:
    from portal.accounts.models import User

    with system_scope("test lookup"):
        user = db.session.scalar(select(User).where(User.email == short_email))
        stmt = select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        if kind:
            stmt = stmt.where(Notification.kind == kind)
        return list(db.session.scalars(stmt))


def _pending_mail(to: str) -> list[OutboxMessage]:
    with system_scope("test lookup"):
        return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_email == to,
                                                                   OutboxMessage.sent_at.is_(None))))


def _set(world, short: str, **choices):
    from portal.notifications.services import set_preferences

    with system_scope("test"):
        set_preferences(world.user(short), choices)
        db.session.commit()


# --- who is told what ----------------------------------------------------------------------------

def test_a_release_tells_the_released_suppliers_people_and_nobody_else(world):
    job, _ = job_with_candidates(world, 0, tiers={"talentco": 1})
    released = [n for n in _notes("sam@talentco.example", "job_released") if f"/supplier/job-orders/{job.id}" == n.link]
    assert len(released) == 1 and job.reference in released[0].title
    assert any(n.link == f"/supplier/job-orders/{job.id}" for n in _notes("ravi@talentco.example", "job_released"))
    assert not any(n.link == f"/supplier/job-orders/{job.id}" for n in _notes("priya@bluepeak.example"))  # not hers
    assert not any(n.event_id == released[0].event_id for n in _notes("hana@acme.example"))
    assert not any(n.event_id == released[0].event_id for n in _notes("morgan@northwind.example"))  # the actor


def test_a_rejection_tells_the_submitter_in_app_and_by_one_email_with_a_deep_link(world, as_user, outbox):
    job, (sub,) = job_with_candidates(world, 1)
    assert any(n.link == f"/client/submissions/{sub.id}" for n in _notes("hana@acme.example", "new_submission"))
    hana = as_user("hana")
    resp = hana.post(f"/client/submissions/{sub.id}/reject", prefixed("reject", sub.id, reason="rate", note="Too high."))
    assert resp.status_code == 303
    [note] = [n for n in _notes("sam@talentco.example", "decision")
              if n.link == f"/supplier/submissions/{sub.id}" and "not retained" in n.title]
    assert note.read_at is None and note.delivery == "immediate"
    [mail] = [m for m in sent_to(outbox, "sam@talentco.example") if job.reference in m.subject and "not retained" in m.subject]
    assert f"/supplier/submissions/{sub.id}" in mail.body
    assert [a for a in mail.alternatives if a[1] == "text/html"]  # text and HTML parts
    assert not any(n.event_id == note.event_id for n in _notes("hana@acme.example"))  # the actor is not told
    # Another supplier's people hear nothing of it.
    assert not any(n.event_id == note.event_id for n in _notes("priya@bluepeak.example"))


def test_nothing_is_notified_for_a_change_that_rolls_back(world):
    job = world.job("acme")
    before = len(_notes("sam@talentco.example"))
    with system_scope("test"):
        record(world.user("morgan"), "job_order.released", job, "rolled back", client_org_id=job.client_org_id,
               supplier_org_id=world.oid("talentco"))
        flushed = db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == world.uid("sam")))
        assert flushed == before + 1  # the fan-out ran inside the transaction …
        db.session.rollback()  # … which then failed
    assert len(_notes("sam@talentco.example")) == before
    assert _pending_mail("sam@talentco.example") == []


def test_the_same_key_notifies_a_person_once(world, app):
    job = world.job("acme")
    with system_scope("test"), app.test_request_context():
        ev = record(None, "sla.breached", job, "Clock breached", client_org_id=job.client_org_id)
        assert notify([world.user("hana")], K.SLA, "Breached", "/client/job-orders", event=ev, key="sla:x") == 1
        assert notify([world.user("hana")], K.SLA, "Breached", "/client/job-orders", event=ev, key="sla:x") == 0
        db.session.commit()
    assert len([n for n in _notes("hana@acme.example", "sla")]) == 1


def test_inactive_people_and_people_of_other_portals_are_skipped(world, app):
    job = world.job("acme")
    with system_scope("test"), app.test_request_context():
        ev = record(None, "nudge.sent", job, "Please review", client_org_id=job.client_org_id)
        # NUDGE is for client and supplier people only; ivan is deactivated.
        made = notify([world.user("morgan"), world.user("ivan"), world.user("hana")], K.NUDGE, "Nudge", "/x", event=ev)
        db.session.commit()
    assert made == 1


# --- preferences: immediately, digest, off ---------------------------------------------------------

def test_off_keeps_the_notification_but_sends_no_mail(world, as_user, outbox):
    _set(world, "sam", decision="off")
    job, (sub,) = job_with_candidates(world, 1)
    as_user("hana").post(f"/client/submissions/{sub.id}/shortlist", prefixed("shortlist", sub.id))
    [note] = [n for n in _notes("sam@talentco.example", "decision")
              if n.link.endswith(f"/{sub.id}") and "shortlisted" in n.title]
    assert note.delivery == "off"
    assert not [m for m in sent_to(outbox, "sam@talentco.example") if "shortlisted" in m.subject]


def test_digest_collects_a_days_notifications_into_one_mail_once(world, as_user, outbox):
    clock.freeze(datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc))
    _set(world, "sam", decision="digest")
    job, subs = job_with_candidates(world, 2)
    hana = as_user("hana")
    for sub in subs:
        assert hana.post(f"/client/submissions/{sub.id}/shortlist", prefixed("shortlist", sub.id)).status_code == 303
    assert not [m for m in sent_to(outbox, "sam@talentco.example") if "shortlisted" in m.subject]
    with system_scope("tick"):
        assert send_digests() == 0  # before tomorrow's digest hour nothing is due
    clock.freeze(datetime(2026, 11, 24, 7, 5, tzinfo=timezone.utc))
    with system_scope("tick"):
        report = tick()
        assert report["send_digests"] == 1
        assert tick()["send_digests"] == 0  # claimed: never twice
    [digest] = [m for m in sent_to(outbox, "sam@talentco.example") if "daily summary" in m.subject]
    for sub in subs:
        assert f"/supplier/submissions/{sub.id}" in digest.body
    assert digest.body.count("Your candidate was shortlisted") == 2


def test_preferences_page_saves_choices_and_refuses_bad_values(world, as_user):
    sam = as_user("sam")
    page = sam.get("/account/notifications").get_data(as_text=True)
    assert "Job released to you" in page and "New candidates" not in page  # kinds of the supplier portal only
    resp = sam.post("/account/notifications", {"job_released": "digest", "decision": "off", "job_changed": "off",
                                               "job_filled": "immediate", "answer": "immediate",
                                               "interview_request": "immediate", "offer": "immediate",
                                               "sla": "immediate", "nudge": "immediate"})
    assert resp.status_code == 303
    with system_scope("test lookup"):
        prefs = dict(db.session.execute(select(NotificationPreference.kind, NotificationPreference.delivery)
                                        .where(NotificationPreference.user_id == world.uid("sam"))).all())
    assert prefs == {"job_released": "digest", "decision": "off", "job_changed": "off"}  # only the changes are stored
    bad = sam.post("/account/notifications", {"job_released": "sometimes", "decision": "off"})
    assert bad.status_code == 422 and "Not a valid choice" in bad.get_data(as_text=True)
    with system_scope("test lookup"):
        assert db.session.scalar(select(NotificationPreference.delivery).where(
            NotificationPreference.user_id == world.uid("sam"), NotificationPreference.kind == "job_released")) == "digest"


def test_preferences_ignore_kinds_of_another_portal(world, as_user):
    resp = as_user("sam").post("/account/notifications", {k.key: "off" for k in K.kinds_for("supplier")}
                               | {"new_submission": "off"})
    assert resp.status_code == 303
    with system_scope("test lookup"):
        kinds = set(db.session.scalars(select(NotificationPreference.kind).where(
            NotificationPreference.user_id == world.uid("sam"))))
    assert "new_submission" not in kinds and "job_released" in kinds


# --- the centre and the badge ----------------------------------------------------------------------

def test_the_centre_lists_unread_first_and_opening_one_marks_it_read_and_follows_its_link(world, as_user):
    sam = as_user("sam")
    notes = _notes("sam@talentco.example")
    assert notes, "the world's history notifies sam"
    page = sam.get("/notifications").get_data(as_text=True)
    assert notes[-1].title.split(":")[0] in page
    first = notes[0]
    resp = sam.post(f"/notifications/{first.id}/open")
    assert resp.status_code == 303 and resp.headers["Location"].endswith(first.link)
    with system_scope("test lookup"):
        assert db.session.get(Notification, first.id).read_at is not None
    # read ones come after unread ones
    page = sam.get("/notifications").get_data(as_text=True)
    assert page.index(f'id="notification-{first.id}"') > page.index(f'id="notification-{notes[-1].id}"')


def test_mark_all_read_stops_at_the_newest_one_shown(world, as_user, app):
    sam = as_user("sam")
    notes = _notes("sam@talentco.example")
    shown = notes[-2].id  # the page was rendered before the last one arrived
    resp = sam.post("/notifications/read-all", {"up_to": str(shown)})
    assert resp.status_code == 303
    after = {n.id: n.read_at for n in _notes("sam@talentco.example")}
    assert after[notes[-1].id] is None and all(after[n.id] is not None for n in notes[:-1])
    assert sam.post("/notifications/read-all", {"up_to": "junk"}).status_code == 303  # junk: mark all
    assert all(n.read_at for n in _notes("sam@talentco.example"))


def test_the_badge_answers_204_while_unchanged_and_the_count_when_it_moves(world, as_user):
    from portal.review.live import fingerprint

    sam = as_user("sam")
    notes = _notes("sam@talentco.example")
    unread = sum(1 for n in notes if n.read_at is None)
    page = sam.get("/supplier/").get_data(as_text=True)
    assert f'aria-label="{unread} unread"' in page
    seen = fingerprint(unread, notes[-1].id)
    assert sam.get(f"/notifications/badge?seen={seen}", htmx=True).status_code == 204
    job_with_candidates(world, 0, tiers={"talentco": 1})  # a new release
    resp = sam.get(f"/notifications/badge?seen={seen}", htmx=True)
    assert resp.status_code == 200 and f'aria-label="{unread + 1} unread"' in resp.get_data(as_text=True)


def test_nobody_opens_or_marks_another_persons_notification(world, as_user):
    hana_note = _notes("hana@acme.example")[0]
    olivia = as_user("olivia")  # same company, another person
    assert olivia.post(f"/notifications/{hana_note.id}/open").status_code == 404
    assert olivia.post(f"/notifications/{hana_note.id}/read").status_code == 404
    morgan = as_user("morgan")  # staff see every tenant's data, never someone else's notifications
    assert morgan.post(f"/notifications/{hana_note.id}/open").status_code == 404
    assert as_user("sam").get("/notifications").get_data(as_text=True).count(hana_note.title) == 0
    with system_scope("test lookup"):
        assert db.session.get(Notification, hana_note.id).read_at is None


@pytest.mark.parametrize("short", ["hana", "sam", "morgan"])
def test_the_centre_and_settings_render_for_every_portal(world, as_user, short):
    c = as_user(short)
    assert c.get("/notifications").status_code == 200
    assert c.get("/notifications?show=unread&page=99999").status_code == 200
    assert c.get("/account/notifications").status_code == 200


# --- mail after commit, retried -------------------------------------------------------------------

def test_two_tick_runners_at_once_send_one_digest(world, app):
    import threading

    clock.freeze(datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc))
    _set(world, "sam", job_released="digest")
    job_with_candidates(world, 0, tiers={"talentco": 1})
    clock.freeze(datetime(2026, 11, 24, 8, 0, tzinfo=timezone.utc))
    barrier, counts, errors = threading.Barrier(2), [], []

    def runner():
        try:
            with app.app_context(), system_scope("tick"):
                barrier.wait()
                counts.append(send_digests())
                db.session.commit()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and sorted(counts) == [0, 1]
    with system_scope("test lookup"):
        digests = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.to_email == "sam@talentco.example", OutboxMessage.kind == "digest"))
    assert digests == 1


def test_a_digest_leaves_out_kinds_switched_off_since(world, outbox):
    clock.freeze(datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc))
    _set(world, "sam", job_released="digest")
    job, _ = job_with_candidates(world, 0, tiers={"talentco": 1})
    _set(world, "sam", job_released="off")
    clock.freeze(datetime(2026, 11, 24, 8, 0, tzinfo=timezone.utc))
    with system_scope("tick"):
        assert send_digests() == 0
        db.session.commit()
    assert not [n for n in _notes("sam@talentco.example", "job_released") if n.emailed_at is None]


def test_an_id_too_large_for_the_database_is_a_404_not_a_500(world, as_user):
    sam = as_user("sam")
    assert sam.post("/notifications/9223372036854775808/open").status_code == 404
    assert sam.get("/supplier/job-orders/99999999999999999999").status_code == 404


def test_world_history_mails_nobody(world):
    with system_scope("test lookup"):
        assert db.session.scalar(select(func.count()).select_from(Notification)) > 0
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_a_tier_two_release_by_tick_notifies_and_mails_the_supplier(world, outbox):
    job, _ = job_with_candidates(world, 0, tiers={"talentco": 1, "bluepeak": 2})
    assert not [n for n in _notes("priya@bluepeak.example", "job_released") if n.link.endswith(f"/{job.id}")]
    clock.freeze(clock.now() + timedelta(days=5))
    with system_scope("tick"):
        tick()
    [note] = [n for n in _notes("priya@bluepeak.example", "job_released") if n.link.endswith(f"/{job.id}")]
    assert note.link == f"/supplier/job-orders/{job.id}"
    [mail] = [m for m in sent_to(outbox, "priya@bluepeak.example") if job.reference in m.subject]
    assert f"/supplier/job-orders/{job.id}" in mail.body


def test_changing_notification_settings_is_recorded_and_saving_nothing_new_is_not(world, as_user):
    from portal.events.models import Event

    def recorded():
        with system_scope("test lookup"):
            return db.session.scalar(select(func.count()).select_from(Event).where(
                Event.verb == "user.notification_settings_changed", Event.actor_user_id == world.uid("sam")))

    sam = as_user("sam")
    choices = {k.key: k.default.value for k in K.kinds_for("supplier")}
    assert sam.post("/account/notifications", choices).status_code == 303
    assert recorded() == 0  # nothing changed
    assert sam.post("/account/notifications", choices | {"offer": "off"}).status_code == 303
    assert recorded() == 1
