"""Helpers of the job order tests: make job orders through the services, read rows and events."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timezone

from sqlalchemy import event, func, select

from portal import clock
from portal.db.tenancy import scope_for_user, scoped, system_scope
from portal.events.models import Event
from portal.extensions import db
from portal.job_orders import releases, services
from portal.job_orders.models import JobOrder

T0 = datetime(2031, 3, 3, 9, 0, tzinfo=timezone.utc)

COMPLETE = {"position_type": "contract", "location_type": "onsite", "summary": "A role worth filling.",
            "openings": 1}


@contextmanager
def as_actor(user):
    """Run service calls with the scope the user's requests would have."""
    with scoped(scope_for_user(user)):
        yield


def run(user, fn, *args, **kw):
    """Call a service as `user` (in their scope) and commit, like a request would."""
    with as_actor(user):
        result = fn(user, *args, **kw)
        db.session.commit()
    return result


def draft(world, hm="hana", **fields) -> JobOrder:
    """A complete draft written by `hm`."""
    values = dict(COMPLETE, title=fields.pop("title", "Test role"), **fields)
    job, _ = run(world.user(hm), services.create_job_order, values)
    return job


def pending(world, hm="hana", **fields) -> JobOrder:
    job = draft(world, hm, **fields)
    run(world.user(hm), services.submit, job)
    return job


def released(world, tiers: dict[str, int] | None = None, hm="hana", **fields) -> JobOrder:
    """A job approved by morgan and released: tiers maps supplier short name -> tier."""
    job = pending(world, hm, **fields)
    tiers = tiers or {"talentco": 1}
    run(world.user("morgan"), releases.approve_and_release, job, {world.oid(s): t for s, t in tiers.items()})
    return job


def reload(job_id: int) -> JobOrder:
    with system_scope("test read"):
        db.session.expire_all()
        return db.session.scalar(select(JobOrder).where(JobOrder.id == job_id))


def events(job_id: int, verb: str | None = None) -> list[Event]:
    with system_scope("test read"):
        stmt = select(Event).where(Event.subject_type == "job_order", Event.subject_id == job_id)
        if verb:
            stmt = stmt.where(Event.verb == verb)
        return list(db.session.scalars(stmt.order_by(Event.id)))


def event_count() -> int:
    with system_scope("test count"):
        return db.session.scalar(select(func.count(Event.id)))


def tick():
    from portal.tick import tick as run_tick

    with system_scope("tick"):
        return run_tick()


@contextmanager
def frozen(at: datetime):
    clock.freeze(at)
    try:
        yield
    finally:
        clock.freeze(None)


@contextmanager
def count_queries():
    """Count the SQL statements sent while the block runs: `with count_queries() as n: ...; n[0]`."""
    counter = [0]

    def _count(conn, cursor, statement, parameters, context, executemany):
        counter[0] += 1

    event.listen(db.engine, "before_cursor_execute", _count)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", _count)
