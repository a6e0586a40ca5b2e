"""The CRM journey as a new user lives it: an unknown company asks for talent, the lead is routed
to an account manager, who logs a call, wins it and converts it; the new client's hiring manager
is invited, sets a password and finds the draft job order waiting."""
from __future__ import annotations

import re

from sqlalchemy import select

from portal import clock
from portal.accounts.models import ClientAccountManager, Organisation, User
from portal.db.tenancy import system_scope
from portal.events.models import Event
from portal.extensions import db
from portal.leads.models import Lead, Opportunity
from tests.conftest import PortalClient, sent_to

REQUEST = {
    "company_name": "Initrode", "contact_name": "Bill Lumbergh", "email": "Bill@Initrode.example",
    "phone": "+1 555 010 0199", "roles": "Forklift drivers", "headcount": "3", "location": "Austin, TX",
    "start_date": "", "details": "Night shift.\nForklift licence needed.",
}
LINK = re.compile(r"http://portal\.test(/account/set-password/[A-Za-z0-9_\-]+)")


def lead_by_company(name: str) -> Lead:
    with system_scope("test"):
        return db.session.scalar(select(Lead).where(Lead.company_name == name))


def test_request_to_signed_client_with_a_draft_job_order(app, world, client, as_user, outbox):
    # 1. An unknown company asks for talent, without signing in.
    page = client.get("/request-talent")
    assert page.status_code == 200 and "Request talent" in page.get_data(as_text=True)
    resp = client.post("/request-talent", REQUEST)
    assert resp.status_code == 302 and resp.headers["Location"] == "/request-talent/thanks"
    thanks = client.get("/request-talent/thanks").get_data(as_text=True)
    assert "Thank you, Initrode" in thanks and "bill@initrode.example" in thanks

    # 2. The lead is routed at once to the account manager taking new leads (morgan in the world).
    lead = lead_by_company("Initrode")
    assert lead.assigned_to_id == world.uid("morgan") and lead.routed_by == "round_robin"
    assert lead.status == "new" and lead.email == "bill@initrode.example"
    [ack] = sent_to(outbox, "bill@initrode.example")
    assert lead.reference in ack.body and ack.alternatives
    [note] = sent_to(outbox, "morgan@northwind.example")
    assert f"/staff/leads/{lead.id}" in note.body
    with system_scope("test"):
        received = db.session.scalar(select(Event).where(Event.verb == "lead.received", Event.subject_id == lead.id))
    assert received.internal is True and received.actor_user_id is None
    assert received.data["routed_by"] == "round_robin" and received.client_org_id is None

    morgan = as_user("morgan")
    queue = morgan.get("/staff/leads?owner=me").get_data(as_text=True)
    assert "Initrode" in queue and lead.reference in queue

    # 3. A call is logged: the response clock stops.
    today = clock.now().date().isoformat()
    resp = morgan.post(f"/staff/leads/{lead.id}/activities", {
        "activity-kind": "call", "activity-occurred_on": today, "activity-summary": "Three drivers, nights."})
    assert resp.status_code == 302
    lead = lead_by_company("Initrode")
    assert lead.status == "working" and lead.first_touched_at is not None

    # 4. Qualified, then won.
    resp = morgan.post(f"/staff/leads/{lead.id}/qualify", {
        "qualify-name": "Initrode — forklift drivers", "qualify-owner_id": world.uid("morgan"),
        "qualify-expected_value": "60000", "qualify-currency": "USD"})
    assert resp.status_code == 302
    with system_scope("test"):
        opp = db.session.scalar(select(Opportunity).where(Opportunity.lead_id == lead.id))
    assert resp.headers["Location"] == f"/staff/opportunities/{opp.id}"
    assert "Three drivers, nights." in morgan.get(f"/staff/opportunities/{opp.id}").get_data(as_text=True)
    assert morgan.post(f"/staff/opportunities/{opp.id}/stage", {"stage-stage": "won"}).status_code == 302

    # 5. The conversion form is filled in from the request: nothing to retype.
    form = morgan.get(f"/staff/opportunities/{opp.id}/convert").get_data(as_text=True)
    for value in ('value="Initrode"', 'value="INITRODE"', 'value="initrode.example"', 'value="Bill Lumbergh"',
                  'value="bill@initrode.example"', 'value="Forklift drivers"', 'value="3"', 'value="Austin, TX"'):
        assert value in form, value
    resp = morgan.post(f"/staff/opportunities/{opp.id}/convert", {
        "client_org_id": "0", "org_name": "Initrode", "code": "INIT", "email_domain": "initrode.example",
        "hm_name": "Bill Lumbergh", "hm_email": "bill@initrode.example", "hm_title": "Operations Manager",
        "create_job": "y", "job_title": "Forklift drivers", "job_openings": "3", "job_location": "Austin, TX",
        "job_start_date": ""})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    with system_scope("test"):
        initrode = db.session.scalar(select(Organisation).where(Organisation.code == "INIT"))
        bill = db.session.scalar(select(User).where(User.email == "bill@initrode.example"))
        managers = set(db.session.scalars(select(ClientAccountManager.user_id)
                                          .where(ClientAccountManager.client_org_id == initrode.id)))
        converted = db.session.scalar(select(Event).where(Event.verb == "opportunity.converted",
                                                        Event.subject_id == opp.id))
    assert initrode.kind == "client" and initrode.email_domain == "initrode.example"
    assert bill.org_id == initrode.id and bill.role == "hiring_manager" and bill.status == "invited"
    assert managers == {world.uid("morgan")}
    assert converted.internal is True and converted.data["created_client"] is True

    # 6. The hiring manager is invited, sets a password and finds the draft waiting.
    [invitation] = sent_to(outbox, "bill@initrode.example")[1:]
    link = LINK.search(invitation.body).group(1)
    guest = PortalClient(app)
    resp = guest.post(link, {"password": "correct horse battery", "confirm": "correct horse battery"})
    assert resp.status_code == 302
    guest.login("bill@initrode.example", portal="client", password="correct horse battery")
    jobs = guest.get("/client/job-orders").get_data(as_text=True)
    assert "Forklift drivers" in jobs and "INIT-0001" in jobs
    from portal.job_orders.models import JobOrder

    with system_scope("test"):
        job = db.session.scalar(select(JobOrder).where(JobOrder.client_org_id == initrode.id))
    assert job.status == "draft" and job.openings == 3 and job.location == "Austin, TX"
    assert job.hiring_manager_id == bill.id and job.summary == "Night shift.\nForklift licence needed."
    assert guest.get(f"/client/job-orders/{job.id}").status_code == 200
    assert opp.id and lead_by_company("Initrode").client_org_id == initrode.id
