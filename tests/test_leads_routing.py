"""Routing: a fair round robin held in the database (also under concurrent requests, on SQLite
and PostgreSQL), the existing-client rule, nobody taking leads, the business-day response
target and the dashboard flag, and who may say who takes new leads."""
from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from portal import clock
from portal.accounts import services as accounts
from portal.accounts.models import Organisation, User
from portal.db.tenancy import system_scope
from portal.events.models import Event
from portal.extensions import db
from portal.leads import services
from portal.leads.models import Lead, StaffLeadSettings
from portal.leads.routing import add_business_days
from tests.conftest import PortalClient
from tests.test_leads_public import GOOD

UTC = timezone.utc
FLAG = '<span class="badge badge-danger">Past response target</span>'


def _takes(short_names: dict[str, bool], world) -> None:
    with system_scope("test"):
        for short, takes in short_names.items():
            user = db.session.scalar(select(User).where(User.id == world.uid(short)))
            services.set_takes_new_leads(None, user, takes)
        db.session.commit()


def _request(app, i: int, **extra):
    return PortalClient(app).post("/request-talent", {**GOOD, "company_name": f"Company {i}", **extra},
                                  environ_base={"REMOTE_ADDR": f"203.0.113.{i + 1}"})


def _new_leads(after_id: int) -> list[Lead]:
    with system_scope("test"):
        return list(db.session.scalars(select(Lead).where(Lead.id > after_id).order_by(Lead.id)))


def _last_id() -> int:
    with system_scope("test"):
        return db.session.scalar(select(Lead.id).order_by(Lead.id.desc()).limit(1)) or 0


def _add_staff(name: str, email: str) -> int:
    with system_scope("test"):
        agency = db.session.scalar(select(Organisation).where(Organisation.kind == "agency"))
        user = User(org_id=agency.id, portal="staff", email=email, name=name, role="account_manager",
                    status="active")
        db.session.add(user)
        db.session.commit()
        return user.id


@pytest.mark.parametrize("start,days,expected", [
    (datetime(2026, 11, 20, 10, 0, tzinfo=UTC), 1, datetime(2026, 11, 23, 10, 0, tzinfo=UTC)),  # Fri → Mon
    (datetime(2026, 11, 18, 16, 30, tzinfo=UTC), 1, datetime(2026, 11, 19, 16, 30, tzinfo=UTC)),  # Wed → Thu
    (datetime(2026, 11, 21, 15, 0, tzinfo=UTC), 1, datetime(2026, 11, 24, 0, 0, tzinfo=UTC)),  # Sat → Tue 00:00
    (datetime(2026, 11, 22, 23, 0, tzinfo=UTC), 1, datetime(2026, 11, 24, 0, 0, tzinfo=UTC)),  # Sun → Tue 00:00
    (datetime(2026, 11, 19, 9, 0, tzinfo=UTC), 2, datetime(2026, 11, 23, 9, 0, tzinfo=UTC)),  # Thu +2 → Mon
])
def test_business_days_skip_the_weekend(start, days, expected):
    assert add_business_days(start, days) == expected


def test_two_account_managers_taking_leads_get_alternate_leads(app, world):
    _takes({"nadia": True}, world)
    first = _last_id()
    for i in range(6):
        assert _request(app, i).status_code == 302
    owners = [lead.assigned_to_id for lead in _new_leads(first)]
    assert all(a != b for a, b in zip(owners, owners[1:])), owners
    assert Counter(owners) == {world.uid("morgan"): 3, world.uid("nadia"): 3}
    assert {lead.routed_by for lead in _new_leads(first)} == {"round_robin"}


def test_three_rotate_and_those_not_taking_or_inactive_never_get_one(app, world):
    extra = _add_staff("Ola Berg", "ola@northwind.example")
    with system_scope("test"):
        services.set_takes_new_leads(None, db.session.get(User, extra), True)
        db.session.commit()
    _takes({"nadia": True}, world)
    first = _last_id()
    for i in range(6):
        _request(app, i)
    owners = [lead.assigned_to_id for lead in _new_leads(first)]
    assert Counter(owners) == {world.uid("morgan"): 2, world.uid("nadia"): 2, extra: 2}
    assert len(set(owners[:3])) == 3 and owners[:3] == owners[3:]
    # nadia stops taking leads, ola is deactivated: morgan gets everything
    _takes({"nadia": False}, world)
    with system_scope("test"):
        db.session.get(User, extra).status = "deactivated"
        db.session.commit()
    first = _last_id()
    for i in range(3):
        _request(app, 10 + i)
    assert {lead.assigned_to_id for lead in _new_leads(first)} == {world.uid("morgan")}


def test_ten_simultaneous_requests_are_spread_five_and_five(app, world):
    """Threads released together: the counter row serialises routing (SQLite and PostgreSQL)."""
    _takes({"nadia": True}, world)
    first = _last_id()
    barrier = threading.Barrier(10)
    answers: list[int] = []

    def submit(i: int) -> None:
        with app.app_context():
            c = PortalClient(app)
            c.csrf_token()
            barrier.wait()
            answers.append(_request_with(c, i).status_code)

    def _request_with(c, i):
        return c.post("/request-talent", {**GOOD, "company_name": f"Rush {i}"},
                      environ_base={"REMOTE_ADDR": f"192.0.2.{i + 1}"})

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert answers == [302] * 10
    leads = _new_leads(first)
    assert len(leads) == 10
    assert Counter(lead.assigned_to_id for lead in leads) == {world.uid("morgan"): 5, world.uid("nadia"): 5}


