"""Releasing job orders in tiers, the tier-2 tick rule, pulling suppliers, what suppliers see,
spec changes, questions and answers, internal notes."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.db.tenancy import Scope, scoped, system_scope
from portal.events.models import Event
from portal.extensions import db
from portal.job_orders import conversation, releases, services
from portal.job_orders.models import JobOrder, JobOrderNote, JobOrderQuestion, JobOrderRelease
from portal.job_orders.services import JobOrderError
from tests.test_job_orders_support import (
    T0,
    event_count,
    events,
    frozen,
    pending,
    released,
    reload,
    run,
    tick,
)


def _releases(job_id: int) -> dict[int, JobOrderRelease]:
    with system_scope("test read"):
        db.session.expire_all()
        return {r.supplier_org_id: r for r in db.session.scalars(
            select(JobOrderRelease).where(JobOrderRelease.job_order_id == job_id))}


@pytest.fixture
def settled(world):
    """Release whatever the seeded world has pending at T0, so tick counts below are this test's."""
    with frozen(T0):
        tick()


def _supplier_sees(world, short: str, job_id: int) -> bool:
    with scoped(Scope("supplier", world.oid(short))):
        return db.session.scalar(select(JobOrder.id).where(JobOrder.id == job_id)) is not None


# --- approve and release ---------------------------------------------------------------------------

def test_release_form_is_prefilled_from_the_clients_panel(world, as_user):
    job = pending(world, title="Prefill")
    page = as_user("morgan").get(f"/staff/job-orders/{job.id}/release").get_data(as_text=True)
    # Acme's panel: TalentCo tier 1, BluePeak tier 2
    talentco, bluepeak = world.oid("talentco"), world.oid("bluepeak")
    assert f'name="tier_{talentco}"' in page and f'name="tier_{bluepeak}"' in page
    talentco_select = page.split(f'name="tier_{talentco}"')[1].split("</select>")[0]
    bluepeak_select = page.split(f'name="tier_{bluepeak}"')[1].split("</select>")[0]
    assert '<option selected value="1">' in talentco_select
    assert '<option selected value="2">' in bluepeak_select


def test_approve_and_release_in_two_tiers(world, as_user):
    with frozen(T0):
        job = pending(world, title="Tiered")
        talentco, bluepeak = world.oid("talentco"), world.oid("bluepeak")
        morgan = as_user("morgan")
        resp = morgan.post(f"/staff/job-orders/{job.id}/release", {f"tier_{talentco}": "1", f"tier_{bluepeak}": "2"})
        assert resp.status_code == 302
    after = reload(job.id)
    assert after.status == "open" and after.approved_at == T0 and after.released_at == T0
    rel = _releases(job.id)
    assert rel[talentco].released_at == T0 and rel[talentco].tier == 1
    assert rel[bluepeak].released_at is None and rel[bluepeak].scheduled_at == T0 + timedelta(hours=24)
    assert _supplier_sees(world, "talentco", job.id) and not _supplier_sees(world, "bluepeak", job.id)
    [release_event] = events(job.id, "job_order.released")
    assert (release_event.client_org_id, release_event.supplier_org_id) == (world.oid("acme"), talentco)
    assert events(job.id, "job_order.approved")[0].client_org_id == world.oid("acme")


def test_approval_needs_a_supplier_and_unknown_tiers_are_refused(world, as_user):
    job = pending(world, title="Nobody")
    morgan = as_user("morgan")
    talentco = world.oid("talentco")
    assert morgan.post(f"/staff/job-orders/{job.id}/release", {f"tier_{talentco}": ""}).status_code == 422
    assert morgan.post(f"/staff/job-orders/{job.id}/release", {f"tier_{talentco}": "7"}).status_code == 422
    forged = {f"tier_{world.oid('globex')}": "1", "status": "open"}  # not a supplier on the form
    assert morgan.post(f"/staff/job-orders/{job.id}/release", forged).status_code == 422
    assert reload(job.id).status == "pending_review" and not _releases(job.id)


