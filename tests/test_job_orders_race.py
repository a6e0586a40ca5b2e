"""Races: job orders created at the same moment get distinct display ids; two people moving one
job order at once cannot both succeed. Threads released by a barrier, each with its own app
context and session (SQLite and PostgreSQL, whichever the suite runs on)."""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from portal.db.tenancy import scope_for_user, scoped, system_scope
from portal.extensions import db
from portal.job_orders import services
from portal.job_orders.models import JobOrder, JobOrderCounter
from portal.job_orders.services import JobOrderError
from tests.test_job_orders_support import events, released, reload

THREADS = 10


def _race(app, work, n: int = THREADS) -> tuple[list, list]:
    """Run work(i) in n threads at once, each in its own app context; returns (results, errors)."""
    barrier = threading.Barrier(n)
    results, errors = [], []
    lock = threading.Lock()

    def worker(i):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                value = work(i)
                with lock:
                    results.append(value)
            except Exception as exc:  # noqa: BLE001 - collected and asserted on
                db.session.rollback()
                with lock:
                    errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    return results, errors


def test_job_orders_created_at_the_same_moment_get_distinct_numbers(app, world):
    hana_id, acme = world.uid("hana"), world.oid("acme")
    with system_scope("test"):
        before = db.session.scalar(select(JobOrderCounter.last_number).where(JobOrderCounter.client_org_id == acme))

    def create(i):
        with system_scope("load actor"):
            from portal.accounts.models import User

            hana = db.session.scalar(select(User).where(User.id == hana_id))
        with scoped(scope_for_user(hana)):
            job, created = services.create_job_order(hana, {"title": f"Race {i}", "openings": 1})
            db.session.commit()
            return job.number, job.reference

    results, errors = _race(app, create)
    assert errors == []
    numbers = sorted(n for n, _ in results)
    assert numbers == list(range(before + 1, before + THREADS + 1))  # distinct, no gap, none reused
    assert len({ref for _, ref in results}) == THREADS
    with system_scope("test"):
        db.session.expire_all()
        assert db.session.scalar(select(JobOrderCounter.last_number)
                                 .where(JobOrderCounter.client_org_id == acme)) == before + THREADS
        assert db.session.scalar(select(func.count(JobOrder.id)).where(JobOrder.title.like("Race %"))) == THREADS


def test_same_form_submitted_at_once_creates_one_job_order(app, world):
    hana_id = world.uid("hana")

    def create(i):
        from portal.accounts.models import User

        with system_scope("load actor"):
            hana = db.session.scalar(select(User).where(User.id == hana_id))
        with scoped(scope_for_user(hana)):
            job, created = services.create_job_order(hana, {"title": "Same form", "openings": 1},
                                                     create_key="same-key")
            db.session.commit()
            return job.id

    results, errors = _race(app, create, n=5)
    assert errors == [] and len(set(results)) == 1


def test_two_people_putting_one_job_on_hold_at_once_succeed_once(app, world):
    job = released(world, title="Contested hold")
    people = [world.uid("hana"), world.uid("morgan"), world.uid("olivia"), world.uid("nadia")]

    def hold(i):
        from portal.accounts.models import User

        with system_scope("load actor"):
            actor = db.session.scalar(select(User).where(User.id == people[i]))
        with scoped(scope_for_user(actor)):
            target = db.session.scalar(select(JobOrder).where(JobOrder.id == job.id))
            services.hold(actor, target)
            db.session.commit()
            return actor.id

    results, errors = _race(app, hold, n=len(people))
    assert len(results) == 1
    assert len(errors) == len(people) - 1
    assert all(isinstance(e, JobOrderError) and e.status == 409 for e in errors), errors
    assert reload(job.id).status == "on_hold"
    assert len([e for e in events(job.id, "job_order.put_on_hold") if e.client_org_id]) == 1
