"""Job orders: the hiring manager's form, the life cycle table, ownership, events, bad input."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from markupsafe import escape
from sqlalchemy import select

from portal import clock
from portal.accounts.models import User
from portal.db.tenancy import system_scope
from portal.extensions import db
from portal.job_orders import releases, services
from portal.job_orders.models import JobOrder, JobStatus
from portal.job_orders.services import TRANSITIONS, JobOrderError
from tests.test_job_orders_support import (
    as_actor,
    draft,
    event_count,
    events,
    pending,
    released,
    reload,
    run,
)


def form_data(world, **over) -> dict:
    """A complete, valid job order form as a browser would post it (hana as hiring manager)."""
    data = {
        "hiring_manager_id": str(world.uid("hana")),
        "title": "Senior Controls Engineer", "industry": "Manufacturing", "category": "Engineering",
        "experience_level": "senior", "position_type": "contract", "openings": "2", "priority": "high",
        "location": "Milwaukee, WI", "location_type": "hybrid", "shift": "Days", "travel_percent": "10",
        "start_date": (clock.now().date() + timedelta(days=30)).isoformat(), "duration_weeks": "26",
        "rate_type": "bill_rate", "currency": "USD", "rate_unit": "hour", "rate_min": "65", "rate_max": "70.50",
        "summary": "Own the PLC upgrades.", "responsibilities": "Program PLCs.", "requirements": "5 years.",
        "skills": "PLC, SCADA, plc ,  Lean", "education_level": "bachelor", "submission_limit": "3",
        "create_key": "k-1",
    }
    data.update(over)
    return data


def _job_by_title(title: str) -> JobOrder | None:
    with system_scope("test read"):
        return db.session.scalar(select(JobOrder).where(JobOrder.title == title))


# --- writing a job order -------------------------------------------------------------------------

def test_hiring_manager_writes_a_draft_with_every_field(world, as_user):
    hana = as_user("hana")
    assert hana.get("/client/job-orders/new").status_code == 200
    resp = hana.post("/client/job-orders/new", form_data(world, action="save"))
    assert resp.status_code == 302
    job = _job_by_title("Senior Controls Engineer")
    assert job.status == JobStatus.DRAFT.value
    assert job.reference.startswith("ACME-") and job.number > 0
    assert job.rate_min == Decimal("65.00") and job.rate_max == Decimal("70.50")
    assert isinstance(job.rate_max, Decimal)
    assert job.skills == "PLC, SCADA, Lean"  # de-duplicated, trimmed
    assert job.hiring_manager_id == world.uid("hana") and job.created_by_id == world.uid("hana")
    assert job.submission_limit == 3 and job.travel_percent == 10 and job.duration_weeks == 26
    [created] = events(job.id, "job_order.created")
    assert created.client_org_id == world.oid("acme") and created.internal is False


def test_new_job_order_and_submit_in_one_go(world, as_user):
    hana = as_user("hana")
    resp = hana.post("/client/job-orders/new", form_data(world, action="submit"))
    assert resp.status_code == 302
    job = _job_by_title("Senior Controls Engineer")
    assert job.status == JobStatus.PENDING_REVIEW.value and job.submitted_at is not None
    assert [e.verb for e in events(job.id)] == ["job_order.created", "job_order.submitted"]


def test_double_submit_of_the_new_form_creates_one_job_order(world, as_user):
    hana = as_user("hana")
    first = hana.post("/client/job-orders/new", form_data(world, action="save"))
    second = hana.post("/client/job-orders/new", form_data(world, action="save"))
    assert first.headers["Location"] == second.headers["Location"]
    with system_scope("test read"):
        assert len(list(db.session.scalars(select(JobOrder).where(JobOrder.title == "Senior Controls Engineer")))) == 1


def test_undisclosed_values_are_shown_as_undisclosed(world, as_user):
    job = draft(world, title="Sparse role", industry=None, shift=None)
    page = as_user("hana").get(f"/client/job-orders/{job.id}").get_data(as_text=True)
    assert "<dd>Undisclosed</dd>" in page
    assert ">None<" not in page and "<dd></dd>" not in page


@pytest.mark.parametrize("over, field, message", [
    ({"openings": "0"}, "openings", "Openings must be at least 1"),
    ({"openings": "-3"}, "openings", "Openings must be at least 1"),
    ({"openings": "two"}, "openings", "Openings must be a whole number"),
    ({"rate_min": "90", "rate_max": "80"}, "rate_min", "minimum rate can't be more than the maximum"),
    ({"rate_min": "NaN"}, "rate_min", "as an amount"),
    ({"rate_max": "1e9"}, "rate_max", "as an amount"),
    ({"rate_max": "12.345"}, "rate_max", "at most 2 decimals"),
    ({"start_date": "2001-01-01"}, "start_date", "can't be in the past"),
    ({"start_date": "31/02/2030"}, "start_date", "real date"),
    ({"title": ""}, "title", "Enter a job title"),
    ({"title": "x" * 201}, "title", "200 characters or fewer"),
    ({"summary": "x" * 4001}, "summary", "4000 characters or fewer"),
    ({"position_type": "freelance"}, "position_type", "Choose a position type from the list"),
    ({"location_type": "moon"}, "location_type", "Choose a location type from the list"),
    ({"currency": "XXX"}, "currency", "Choose a currency from the list"),
    ({"travel_percent": "150"}, "travel_percent", "from 0 to 100"),
    ({"submission_limit": "0"}, "submission_limit", "from 1 to 50"),
    ({"hiring_manager_id": "999999"}, "hiring_manager_id", "Choose a hiring manager of the company"),
])
def test_bad_input_speaks_per_field_and_keeps_what_was_typed(world, as_user, over, field, message):
    hana = as_user("hana")
    before = event_count()
    typed = dict(over, summary=over.get("summary", "Kept: my words"))
    resp = hana.post("/client/job-orders/new", form_data(world, action="save", **typed))
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert "There is a problem" in page
    assert str(escape(message)) in page
    assert f'href="#{field}"' in page  # the error summary links to the field
    assert "Milwaukee, WI" in page  # nothing typed is lost
    if field != "summary":
        assert "Kept: my words" in page
    assert _job_by_title("Senior Controls Engineer") is None
    assert event_count() == before


def test_hiring_manager_of_another_company_is_refused(world, as_user):
    leo = as_user("leo")
    resp = leo.post("/client/job-orders/new", form_data(world, action="save", hiring_manager_id=str(world.uid("hana"))))
    assert resp.status_code == 422
    assert _job_by_title("Senior Controls Engineer") is None


def test_forged_columns_in_post_data_change_nothing(world, as_user):
    hana = as_user("hana")
    job = draft(world, title="Forgery target")
    forged = form_data(world, action="save", title="Forgery target", version=str(job.version), status="open",
                       client_org_id=str(world.oid("globex")), number="9999", reference="GLBX-9999",
                       approved_at="2030-01-01", released_at="2030-01-01", created_by_id=str(world.uid("leo")),
                       is_admin="1", close_reason="budget", id="1")
    assert hana.post(f"/client/job-orders/{job.id}/edit", forged).status_code == 302
    after = reload(job.id)
    assert (after.status, after.client_org_id, after.number, after.reference) == (
        "draft", world.oid("acme"), job.number, job.reference)
    assert after.approved_at is None and after.released_at is None and after.close_reason is None
    assert after.created_by_id == world.uid("hana")
    # and on create
    hana.post("/client/job-orders/new", form_data(world, action="save", create_key="k-forge", title="Forged new",
                                                  status="open", client_org_id=str(world.oid("globex")),
                                                  number="7", reference="GLBX-0007"))
    created = _job_by_title("Forged new")
    assert created.status == "draft" and created.client_org_id == world.oid("acme")
    assert created.reference != "GLBX-0007"


# --- edit, submit, return ------------------------------------------------------------------------

def test_edit_draft_then_submit_for_review(world, as_user):
    job = draft(world, title="Editable", location_type=None)
    hana = as_user("hana")
    page = hana.get(f"/client/job-orders/{job.id}/edit").get_data(as_text=True)
    assert "Editable" in page
    resp = hana.post(f"/client/job-orders/{job.id}/edit",
                     form_data(world, title="Edited", location_type="", version=str(job.version), action="submit"))
    assert resp.status_code == 422  # the location type is needed before review
    assert "Choose the location type before submitting" in resp.get_data(as_text=True)
    assert reload(job.id).status == "draft" and reload(job.id).title == "Editable"  # all or nothing
    resp = hana.post(f"/client/job-orders/{job.id}/edit",
                     form_data(world, title="Edited", version=str(job.version), action="submit"))
    assert resp.status_code == 302
    after = reload(job.id)
    assert after.title == "Edited" and after.status == "pending_review"
    assert [e.verb for e in events(job.id)][-2:] == ["job_order.edited", "job_order.submitted"]


def test_edit_with_a_stale_form_is_refused_and_keeps_the_typing(world, as_user):
    job = draft(world, title="Stale")
    hana = as_user("hana")
    stale_version = str(job.version)
    assert hana.post(f"/client/job-orders/{job.id}/edit",
                     form_data(world, title="First", version=stale_version, action="save")).status_code == 302
    resp = hana.post(f"/client/job-orders/{job.id}/edit",
                     form_data(world, title="Second", version=stale_version, action="save"))
    assert resp.status_code == 409
    assert "Second" in resp.get_data(as_text=True)
    assert reload(job.id).title == "First"


def test_staff_return_with_a_comment_and_the_client_sees_it(world, as_user):
    job = pending(world, title="Needs work")
    morgan = as_user("morgan")
    assert morgan.post(f"/staff/job-orders/{job.id}/return", {"comment": ""}).status_code == 422
    assert reload(job.id).status == "pending_review"
    assert morgan.post(f"/staff/job-orders/{job.id}/return", {"comment": "Add the shift, please."}).status_code == 302
    assert reload(job.id).status == "draft"
    page = as_user("hana").get(f"/client/job-orders/{job.id}").get_data(as_text=True)
    assert "Add the shift, please." in page
    [ev] = events(job.id, "job_order.returned")
    assert ev.client_org_id == world.oid("acme") and not ev.internal


def test_staff_edit_of_a_pending_job_order_records_the_diff(world, as_user):
    job = pending(world, title="Rates", rate_min=Decimal("60"), rate_max=Decimal("70"), rate_unit="hour",
                  rate_type="bill_rate")
    morgan = as_user("morgan")
    data = form_data(world, title="Rates", rate_min="60", rate_max="80", location_type="hybrid",
                     version=str(reload(job.id).version))
    assert morgan.post(f"/staff/job-orders/{job.id}/edit", data).status_code == 302
    [ev] = events(job.id, "job_order.edited")
    assert "Maximum bill rate: 70 → 80 USD/hour" in ev.summary
    assert "Location type: Onsite → Hybrid" in ev.summary
    assert ev.client_org_id == world.oid("acme")


def test_client_cannot_edit_once_submitted_and_staff_cannot_edit_drafts(world, as_user):
    job = pending(world, title="Locked")
    resp = as_user("hana").post(f"/client/job-orders/{job.id}/edit", form_data(world, title="Changed", version="2"))
    assert resp.status_code == 409
    a_draft = draft(world, title="Hana's draft")
    assert as_user("morgan").get(f"/staff/job-orders/{a_draft.id}/edit").status_code == 409
    assert reload(job.id).title == "Locked"


# --- the life cycle ------------------------------------------------------------------------------

def test_transition_table_is_the_product_life_cycle():
    moves = {(t.source.value, t.action, t.target.value) for t in TRANSITIONS}
    assert ("draft", "submit", "pending_review") in moves
    assert ("pending_review", "approve", "open") in moves
    assert ("open", "hold", "on_hold") in moves and ("on_hold", "reopen", "open") in moves
    assert ("open", "fill", "filled") in moves and ("open", "close", "closed") in moves
    assert not any(t.source.value in ("closed", "filled") for t in TRANSITIONS)  # final states


def test_hold_reopen_close_by_the_hiring_manager(world, as_user):
    job = released(world, title="Cycle")
    hana = as_user("hana")
    assert hana.post(f"/client/job-orders/{job.id}/hold").status_code == 302
    assert reload(job.id).status == "on_hold"
    assert hana.post(f"/client/job-orders/{job.id}/hold").status_code == 409  # not twice
    assert hana.post(f"/client/job-orders/{job.id}/reopen").status_code == 302
    assert reload(job.id).status == "open"
    resp = hana.post(f"/client/job-orders/{job.id}/close", {"reason": ""})
    assert resp.status_code == 422 and reload(job.id).status == "open"
    resp = hana.post(f"/client/job-orders/{job.id}/close", {"reason": "other", "note": ""})
    assert resp.status_code == 422 and "Say why" in resp.get_data(as_text=True)
    assert hana.post(f"/client/job-orders/{job.id}/close", {"reason": "nonsense"}).status_code == 422
    assert hana.post(f"/client/job-orders/{job.id}/close", {"reason": "budget"}).status_code == 302
    after = reload(job.id)
    assert after.status == "closed" and after.close_reason == "budget" and after.closed_at is not None
    verbs = [e.verb for e in events(job.id) if e.client_org_id]
    assert verbs[-3:] == ["job_order.put_on_hold", "job_order.reopened", "job_order.closed"]
    resp = hana.post(f"/client/job-orders/{job.id}/reopen")
    assert resp.status_code == 409 and "closed" in resp.get_data(as_text=True)


def test_refused_transition_changes_nothing_and_writes_no_event(world):
    job = draft(world, title="Not yet")
    before = event_count()
    with pytest.raises(JobOrderError) as exc:
        run(world.user("hana"), services.hold, job)
    assert exc.value.status == 409
    db.session.rollback()
    with pytest.raises(JobOrderError) as exc:  # a client can't approve: role
        run(world.user("hana"), releases.approve_and_release, pending(world, title="Pending"),
            {world.oid("talentco"): 1})
    assert exc.value.status == 403
    db.session.rollback()
    assert reload(job.id).status == "draft"
    assert event_count() == before + 2  # only the second job's created + submitted


def test_guarded_update_refuses_a_move_made_meanwhile(world, app):
    """Two people read the job as open; the second's close finds it changed and fails cleanly."""
    job = released(world, title="Contended")
    hana, morgan = world.user("hana"), world.user("morgan")
    with as_actor(morgan):
        stale = db.session.scalar(select(JobOrder).where(JobOrder.id == job.id))
        assert stale.status == "open"
        with app.app_context():  # someone else's request, with its own session, acts first
            with as_actor(hana):
                services.hold(hana, db.session.scalar(select(JobOrder).where(JobOrder.id == job.id)))
                db.session.commit()
            db.session.remove()
        assert stale.status == "open"  # what the second person's page still shows
        with pytest.raises(JobOrderError) as exc:
            services.close(morgan, stale, "budget")
        assert exc.value.status == 409
        db.session.rollback()
    assert reload(job.id).status == "on_hold"
    assert not events(job.id, "job_order.closed")