def test_double_approval_succeeds_once(world, as_user):
    job = pending(world, title="Twice")
    morgan = as_user("morgan")
    data = {f"tier_{world.oid('talentco')}": "1"}
    assert morgan.post(f"/staff/job-orders/{job.id}/release", data).status_code == 302
    second = morgan.post(f"/staff/job-orders/{job.id}/release", data)  # a double click
    assert second.status_code == 422  # TalentCo is no longer a choice: nothing to release
    assert len(events(job.id, "job_order.approved")) == 1
    assert len(events(job.id, "job_order.released")) == 1


def test_tier_two_released_by_tick_after_the_delay(world, settled):
    with frozen(T0):
        job = released(world, {"talentco": 1, "bluepeak": 2}, title="Delayed")
    bluepeak = world.oid("bluepeak")
    with frozen(T0 + timedelta(hours=23, minutes=59)):
        assert tick()["job_orders_tier_two_released"] == 0
    assert not _supplier_sees(world, "bluepeak", job.id)
    with frozen(T0 + timedelta(hours=24)):
        assert tick()["job_orders_tier_two_released"] == 1
        assert tick()["job_orders_tier_two_released"] == 0  # idempotent
    assert _releases(job.id)[bluepeak].released_at == T0 + timedelta(hours=24)
    assert _supplier_sees(world, "bluepeak", job.id)
    supplier_events = [e for e in events(job.id, "job_order.released") if e.supplier_org_id == bluepeak]
    assert len(supplier_events) == 1 and supplier_events[0].client_org_id == world.oid("acme")


def test_tier_two_released_early_when_first_submission_is_overdue(world, settled, as_user):
    """Time to first submission (6 h here) runs out with no submission: tier 2 at once."""
    morgan = world.user("morgan")
    run(morgan, releases.set_client_settings, world.org("acme"), tier2_delay_hours=48, first_submission_hours=6)
    with frozen(T0):
        job = released(world, {"talentco": 1, "bluepeak": 2}, title="Slow start")
    assert _releases(job.id)[world.oid("bluepeak")].scheduled_at == T0 + timedelta(hours=48)
    with frozen(T0 + timedelta(hours=5)):
        assert tick()["job_orders_tier_two_released"] == 0
    with frozen(T0 + timedelta(hours=6)):
        assert tick()["job_orders_tier_two_released"] == 1
    assert _supplier_sees(world, "bluepeak", job.id)


def test_first_submission_rule_reads_has_submissions(world, settled, monkeypatch):
    run(world.user("morgan"), releases.set_client_settings, world.org("acme"), tier2_delay_hours=48,
        first_submission_hours=6)
    with frozen(T0):
        job = released(world, {"talentco": 1, "bluepeak": 2}, title="Busy")
    monkeypatch.setattr(services, "has_submissions", lambda job: True)
    with frozen(T0 + timedelta(hours=7)):
        assert tick()["job_orders_tier_two_released"] == 0
    with frozen(T0 + timedelta(hours=48)):
        assert tick()["job_orders_tier_two_released"] == 1  # the delay still applies


def test_tier_two_waits_while_on_hold_and_never_releases_a_closed_job(world, settled):
    with frozen(T0):
        held = released(world, {"talentco": 1, "bluepeak": 2}, title="Held")
        closed = released(world, {"talentco": 1, "bluepeak": 2}, title="Gone")
        run(world.user("hana"), services.hold, held)
        run(world.user("hana"), services.close, closed, "cancelled")
    with frozen(T0 + timedelta(days=3)):
        assert tick()["job_orders_tier_two_released"] == 0
        run(world.user("hana"), services.reopen, held)
        assert tick()["job_orders_tier_two_released"] == 1
    assert _supplier_sees(world, "bluepeak", held.id) and not _supplier_sees(world, "bluepeak", closed.id)


