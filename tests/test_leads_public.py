"""The public talent request: validation and size limits, the honeypot, the rate limit per
address, mass assignment, XSS, double submits and the acknowledgement e-mail."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal import clock
from portal.db.tenancy import system_scope
from portal.events.models import Event
from portal.extensions import db
from portal.leads.models import Lead
from tests.conftest import PortalClient, sent_to

GOOD = {
    "company_name": "Initrode", "contact_name": "Bill Lumbergh", "email": "bill@initrode.example",
    "phone": "", "roles": "Forklift drivers", "headcount": "3", "location": "Austin, TX",
    "start_date": "", "details": "",
}


def _leads() -> list[Lead]:
    with system_scope("test"):
        return list(db.session.scalars(select(Lead).where(Lead.source == "web_form").order_by(Lead.id)))


def _count(model, *where) -> int:
    with system_scope("test"):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_form_has_visible_labels_and_a_honeypot_hidden_from_people(client):
    text = client.get("/request-talent").get_data(as_text=True)
    for label in ("Company name", "Your name", "Work e-mail address", "What roles do you need?",
                  "How many people?", "Where will they work?", "When should they start?"):
        assert label in text
    honeypot = text.split('aria-hidden="true"')[1].split("</div>")[0]
    assert 'name="website"' in honeypot and 'tabindex="-1"' in honeypot
    assert 'class="visually-hidden" aria-hidden="true"' in text
    assert "style=" not in text and "<script>" not in text


@pytest.mark.parametrize("field,value,message", [
    ("company_name", "A" * 201, "Use 200 characters or fewer."),
    ("company_name", "", "Enter your company&#39;s name."),
    ("company_name", "Evil\r\nBcc: victim@example.com", "Use one line of plain text."),
    ("contact_name", "B" * 121, "Use 120 characters or fewer."),
    ("email", "not-an-address", "Enter an e-mail address like name@company.com."),
    ("email", "a" * 250 + "@x.example", "Use 254 characters or fewer."),
    ("phone", "call me maybe", "Enter a phone number"),
    ("phone", "1" * 41, "Use 40 characters or fewer."),
    ("roles", "R" * 201, "Use 200 characters or fewer."),
    ("headcount", "0", "Enter a number from 1 to 999."),
    ("headcount", "-4", "Enter a number from 1 to 999."),
    ("headcount", "lots", "Enter a whole number, like 3."),
    ("location", "L" * 201, "Use 200 characters or fewer."),
    ("start_date", "2001-01-01", "The date can&#39;t be in the past."),
    ("start_date", "31/02/2030", "Enter a real date."),
    ("details", "D" * 4001, "Use 4000 characters or fewer."),
])
def test_bad_input_is_refused_next_to_the_field_and_nothing_is_kept(client, outbox, field, value, message):
    before = _count(Lead)
    resp = client.post("/request-talent", {**GOOD, field: value})
    assert resp.status_code == 422
    text = resp.get_data(as_text=True)
    assert message in text and f'href="#{field}"' in text  # the error summary links to the field
    assert "Bill Lumbergh" in text or field == "contact_name"  # what was typed is kept
    assert _count(Lead) == before and outbox == []


def test_a_request_body_far_too_large_is_refused_before_anything_is_kept(client):
    before = _count(Lead)
    resp = client.post("/request-talent", {**GOOD, "details": "x" * 70_000})
    assert resp.status_code == 413
    assert _count(Lead) == before


def test_the_honeypot_silently_discards_bots(client, outbox):
    before_leads, before_events = _count(Lead), _count(Event)
    resp = client.post("/request-talent", {**GOOD, "website": "http://spam.example"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/request-talent/thanks"
    assert client.get("/request-talent/thanks").status_code == 200  # the bot learns nothing
    assert _count(Lead) == before_leads and _count(Event) == before_events and outbox == []


def test_forged_fields_change_nothing(world, client):
    forged = {**GOOD, "assigned_to_id": world.uid("nadia"), "status": "qualified", "source": "referral",
              "client_org_id": world.oid("acme"), "routed_by": "manual", "created_by_id": world.uid("nadia"),
              "respond_by": "2001-01-01", "first_touched_at": "2001-01-01", "id": "1"}
    assert client.post("/request-talent", forged).status_code == 302
    lead = _leads()[-1]
    assert lead.company_name == "Initrode" and lead.id != 1
    assert (lead.status, lead.source, lead.routed_by) == ("new", "web_form", "round_robin")
    assert lead.assigned_to_id == world.uid("morgan") and lead.client_org_id is None
    assert lead.created_by_id is None and lead.first_touched_at is None and lead.respond_by > lead.created_at


def test_the_requester_gets_an_acknowledgement_in_text_and_html(client, outbox):
    client.post("/request-talent", {**GOOD, "start_date": (clock.now().date() + timedelta(days=30)).isoformat()})
    [mail] = sent_to(outbox, "bill@initrode.example")
    lead = _leads()[-1]
    assert "received your request" in mail.subject and lead.reference in mail.body
    assert "Forklift drivers" in mail.body and "one business day" in mail.body
    [(html, mimetype)] = mail.alternatives
    assert mimetype == "text/html" and lead.reference in html


def test_a_double_submit_makes_one_lead_and_one_mail(client, outbox):
    form = client.get("/request-talent").get_data(as_text=True)
    key = form.split('name="create_key" type="hidden" value="')[1].split('"')[0]
    before = _count(Lead)
    for _ in range(2):
        assert client.post("/request-talent", {**GOOD, "create_key": key}).status_code == 302
    assert _count(Lead) == before + 1
    assert len(sent_to(outbox, "bill@initrode.example")) == 1


def test_fifty_rapid_requests_from_one_address_are_throttled(app, client):
    before = _count(Lead)
    answers = [client.post("/request-talent", {**GOOD, "company_name": f"Spammer {i}"}).status_code
               for i in range(50)]
    assert answers[:5] == [302] * 5 and set(answers[5:]) == {429}
    assert _count(Lead) == before + 5
    resp = client.post("/request-talent", GOOD)
    text = resp.get_data(as_text=True)
    assert resp.status_code == 429 and "Too many attempts. Please try again in" in text and "<html" in text
    # the form itself still opens, and another address is not affected
    assert client.get("/request-talent").status_code == 200
    other = PortalClient(app)
    resp = other.post("/request-talent", GOOD, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert resp.status_code == 302


def test_html_and_htmx_in_the_company_name_are_escaped_everywhere(client, as_user, outbox):
    payload = '<script>alert(1)</script><div hx-get="/logout" hx-trigger="load">Evil'
    assert client.post("/request-talent", {**GOOD, "company_name": payload, "roles": payload[:200]}).status_code == 302
    lead = _leads()[-1]
    assert lead.company_name == payload
    pages = [client.get("/request-talent/thanks")]
    morgan = as_user("morgan")
    pages += [morgan.get("/staff/leads"), morgan.get(f"/staff/leads/{lead.id}"), morgan.get("/staff/")]
    for resp in pages:
        text = resp.get_data(as_text=True)
        assert payload not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text, resp.request.path
    for mail in outbox:
        for html, _ in mail.alternatives:
            assert "<script>" not in html