def test_an_existing_clients_domain_goes_to_its_account_manager(app, world, as_user):
    _takes({"nadia": True}, world)
    with system_scope("test"):
        acme = db.session.scalar(select(Organisation).where(Organisation.id == world.oid("acme")))
        accounts.set_account_managers(world.user("nadia"), acme, [world.uid("nadia")])
        db.session.commit()
    first = _last_id()
    for i in range(3):
        _request(app, i, email=f"buyer{i}@ACME.example")
    leads = _new_leads(first)
    assert {(lead.assigned_to_id, lead.routed_by, lead.client_org_id) for lead in leads} == {
        (world.uid("nadia"), "client_rule", world.oid("acme"))}
    text = as_user("morgan").get(f"/staff/leads/{leads[0].id}").get_data(as_text=True)
    assert "Acme Manufacturing" in text and "matched by e-mail domain" in text
    # the client's account manager stops taking leads: the round robin decides, the client link stays
    _takes({"nadia": False}, world)
    _request(app, 9, email="buyer9@acme.example")
    [lead] = _new_leads(leads[-1].id)
    assert (lead.assigned_to_id, lead.routed_by, lead.client_org_id) == (
        world.uid("morgan"), "round_robin", world.oid("acme"))


def test_with_nobody_taking_leads_the_lead_waits_unassigned_and_is_flagged_to_all(app, world, as_user):
    _takes({"morgan": False}, world)
    friday = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    clock.freeze(friday)
    first = _last_id()
    assert _request(app, 1).status_code == 302
    [lead] = _new_leads(first)
    assert lead.assigned_to_id is None and lead.routed_by == "unrouted"
    assert lead.respond_by == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    nadia = as_user("nadia")
    assert "Company 1" in nadia.get("/staff/leads?owner=unassigned").get_data(as_text=True)
    clock.freeze(datetime(2026, 11, 23, 9, 59, tzinfo=UTC))  # Monday, a minute before the target
    assert f"/staff/leads/{lead.id}" not in nadia.get("/staff/").get_data(as_text=True)
    clock.freeze(datetime(2026, 11, 23, 10, 1, tzinfo=UTC))
    panel = nadia.get("/staff/").get_data(as_text=True).split('id="leads-overdue"')[1].split("</section>")[0]
    assert f"/staff/leads/{lead.id}" in panel and "not assigned" in panel


def test_untouched_leads_past_target_are_flagged_until_someone_acts(app, world, as_user):
    clock.freeze(datetime(2026, 11, 18, 9, 0, tzinfo=UTC))  # Wednesday
    first = _last_id()
    _request(app, 1)
    [lead] = _new_leads(first)
    morgan = as_user("morgan")
    clock.freeze(datetime(2026, 11, 19, 12, 0, tzinfo=UTC))
    home = morgan.get("/staff/").get_data(as_text=True)
    assert f"/staff/leads/{lead.id}" in home.split('id="leads-overdue"')[1].split("</section>")[0]
    assert FLAG in morgan.get("/staff/leads?overdue=1").get_data(as_text=True)
    # leo's colleague nadia does not see morgan's overdue lead on her dashboard
    assert f"/staff/leads/{lead.id}" not in as_user("nadia").get("/staff/").get_data(as_text=True)
    morgan.post(f"/staff/leads/{lead.id}/activities", {"activity-kind": "email", "activity-occurred_on": "2026-11-19",
                                                       "activity-summary": "Sent our terms."})
    assert f"/staff/leads/{lead.id}" not in morgan.get("/staff/").get_data(as_text=True)
    assert FLAG not in morgan.get("/staff/leads?overdue=1").get_data(as_text=True)


def test_staff_say_whether_they_take_new_leads(world, as_user):
    morgan = as_user("morgan")
    assert "Stop taking new leads" in morgan.get("/staff/leads/routing").get_data(as_text=True)
    assert morgan.post(f"/staff/leads/routing/{world.uid('morgan')}", {"takes_new_leads": "0"}).status_code == 302
    with system_scope("test"):
        row = db.session.get(StaffLeadSettings, world.uid("morgan"))
        event = db.session.scalar(select(Event).where(Event.verb == "lead.routing_changed").order_by(Event.id.desc()))
    assert row.takes_new_leads is False and event.internal is True and event.data["takes_new_leads"] is False
    # an account manager may not decide for a colleague; a staff administrator may
    assert morgan.post(f"/staff/leads/routing/{world.uid('nadia')}", {"takes_new_leads": "1"}).status_code == 403
    assert as_user("nadia").post(f"/staff/leads/routing/{world.uid('morgan')}",
                                 {"takes_new_leads": "1"}).status_code == 302
    with system_scope("test"):
        assert db.session.get(StaffLeadSettings, world.uid("morgan")).takes_new_leads is True
    # only the agency's people take leads; other portals do not see the page at all
    assert as_user("nadia").post(f"/staff/leads/routing/{world.uid('hana')}", {"takes_new_leads": "1"}).status_code == 404
    assert as_user("hana").get("/staff/leads/routing").status_code == 404