def test_client_delay_setting_and_its_page(world, as_user):
    morgan = as_user("morgan")
    acme = world.oid("acme")
    assert morgan.get(f"/staff/job-orders/clients/{acme}/settings").status_code == 200
    assert morgan.post(f"/staff/job-orders/clients/{acme}/settings", {"tier2_delay_hours": "-1"}).status_code == 422
    assert morgan.post(f"/staff/job-orders/clients/{acme}/settings", {"tier2_delay_hours": "x"}).status_code == 422
    assert morgan.post(f"/staff/job-orders/clients/{acme}/settings",
                       {"tier2_delay_hours": "0", "first_submission_hours": ""}).status_code == 302
    with system_scope("test"):
        assert releases.settings_for(acme) == (0, 24)
        [ev] = db.session.scalars(select(Event).where(Event.verb == "job_order.settings_changed")).all()
        assert ev.internal and ev.client_org_id == acme
    job = released(world, {"bluepeak": 2}, title="No delay")  # delay 0: tier 2 at once
    assert _supplier_sees(world, "bluepeak", job.id)
    assert morgan.get(f"/staff/job-orders/clients/{world.oid('talentco')}/settings").status_code == 404


# --- adding and pulling suppliers -----------------------------------------------------------------

def test_add_a_supplier_later_and_pull_one(world, as_user):
    job = released(world, {"talentco": 1}, title="Later")
    talentco, bluepeak = world.oid("talentco"), world.oid("bluepeak")
    morgan = as_user("morgan")
    assert morgan.post(f"/staff/job-orders/{job.id}/release", {f"tier_{bluepeak}": "1"}).status_code == 302
    assert _supplier_sees(world, "bluepeak", job.id)
    rel = _releases(job.id)[talentco]
    assert morgan.post(f"/staff/job-orders/{job.id}/releases/{rel.id}/pull").status_code == 302
    assert morgan.post(f"/staff/job-orders/{job.id}/releases/{rel.id}/pull").status_code == 409
    after = reload(job.id)
    assert _releases(job.id)[talentco].withdrawn_at is not None
    assert not services.accepts_submissions(after, talentco)
    assert services.accepts_submissions(after, bluepeak)
    # the pulled supplier still sees the job, closed to it
    sam = as_user("sam")
    page = sam.get(f"/supplier/job-orders/{job.id}").get_data(as_text=True)
    assert "closed to your company" in page
    assert "Closed to you" in sam.get("/supplier/job-orders").get_data(as_text=True)
    # a release of another job can't be pulled through this one
    other = released(world, {"talentco": 1}, title="Other")
    other_rel = _releases(other.id)[talentco]
    assert morgan.post(f"/staff/job-orders/{job.id}/releases/{other_rel.id}/pull").status_code == 404
    # put back: it sees the job open again
    assert morgan.post(f"/staff/job-orders/{job.id}/release", {f"tier_{talentco}": "2"}).status_code == 302
    assert services.accepts_submissions(reload(job.id), talentco)


# --- what suppliers see ----------------------------------------------------------------------------

def test_supplier_sees_only_released_jobs_and_never_internal_fields(world, as_user):
    job = released(world, {"talentco": 1}, title="Secretive")
    run(world.user("morgan"), conversation.add_note, job, "Client is hard to reach: SECRET-NOTE")
    sam, priya = as_user("sam"), as_user("priya")
    page = sam.get(f"/supplier/job-orders/{job.id}").get_data(as_text=True)
    assert "Secretive" in page and "SECRET-NOTE" not in page
    assert "Hana Kobayashi" not in page  # the hiring manager is not a supplier's contact
    assert priya.get(f"/supplier/job-orders/{job.id}").status_code == 404
    link = f'href="/supplier/job-orders/{job.id}"'
    assert link not in priya.get("/supplier/job-orders?q=Secretive").get_data(as_text=True)
    assert link in sam.get("/supplier/job-orders?q=Secretive").get_data(as_text=True)
    draft_job = pending(world, title="Unreleased")
    assert sam.get(f"/supplier/job-orders/{draft_job.id}").status_code == 404
    with scoped(Scope("supplier", world.oid("talentco"))):
        assert db.session.scalars(select(JobOrderNote)).all() == []