def test_other_hiring_manager_of_the_company_sees_but_cannot_change(world, as_user, client):
    job = released(world, title="Hana's job")
    with system_scope("test setup"):
        acme = world.org("acme")
        db.session.add(User(org_id=acme.id, portal="client", email="otto@acme.example", name="Otto Other",
                            role="hiring_manager", status="active", password_hash=world.user("hana").password_hash))
        db.session.commit()
    otto = client
    otto.login("otto@acme.example", portal="client")
    assert otto.get(f"/client/job-orders/{job.id}").status_code == 200
    before = event_count()
    for action in ("hold", "close"):
        assert otto.post(f"/client/job-orders/{job.id}/{action}", {"reason": "budget"}).status_code == 403
    assert otto.get(f"/client/job-orders/{job.id}/edit").status_code == 403
    assert reload(job.id).status == "open" and event_count() == before
    # the client admin may act on any of the company's job orders
    assert as_user("olivia").post(f"/client/job-orders/{job.id}/hold").status_code == 302


def test_other_company_gets_404_on_every_action(world, as_user):
    job = released(world, title="Acme only")
    leo = as_user("leo")
    before = event_count()
    for url in (f"/client/job-orders/{job.id}", f"/client/job-orders/{job.id}/edit"):
        assert leo.get(url).status_code == 404
    for action in ("hold", "reopen", "close", "submit"):
        assert leo.post(f"/client/job-orders/{job.id}/{action}", {"reason": "budget"}).status_code == 404
    assert event_count() == before and reload(job.id).status == "open"


