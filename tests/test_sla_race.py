"""Races: two tick runners announcing SLA crossings at once announce each one once; account managers
nudging one item at once send one reminder. Threads released by a barrier (SQLite and PostgreSQL)."""
from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import User
from portal.db.tenancy import scope_for_user, scoped, system_scope
from portal.events.models import Event
from portal.extensions import db
from portal.notifications.models import Notification
from portal.oversight import services as oversight
from portal.sla import services as sla_services
from portal.sla.models import SlaCrossing
from tests.test_coverage import count
from tests.test_job_orders_race import _race
from tests.test_job_orders_support import frozen, released
from tests.test_sla import H, job_reference, start


def test_two_tick_runners_announce_each_crossing_once(app, world):
    t0 = start()
    with frozen(t0):
        job = released(world, {"talentco": 1}, title="Raced tick job")
    ref = job_reference(job.id)
    with frozen(t0 + 30 * H):
        results, errors = _race(app, lambda i: sla_services.announce_crossings(), n=3)
    assert errors == []
    assert count(SlaCrossing, SlaCrossing.subject_id == job.id, SlaCrossing.level == "breached") == 2
    assert count(Event, Event.verb == "sla.breached", Event.subject_id == job.id) == 2
    assert count(Notification, Notification.user_id == world.uid("sam"), Notification.title.startswith(ref + ":")) == 1


def test_account_managers_nudging_at_once_send_one_reminder(app, world):
    t0 = start()
    with frozen(t0):
        job = released(world, {"talentco": 1}, title="Raced nudge job")
    ids = [world.uid("morgan"), world.uid("nadia")]

    def nudge(i):
        with system_scope("load actor"):
            actor = db.session.scalar(select(User).where(User.id == ids[i % 2]))
        with scoped(scope_for_user(actor)):
            told = oversight.nudge(actor, "first_submission", job.id)
            db.session.commit()
            return told

    with frozen(t0 + 26 * H):
        results, errors = _race(app, nudge, n=4)
    assert len(results) == 1 and results[0] == 2
    assert len(errors) == 3 and all(isinstance(e, oversight.NudgeError) and e.status == 409 for e in errors), errors
    assert count(Event, Event.verb == "nudge.sent", Event.subject_id == job.id) == 1
    assert count(Notification, Notification.user_id == world.uid("sam"), Notification.kind == "nudge") == 1