def test_status_changes_show_on_the_suppliers_page_at_once(world, as_user):
    job = released(world, {"talentco": 1}, title="Changing")
    sam = as_user("sam")
    assert "Open for submissions" in sam.get(f"/supplier/job-orders/{job.id}").get_data(as_text=True)
    run(world.user("hana"), services.hold, job)
    assert "on hold" in sam.get(f"/supplier/job-orders/{job.id}").get_data(as_text=True)
    run(world.user("hana"), services.reopen, job)
    run(world.user("hana"), services.close, job, "filled_elsewhere")
    page = sam.get(f"/supplier/job-orders/{job.id}").get_data(as_text=True)
    assert "This job order is closed" in page and "Open for submissions" not in page
    supplier_verbs = [e.verb for e in events(job.id) if e.supplier_org_id and not e.client_org_id]
    assert supplier_verbs == ["job_order.put_on_hold", "job_order.reopened", "job_order.closed"]


def test_spec_change_is_recorded_field_by_field_for_every_released_supplier(world, as_user):
    job = released(world, {"talentco": 1, "bluepeak": 1}, title="Spec", rate_min=Decimal("60"),
                   rate_max=Decimal("70"), rate_unit="hour", rate_type="bill_rate", location_type="onsite")
    morgan = world.user("morgan")
    run(morgan, services.update_job_order, reload(job.id), {"rate_max": Decimal("80"), "location_type": "hybrid",
                                                            "hiring_manager_id": world.uid("olivia")})
    edits = events(job.id, "job_order.edited")
    main = [e for e in edits if e.client_org_id]
    copies = {e.supplier_org_id: e for e in edits if not e.client_org_id}
    assert len(main) == 1 and set(copies) == {world.oid("talentco"), world.oid("bluepeak")}
    for copy in copies.values():
        assert "Maximum bill rate: 70 → 80 USD/hour" in copy.summary
        assert "Location type: Onsite → Hybrid" in copy.summary
        assert "Hiring manager" not in copy.summary  # not a supplier-visible field
        assert not copy.internal
    assert "Hiring manager: Hana Kobayashi → Olivia Brandt" in main[0].summary
    for short in ("sam", "priya"):
        c = as_user(short)
        page = c.get(f"/supplier/job-orders/{job.id}").get_data(as_text=True)
        assert "Maximum bill rate: 70 → 80 USD/hour" in page
        assert "Olivia" not in page


def test_new_and_updated_marks_since_the_last_visit(world, as_user):
    job = released(world, {"talentco": 1}, title="Markable")
    sam = as_user("sam")
    listing = sam.get("/supplier/job-orders?q=Markable").get_data(as_text=True)
    assert ">New<" in listing
    sam.get(f"/supplier/job-orders/{job.id}")
    listing = sam.get("/supplier/job-orders?q=Markable").get_data(as_text=True)
    assert ">New<" not in listing and ">Updated<" not in listing
    run(world.user("morgan"), services.update_job_order, reload(job.id), {"openings": 4})
    listing = sam.get("/supplier/job-orders?q=Markable").get_data(as_text=True)
    assert ">Updated<" in listing
    page = sam.get(f"/supplier/job-orders/{job.id}").get_data(as_text=True)
    assert "New since your last visit" in page and "Openings: 1 → 4" in page
    # ravi, sam's colleague, has not opened it yet
    assert ">New<" in as_user("ravi").get("/supplier/job-orders?q=Markable").get_data(as_text=True)


# --- questions and answers ---------------------------------------------------------------------------

