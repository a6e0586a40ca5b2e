"""Staff administration: organisations, account managers, panels, people, the event log."""
from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import ClientAccountManager, ClientSupplier, Organisation
from portal.db.tenancy import system_scope
from portal.events.models import Event
from portal.extensions import db


def _org(name):
    with system_scope("test"):
        return db.session.scalar(select(Organisation).where(Organisation.name == name))


def _last_event(verb):
    with system_scope("test"):
        return db.session.scalar(select(Event).where(Event.verb == verb).order_by(Event.id.desc()))


def test_create_a_client(as_user):
    c = as_user("morgan")
    resp = c.post("/staff/organisations/new", {"kind": "client", "name": "Initech", "code": "init",
                                              "email_domain": "initech.example"})
    assert resp.status_code == 302
    org = _org("Initech")
    assert org.code == "INIT" and org.kind == "client" and resp.headers["Location"].endswith(f"/{org.id}")
    ev = _last_event("org.created")
    assert ev.subject_id == org.id and ev.client_org_id == org.id and ev.actor_user_id is not None


def test_create_a_supplier_ignores_a_code(as_user):
    resp = as_user("morgan").post("/staff/organisations/new", {"kind": "supplier", "name": "Hire Fast", "code": "HF"})
    assert resp.status_code == 302
    assert _org("Hire Fast").code is None


def test_client_code_rules(as_user):
    c = as_user("morgan")
    for data, message in [
        ({"kind": "client", "name": "NoCode"}, "Enter a short code"),
        ({"kind": "client", "name": "Dup", "code": "acme"}, "already used"),
        ({"kind": "client", "name": "Bad", "code": "A-1!"}, "Use 2 to 8 letters or digits"),
        ({"kind": "agency", "name": "Evil agency"}, "Not a valid choice"),
        ({"kind": "client", "name": "", "code": "OK"}, "Enter the organisation"),
    ]:
        resp = c.post("/staff/organisations/new", data)
        assert resp.status_code == 422, data
        assert message in resp.get_data(as_text=True), data
    assert _org("Dup") is None and _org("Evil agency") is None


def test_rename_and_events_record_the_change(world, as_user):
    resp = as_user("morgan").post(f"/staff/organisations/{world.oid('globex')}/edit",
                                  {"name": "Globex Insurance Group", "email_domain": "globex.example", "is_active": "y"})
    assert resp.status_code == 302
    assert _org("Globex Insurance Group") is not None
    assert _last_event("org.updated").data["changes"]["name"] == ["Globex Insurance", "Globex Insurance Group"]


def test_assign_account_managers(world, as_user):
    c = as_user("morgan")
    acme = world.oid("acme")
    resp = c.post(f"/staff/organisations/{acme}/account-managers",
                  {"account_managers": [world.uid("morgan"), world.uid("nadia")]})
    assert resp.status_code == 302
    with system_scope("test"):
        ids = set(db.session.scalars(select(ClientAccountManager.user_id).where(ClientAccountManager.client_org_id == acme)))
    assert ids == {world.uid("morgan"), world.uid("nadia")}
    # a client's own user is not an account manager
    resp = c.post(f"/staff/organisations/{acme}/account-managers", {"account_managers": [world.uid("hana")]})
    assert resp.status_code == 422
    ev = _last_event("org.account_managers_set")
    assert ev.internal is True


def test_account_managers_only_for_clients(world, as_user):
    resp = as_user("morgan").post(f"/staff/organisations/{world.oid('talentco')}/account-managers",
                                  {"account_managers": [world.uid("morgan")]})
    assert resp.status_code == 404


def test_panel_tiers(world, as_user):
    c = as_user("morgan")
    globex = world.oid("globex")
    assert c.post(f"/staff/organisations/{globex}/panel", {"supplier_id": world.oid("talentco"), "tier": "2"}).status_code == 302
    with system_scope("test"):
        link = db.session.scalar(select(ClientSupplier).where(ClientSupplier.client_org_id == globex,
                                                              ClientSupplier.supplier_org_id == world.oid("talentco")))
    assert link.default_tier == 2
    link_id = link.id
    assert c.post(f"/staff/organisations/{globex}/panel", {"supplier_id": world.oid("talentco"), "tier": "0"}).status_code == 302
    with system_scope("test"):
        assert db.session.scalar(select(ClientSupplier.id).where(ClientSupplier.id == link_id)) is None
    # a client is not a supplier; a supplier and a tier must be chosen
    assert c.post(f"/staff/organisations/{globex}/panel", {"supplier_id": world.oid("acme"), "tier": "1"}).status_code == 422
    resp = c.post(f"/staff/organisations/{globex}/panel", {"supplier_id": "0", "tier": ""})
    assert resp.status_code == 422
    assert "Choose a supplier." in resp.get_data(as_text=True) and "Choose a tier." in resp.get_data(as_text=True)


def test_staff_deactivates_a_supplier_user_but_only_admins_touch_staff(world, as_user):
    morgan = as_user("morgan")
    assert morgan.post(f"/staff/users/{world.uid('priya')}/deactivate").status_code == 302
    assert world.user("priya").status == "deactivated"
    assert morgan.post(f"/staff/users/{world.uid('nadia')}/deactivate").status_code == 403
    assert world.user("nadia").status == "active"
    nadia = as_user("nadia")
    assert nadia.post(f"/staff/users/{world.uid('morgan')}/deactivate").status_code == 302
    assert morgan.get("/staff/").status_code == 302


def test_organisation_page_shows_people_and_panel(world, as_user):
    text = as_user("morgan").get(f"/staff/organisations/{world.oid('acme')}").get_data(as_text=True)
    assert "hana@acme.example" in text
    assert "<td>TalentCo Search</td><td>Tier 1</td>" in text and "<td>BluePeak Partners</td><td>Tier 2</td>" in text


def test_agency_page_is_not_an_organisation_page(world, as_user):
    assert as_user("morgan").get(f"/staff/organisations/{world.oid('agency')}").status_code == 404


def test_event_log_lists_and_filters(as_user):
    c = as_user("morgan")
    text = c.get("/staff/events").get_data(as_text=True)
    assert text.count("<code>") >= 10
    assert "user.joined" in c.get("/staff/events?verb=user.").get_data(as_text=True)
    text = c.get("/staff/events?verb=org.").get_data(as_text=True)
    assert "org.created" in text and "user.joined" not in text


def test_organisations_list_search_and_filter(as_user):
    c = as_user("morgan")
    text = c.get("/staff/organisations?kind=supplier").get_data(as_text=True)
    assert "TalentCo Search" in text and "Acme Manufacturing" not in text
    text = c.get("/staff/organisations?q=GLBX").get_data(as_text=True)
    assert "Globex Insurance" in text and "Acme" not in text.split("admin-results")[1]


def test_xss_in_an_organisation_name_is_escaped(as_user):
    c = as_user("morgan")
    payload = '<script>alert(1)</script><div hx-get="/logout" hx-trigger="load">'
    c.post("/staff/organisations/new", {"kind": "supplier", "name": payload})
    text = c.get("/staff/organisations?q=script").get_data(as_text=True)
    assert payload not in text and "&lt;script&gt;" in text
