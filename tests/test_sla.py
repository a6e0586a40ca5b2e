"""SLA clocks: their arithmetic, hold time excluded, who sees which, the policy page, and the tick rule
that announces each crossing once (frozen clock throughout)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from portal.db.tenancy import system_scope
from portal.events.models import Event
from portal.extensions import db
from portal.job_orders import services as job_services
from portal.notifications.models import Notification
from portal.sla import queries as sla
from portal.sla.clocks import Clock, Kind, Status, counted, duration
from portal.sla.models import SlaCrossing, SlaPolicy
from tests.conftest import sent_to
from tests.test_job_orders_support import frozen, released, run, tick
from tests.test_review_support import job_with_candidates

H = timedelta(hours=1)


def start() -> datetime:
    """A whole hour a little ahead of the real clock (world rows are older, never newer)."""
    now = datetime.now(timezone.utc) + timedelta(days=2)
    return now.replace(minute=0, second=0, microsecond=0)


def count(model, *where) -> int:
    with system_scope("test count"):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def job_reference(job_id: int) -> str:
    from portal.job_orders.models import JobOrder

    with system_scope("test read"):
        return db.session.scalar(select(JobOrder.reference).where(JobOrder.id == job_id))


def job_clock(job_id: int, kind: Kind, supplier: int | None = None) -> Clock:
    with system_scope("test read"):
        clocks = sla.job_clocks([job_id])[job_id]
    return next(c for c in clocks if c.kind == kind and c.supplier_org_id == supplier)


# --- arithmetic ----------------------------------------------------------------------------------

def test_counted_time_leaves_out_holds_and_an_open_hold_lasts_to_the_end():
    t = datetime(2030, 1, 1, tzinfo=timezone.utc)
    assert counted(t, t + 25 * H, []) == 25 * H
    assert counted(t, t + 25 * H, [(t + 2 * H, t + 12 * H)]) == 15 * H
    assert counted(t, t + 25 * H, [(t + 20 * H, None)]) == 20 * H
    assert counted(t, t + 25 * H, [(t - 5 * H, t + H)]) == 24 * H  # a hold before the start only counts after it
    assert counted(t, t, []) == timedelta(0)


def test_status_thresholds_and_words():
    t = datetime(2030, 1, 1, tzinfo=timezone.utc)

    def c(elapsed, stopped=None):
        return Clock(Kind.FIRST_SUBMISSION, 1, 1, 1, None, t, 24, elapsed, stopped_at=stopped)

    assert c(17 * H).status == Status.ON_TRACK and c(17 * H).text == "7 h left"
    assert c(18 * H).status == Status.AT_RISK and c(18 * H).label == "At risk"
    assert c(24 * H).status == Status.BREACHED and c(27 * H).text == "3 h overdue"
    assert c(5 * H, t + 5 * H).status == Status.MET and c(5 * H, t).text == "met in 5 h"
    assert c(26 * H, t).status == Status.MET_LATE and c(26 * H, t).text == "met 2 h late"
    assert duration(timedelta(minutes=40)) == "40 min" and duration(timedelta(hours=80)) == "3 d 8 h"


# --- clocks from the events -------------------------------------------------------------------

def test_first_submission_breached_at_25_hours_for_staff_and_released_suppliers_only(world, as_user):
    t0 = start()
    with frozen(t0):
        job = released(world, {"talentco": 1}, title="Clocked welder")
    with frozen(t0 + 25 * H):
        assert job_clock(job.id, Kind.FIRST_SUBMISSION).status == Status.BREACHED
        own = job_clock(job.id, Kind.FIRST_SUBMISSION, world.oid("talentco"))
        assert own.status == Status.BREACHED and own.text == "1 h overdue"

        staff = as_user("morgan").get(f"/staff/job-orders/{job.id}").get_data(as_text=True)
        assert "Time to first submission" in staff and "Breached" in staff and "1 h overdue" in staff

        sam = as_user("sam")
        detail = sam.get(f"/supplier/job-orders/{job.id}").get_data(as_text=True)
        assert "Breached" in detail and "1 h overdue" in detail
        listing = sam.get("/supplier/job-orders?q=Clocked").get_data(as_text=True)
        assert "Clocked welder" in listing and "Breached" in listing

        priya = as_user("priya")  # BluePeak: not released
        assert priya.get(f"/supplier/job-orders/{job.id}").status_code == 404
        assert "Clocked welder" not in priya.get("/supplier/job-orders?q=Clocked").get_data(as_text=True)
        # the client's hiring manager sees no job clock: none waits on them
        assert "Breached" not in as_user("hana").get(f"/client/job-orders/{job.id}").get_data(as_text=True)


def test_a_tier_two_suppliers_clock_starts_at_its_own_release(world):
    t0 = start()
    with frozen(t0):
        job = released(world, {"talentco": 1, "bluepeak": 2}, title="Tiered clocks")
    with frozen(t0 + 24 * H):
        with system_scope("tick"):
            from portal.job_orders.releases import release_due_tier_two

            assert release_due_tier_two() >= 1
    with frozen(t0 + 30 * H):
        assert job_clock(job.id, Kind.FIRST_SUBMISSION, world.oid("talentco")).status == Status.BREACHED
        tier2 = job_clock(job.id, Kind.FIRST_SUBMISSION, world.oid("bluepeak"))
        assert tier2.status == Status.ON_TRACK and tier2.text == "18 h left"


def test_time_on_hold_does_not_count(world):
    t0 = start()
    hana = world.user("hana")
    with frozen(t0):
        job = released(world, {"talentco": 1}, title="Held job")
    with frozen(t0 + 2 * H):
        run(hana, job_services.hold, job)
    with frozen(t0 + 12 * H):
        assert job_clock(job.id, Kind.FIRST_SUBMISSION).paused
        run(hana, job_services.reopen, job)
    with frozen(t0 + 25 * H):
        c = job_clock(job.id, Kind.FIRST_SUBMISSION)
        assert c.elapsed == 15 * H and c.status == Status.ON_TRACK and c.text == "9 h left"
    with frozen(t0 + 30 * H):
        run(hana, job_services.hold, job)
    with frozen(t0 + 60 * H):  # on hold now: the clock stands still at 20 h
        c = job_clock(job.id, Kind.FIRST_SUBMISSION)
        assert c.elapsed == 20 * H and c.status == Status.AT_RISK and "paused" in c.text


def test_a_submission_stops_the_clock_as_met(world):
    t0 = start()
    with frozen(t0):
        job, subs = job_with_candidates(world, 1, title="Met job")
    c = job_clock(job.id, Kind.FIRST_SUBMISSION)
    assert not c.running and c.status == Status.MET and c.label == "Met"


def test_client_review_at_40_hours_is_at_risk_for_the_hiring_manager(world, as_user):
    t0 = start()
    with frozen(t0):
        job, (sub,) = job_with_candidates(world, 1, title="Review clock job")
    with frozen(t0 + 40 * H):
        with system_scope("test read"):
            (c,) = [k for k in sla.submission_clocks([sub.id])[sub.id] if k.kind == Kind.CLIENT_REVIEW]
        assert c.status == Status.AT_RISK and c.text == "8 h left"
        hana = as_user("hana")
        for url in (f"/client/submissions/{sub.id}", "/client/review", f"/client/job-orders/{job.id}/board",
                    "/client/"):
            for htmx in (False, True):  # the page and its live fragment
                page = hana.get(url, htmx=htmx).get_data(as_text=True)
                assert "At risk" in page and "8 h left" in page, (url, htmx)
        # the client admin sees it on the dashboard too; another client never
        assert "8 h left" in as_user("olivia").get("/client/").get_data(as_text=True)
        assert "8 h left" not in as_user("leo").get("/client/").get_data(as_text=True)
        # the supplier sees its own submission's clock on the job's page; another released supplier never
        page = as_user("sam").get(f"/supplier/job-orders/{job.id}").get_data(as_text=True)
        assert "Client review" in page and "At risk" in page and "8 h left" in page
        page = as_user("priya").get(f"/supplier/job-orders/{job.id}").get_data(as_text=True)
        assert "Client review" not in page and "8 h left" not in page


def test_a_decision_stops_the_review_clock(world):
    from portal.review import services as review

    t0 = start()
    with frozen(t0):
        job, (sub,) = job_with_candidates(world, 1, title="Decided job")
    with frozen(t0 + 10 * H):
        run(world.user("hana"), review.shortlist, sub)
    with frozen(t0 + 60 * H):
        with system_scope("test read"):
            (c,) = [k for k in sla.submission_clocks([sub.id])[sub.id] if k.kind == Kind.CLIENT_REVIEW]
    assert c.status == Status.MET and c.text == "met in 10 h"


def test_policy_changes_the_targets(world, as_user):
    t0 = start()
    with frozen(t0):
        job, (sub,) = job_with_candidates(world, 1, title="Policy job")
    morgan = as_user("morgan")
    acme = world.oid("acme")
    resp = morgan.post(f"/staff/sla/clients/{acme}", {"first_submission_hours": "12", "coverage_count": "5",
                                                      "coverage_hours": "72", "review_hours": "100",
                                                      "feedback_hours": ""})
    assert resp.status_code == 302
    with system_scope("test read"):
        p = sla.policy_for(acme)
        assert (p.first_submission_hours, p.coverage_count, p.coverage_hours, p.review_hours, p.feedback_hours) == \
            (12, 5, 72, 100, 24)
        assert db.session.scalar(select(Event.verb).where(Event.verb == "sla.policy_changed")) is not None
    with frozen(t0 + 40 * H):
        with system_scope("test read"):
            (c,) = [k for k in sla.submission_clocks([sub.id])[sub.id] if k.kind == Kind.CLIENT_REVIEW]
        assert c.status == Status.ON_TRACK and c.target_hours == 100
    page = morgan.get("/staff/sla").get_data(as_text=True)
    assert "100 h" in page and "5 within 72 h" in page


@pytest.mark.parametrize("field, value, message", [
    ("review_hours", "0", "from 1 to 720"),
    ("coverage_count", "abc", "whole number"),
    ("feedback_hours", "100000", "from 1 to 720"),
    ("coverage_count", "-3", "from 1 to 50"),
])
def test_policy_bad_input_is_422_and_changes_nothing(world, as_user, field, value, message):
    acme = world.oid("acme")
    before = count(Event)
    resp = as_user("morgan").post(f"/staff/sla/clients/{acme}", {field: value})
    assert resp.status_code == 422 and message in resp.get_data(as_text=True)
    assert count(SlaPolicy) == 0 and count(Event) == before


def test_policy_page_is_staff_only(world, as_user):
    acme = world.oid("acme")
    assert as_user("nadia").get(f"/staff/sla/clients/{acme}").status_code == 200
    assert as_user("hana").get(f"/staff/sla/clients/{acme}").status_code == 404
    assert as_user("sam").post(f"/staff/sla/clients/{acme}", {"review_hours": "5"}).status_code == 404
    # a supplier organisation has no SLA targets
    assert as_user("morgan").get(f"/staff/sla/clients/{world.oid('talentco')}").status_code == 404
    assert count(SlaPolicy) == 0


# --- the tick rule ---------------------------------------------------------------------------------

def test_tick_announces_each_crossing_once(world, outbox):
    t0 = start()
    with frozen(t0):
        job = released(world, {"talentco": 1}, title="Ticked job")
    key = (SlaCrossing.subject_id == job.id)
    with frozen(t0 + 19 * H):  # past 75 % of 24 h: at risk
        tick()
        tick()
        assert count(SlaCrossing, key, SlaCrossing.level == "at_risk") == 2  # the job's own + TalentCo's
        assert count(SlaCrossing, key, SlaCrossing.level == "breached") == 0
    ref = job_reference(job.id)
    sam_notes = (Notification.user_id == world.uid("sam"), Notification.title.startswith(ref + ":"))
    assert count(Notification, *sam_notes, Notification.kind == "sla") == 1
    # the account manager: once for the job's own first-submission clock (not per supplier)
    assert count(Notification, Notification.user_id == world.uid("morgan"), Notification.kind == "sla",
                 Notification.title.startswith(ref + ":")) == 1
    with frozen(t0 + 26 * H):
        tick()
        tick()
    assert count(SlaCrossing, key, SlaCrossing.level == "breached") == 2
    assert count(Notification, *sam_notes, Notification.kind == "sla") == 2
    with system_scope("test read"):
        evs = list(db.session.scalars(select(Event).where(Event.verb.in_(("sla.at_risk", "sla.breached")),
                                                          Event.subject_id == job.id).order_by(Event.id)))
    assert [e.verb for e in evs].count("sla.breached") == 2
    supplier_ev = [e for e in evs if e.supplier_org_id == world.oid("talentco")]
    assert supplier_ev and all(e.client_org_id is None for e in supplier_ev)
    staff_ev = [e for e in evs if e.supplier_org_id is None]
    assert staff_ev and all(e.internal and e.client_org_id == world.oid("acme") for e in staff_ev)
    # e-mail per preference (SLA warnings: immediately by default), delivered by the same tick
    assert [m for m in sent_to(outbox, "sam@talentco.example") if ref in m.subject]


def test_a_clock_first_seen_breached_is_announced_once_as_breached(world):
    t0 = start()
    with frozen(t0):
        job = released(world, {"talentco": 1}, title="Late tick job")
    with frozen(t0 + 30 * H):
        tick()
    with system_scope("test read"):
        verbs = list(db.session.scalars(select(Event.verb).where(Event.subject_id == job.id,
                                                                 Event.verb.like("sla.%"))))
    assert sorted(set(verbs)) == ["sla.breached"]
    assert count(SlaCrossing, SlaCrossing.subject_id == job.id, SlaCrossing.level == "at_risk") == 2


def test_review_crossing_notifies_the_hiring_manager_and_account_manager(world):
    t0 = start()
    with frozen(t0):
        job, (sub,) = job_with_candidates(world, 1, title="Review tick job")
    with frozen(t0 + 49 * H):
        tick()
        tick()
    ref = job_reference(job.id)
    for short in ("hana", "morgan"):
        notes = count(Notification, Notification.user_id == world.uid(short), Notification.kind == "sla",
                      Notification.title.startswith(ref + ": review"))
        assert notes == 1, short
    with system_scope("test read"):
        ev = db.session.scalar(select(Event).where(Event.verb == "sla.breached", Event.subject_type == "submission",
                                                   Event.subject_id == sub.id))
    assert ev.client_org_id == world.oid("acme") and not ev.internal


def test_interview_feedback_clock_runs_from_the_interviews_end(world, as_user):
    from portal.interviews import services as interviews
    from portal.review import services as review
    from tests.test_review_support import request, slot_id

    t0 = start()
    hana, sam = world.user("hana"), world.user("sam")
    with frozen(t0):
        job, (sub,) = job_with_candidates(world, 1, title="Feedback clock job")
        run(hana, review.shortlist, sub)
        interview = run(hana, request, sub, t0 + 4 * H)
        with system_scope("test read"):
            slot = slot_id(interview)
        run(sam, interviews.supplier_confirm, interview, slot)
    # the interview lasts an hour: it ends at t0 + 5 h; 24 h target -> at risk from t0 + 23 h
    with frozen(t0 + 24 * H):
        with system_scope("test read"):
            (c,) = [k for k in sla.submission_clocks([sub.id])[sub.id] if k.kind == Kind.FEEDBACK]
        assert c.status == Status.AT_RISK and c.text == "5 h left"
        page = as_user("hana").get(f"/client/submissions/{sub.id}").get_data(as_text=True)
        assert "Interview feedback" in page and "At risk" in page
        rows = as_user("morgan").get("/staff/coverage").get_data(as_text=True)
        rows = rows.split('id="coverage-feedback"', 1)[1].split("</section>", 1)[0]
        assert job_reference(job.id) in rows and f"/staff/coverage/feedback/{interview.id}/nudge" in rows
        run(hana, interviews.record_feedback, interview, 4, "Good.")
        with system_scope("test read"):
            (c,) = [k for k in sla.submission_clocks([sub.id])[sub.id] if k.kind == Kind.FEEDBACK]
        assert c.status == Status.MET and c.text == "met in 19 h"