def test_mark_filled_is_the_systems_move_and_stops_submissions(world):
    job = released(world, title="Fill me")
    assert services.accepts_submissions(reload(job.id), world.oid("talentco"))
    with pytest.raises(JobOrderError) as exc:
        run(world.user("hana"), lambda actor, j: services._transition(actor, j, "fill"), job)
    assert exc.value.status == 403
    db.session.rollback()
    with system_scope("placement"):
        services.mark_filled(reload(job.id))
        db.session.commit()
    after = reload(job.id)
    assert after.status == "filled"
    assert not services.accepts_submissions(after, world.oid("talentco"))
    [ev] = [e for e in events(job.id, "job_order.filled") if e.client_org_id]
    assert ev.actor_user_id is None


def test_display_ids_are_per_client_and_never_reused(world):
    a1 = draft(world, "hana", title="A one")
    a2 = draft(world, "hana", title="A two")
    g1 = draft(world, "leo", title="G one")
    assert a2.number == a1.number + 1
    assert a1.reference == f"ACME-{a1.number:04d}" and g1.reference.startswith("GLBX-")
    run(world.user("hana"), services.close, a2, "cancelled")
    a3 = draft(world, "hana", title="A three")
    assert a3.number == a2.number + 1  # a closed job's number stays taken


def test_start_date_in_the_past_is_kept_when_unchanged_on_edit(world, as_user):
    job = released(world, title="Started", start_date=clock.now().date() + timedelta(days=1))
    with system_scope("test setup"):  # time passes: the start date is now in the past
        db.session.execute(JobOrder.__table__.update().where(JobOrder.__table__.c.id == job.id)
                           .values(start_date=date(2020, 1, 6)))
        db.session.commit()
    data = form_data(world, title="Started, renamed", start_date="2020-01-06", version=str(reload(job.id).version))
    assert as_user("morgan").post(f"/staff/job-orders/{job.id}/edit", data).status_code == 302
    assert reload(job.id).title == "Started, renamed"