def test_question_answered_once_and_seen_by_every_released_supplier_without_author(world, as_user):
    job = released(world, {"talentco": 1, "bluepeak": 1}, title="Q&A job")
    sam, priya = as_user("sam"), as_user("priya")
    assert sam.post(f"/supplier/job-orders/{job.id}/questions", {"body": ""}).status_code == 422
    assert sam.post(f"/supplier/job-orders/{job.id}/questions", {"body": "x" * 2001}).status_code == 422
    data = {"body": "Is overtime paid at 1.5x?", "create_key": "q-1"}
    assert sam.post(f"/supplier/job-orders/{job.id}/questions", data).status_code == 302
    assert sam.post(f"/supplier/job-orders/{job.id}/questions", data).status_code == 302  # double click
    with system_scope("test"):
        [question] = db.session.scalars(select(JobOrderQuestion).where(JobOrderQuestion.job_order_id == job.id))
    # before the answer, the other supplier does not see the open question
    assert "overtime" not in priya.get(f"/supplier/job-orders/{job.id}").get_data(as_text=True)
    assert "asked by your company" in sam.get(f"/supplier/job-orders/{job.id}").get_data(as_text=True)
    hana = as_user("hana")
    assert "overtime" in hana.get(f"/client/job-orders/{job.id}").get_data(as_text=True)
    answer_url = f"/client/job-orders/{job.id}/questions/{question.id}/answer"
    assert hana.post(answer_url, {"answer": ""}).status_code == 422
    assert hana.post(answer_url, {"answer": "Yes, after 40 hours."}).status_code == 302
    assert hana.post(answer_url, {"answer": "Changed my mind."}).status_code == 409  # once
    morgan = as_user("morgan")
    assert morgan.post(f"/staff/job-orders/{job.id}/questions/{question.id}/answer",
                       {"answer": "Other"}).status_code == 409
    page = priya.get(f"/supplier/job-orders/{job.id}").get_data(as_text=True)
    assert "Is overtime paid at 1.5x?" in page and "Yes, after 40 hours." in page
    assert "TalentCo" not in page and "Sam Whitaker" not in page
    copies = [e for e in events(job.id, "job_order.question_answered") if not e.client_org_id]
    assert {e.supplier_org_id for e in copies} == {world.oid("talentco"), world.oid("bluepeak")}
    assert all("TalentCo" not in e.summary for e in copies)
    [asked] = events(job.id, "job_order.question_asked")
    assert asked.supplier_org_id == world.oid("talentco") and asked.client_org_id == world.oid("acme")
    assert "TalentCo" not in asked.summary
    # staff see who asked
    assert "TalentCo Search" in morgan.get(f"/staff/job-orders/{job.id}").get_data(as_text=True)


def test_questions_refused_when_closed_to_the_supplier(world, as_user):
    job = released(world, {"talentco": 1}, title="Closed Q")
    run(world.user("hana"), services.close, job, "cancelled")
    before = event_count()
    resp = as_user("sam").post(f"/supplier/job-orders/{job.id}/questions", {"body": "Still open?"})
    assert resp.status_code == 409 and event_count() == before
    with pytest.raises(JobOrderError):
        run(world.user("hana"), conversation.ask_question, reload(job.id), "A client asking?")
    db.session.rollback()


def test_answer_endpoint_checks_the_question_belongs_to_the_job(world, as_user):
    a = released(world, {"talentco": 1}, title="A")
    b = released(world, {"talentco": 1}, title="B")
    q = run(world.user("sam"), conversation.ask_question, b, "On B?")
    resp = as_user("hana").post(f"/client/job-orders/{a.id}/questions/{q.id}/answer", {"answer": "x"})
    assert resp.status_code == 404


# --- internal notes ----------------------------------------------------------------------------------

def test_internal_notes_are_staff_only(world, as_user):
    job = released(world, {"talentco": 1}, title="Noted")
    morgan = as_user("morgan")
    assert morgan.post(f"/staff/job-orders/{job.id}/notes", {"body": ""}).status_code == 422
    assert morgan.post(f"/staff/job-orders/{job.id}/notes", {"body": "Budget may move: NOTE-MARK"}).status_code == 302
    assert "NOTE-MARK" in morgan.get(f"/staff/job-orders/{job.id}").get_data(as_text=True)
    [ev] = events(job.id, "job_order.note_added")
    assert ev.internal and ev.client_org_id == world.oid("acme")
    for short, url in (("hana", f"/client/job-orders/{job.id}"), ("sam", f"/supplier/job-orders/{job.id}")):
        page = as_user(short).get(url).get_data(as_text=True)
        assert "NOTE-MARK" not in page and "internal note" not in page
    assert "NOTE-MARK" not in as_user("hana").get("/client/").get_data(as_text=True)
    with scoped(Scope("client", world.oid("acme"))):
        assert db.session.scalars(select(JobOrderNote)).all() == []
        assert db.session.scalar(select(Event.id).where(Event.id == ev.id)) is None
