"""Working leads and opportunities as staff: manual leads, reassigning, disqualifying, qualifying,
stages, values, activities, follow-ups, upsells, conversion (and its refusals rolling back
everything), internal events, and clients and suppliers never seeing any of it."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from portal import clock
from portal.accounts.models import Organisation, User
from portal.db.tenancy import Scope, scoped, system_scope
from portal.events.models import Event
from portal.extensions import db
from portal.leads.models import Activity, FollowUp, Lead, Opportunity
from portal.mail.models import OutboxMessage
from tests.conftest import sent_to

TODAY = lambda: clock.now().date()  # noqa: E731 - read when the test runs


def _get(model, **where):
    with system_scope("test"):
        return db.session.scalar(select(model).filter_by(**where).order_by(model.id.desc()).limit(1))


def _count(model, *where) -> int:
    with system_scope("test"):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _events(prefix: str) -> list[Event]:
    with system_scope("test"):
        return list(db.session.scalars(select(Event).where(Event.verb.startswith(prefix)).order_by(Event.id)))


def _lead(morgan, world, **extra) -> Lead:
    data = {"source": "phone", "assign_to": world.uid("morgan"), "company_name": "Soylent Foods",
            "contact_name": "Sol Roth", "email": "sol@soylent.example", "phone": "", "roles": "Line cooks",
            "headcount": "4", "location": "New York", "start_date": "", "details": "", **extra}
    resp = morgan.post("/staff/leads/new", data)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return _get(Lead, company_name=data["company_name"])


def _opportunity(morgan, world, stage=None) -> Opportunity:
    lead = _lead(morgan, world)
    resp = morgan.post(f"/staff/leads/{lead.id}/qualify", {
        "qualify-name": "Soylent — line cooks", "qualify-owner_id": world.uid("morgan"),
        "qualify-expected_value": "30000", "qualify-currency": "USD"})
    assert resp.status_code == 302
    opp = _get(Opportunity, lead_id=lead.id)
    if stage:
        assert morgan.post(f"/staff/opportunities/{opp.id}/stage", {"stage-stage": stage}).status_code == 302
    return opp


@pytest.fixture
def morgan(as_user):
    return as_user("morgan")


@pytest.mark.parametrize("who", ["hana", "olivia", "sam", "bruno"])
def test_clients_and_suppliers_never_reach_the_crm(world, as_user, who):
    c = as_user(who)
    for url in ("/staff/leads", "/staff/leads/new", "/staff/opportunities", "/staff/opportunities/new",
                "/staff/follow-ups", "/staff/leads/routing", "/staff/sales", "/staff/sales/export.csv"):
        assert c.get(url).status_code == 404, url
    with scoped(Scope(world.user(who).portal, world.user(who).org_id)):
        assert db.session.scalar(select(func.count(Lead.id))) == 0
        assert db.session.scalar(select(func.count(Opportunity.id))) == 0
        assert db.session.scalars(select(Event).where(Event.verb.startswith("lead."))).all() == []


def test_every_crm_event_is_internal(world, morgan):
    opp = _opportunity(morgan, world, stage="won")
    morgan.post(f"/staff/opportunities/{opp.id}/follow-ups", {"follow_up-due_on": TODAY().isoformat(),
                                                              "follow_up-note": "Send the contract"})
    verbs = {e.verb: e.internal for e in _events("lead.") + _events("opportunity.") + _events("follow_up.")}
    assert {"lead.created", "lead.qualified", "opportunity.created", "opportunity.won",
            "opportunity.follow_up_added"} <= set(verbs)
    assert all(verbs.values())


def test_a_lead_entered_by_hand_needs_a_source_and_a_way_to_reach_them(world, morgan):
    before = _count(Lead)
    base = {"company_name": "X Corp", "contact_name": "X", "roles": "Clerks", "assign_to": "0"}
    resp = morgan.post("/staff/leads/new", {**base, "source": "", "email": "x@x.example"})
    assert resp.status_code == 422 and "Choose where the lead came from." in resp.get_data(as_text=True)
    resp = morgan.post("/staff/leads/new", {**base, "source": "event"})
    assert resp.status_code == 422 and "Enter an e-mail address or a phone number." in resp.get_data(as_text=True)
    resp = morgan.post("/staff/leads/new", {**base, "source": "web_form", "email": "x@x.example"})
    assert resp.status_code == 422  # only the public form makes request-form leads
    assert _count(Lead) == before
    resp = morgan.post("/staff/leads/new", {**base, "source": "event", "phone": "+1 555 010 0100",
                                            "status": "qualified", "assigned_to_id": world.uid("nadia")})
    assert resp.status_code == 302
    lead = _get(Lead, company_name="X Corp")
    assert (lead.source, lead.status, lead.routed_by) == ("event", "new", "round_robin")
    assert lead.assigned_to_id == world.uid("morgan") and lead.created_by_id == world.uid("morgan")
    [ev] = [e for e in _events("lead.created") if e.subject_id == lead.id]
    assert ev.actor_user_id == world.uid("morgan") and ev.internal


def test_reassigning_tells_the_new_owner(world, morgan, outbox):
    lead = _lead(morgan, world)
    resp = morgan.post(f"/staff/leads/{lead.id}/assign", {"assign-assigned_to_id": world.uid("nadia")})
    assert resp.status_code == 302
    assert _get(Lead, id=lead.id).assigned_to_id == world.uid("nadia")
    [mail] = sent_to(outbox, "nadia@northwind.example")
    assert lead.reference in mail.subject
    assert _events("lead.reassigned")[-1].data == {"from": world.uid("morgan"), "to": world.uid("nadia")}
    # a client's person is not a colleague; the same owner again is a conflict
    assert morgan.post(f"/staff/leads/{lead.id}/assign", {"assign-assigned_to_id": world.uid("hana")}).status_code == 422
    assert morgan.post(f"/staff/leads/{lead.id}/assign", {"assign-assigned_to_id": world.uid("nadia")}).status_code == 409
    assert _get(Lead, id=lead.id).assigned_to_id == world.uid("nadia")


def test_disqualifying_needs_a_reason_and_happens_once(world, morgan):
    lead = _lead(morgan, world)
    assert morgan.post(f"/staff/leads/{lead.id}/disqualify", {"disqualify-reason": "bogus"}).status_code == 422
    assert _get(Lead, id=lead.id).status == "new"
    assert morgan.post(f"/staff/leads/{lead.id}/disqualify", {"disqualify-reason": "duplicate",
                                                              "disqualify-note": "Same as L-1"}).status_code == 302
    lead = _get(Lead, id=lead.id)
    assert (lead.status, lead.disqualify_reason, lead.disqualify_note) == ("disqualified", "duplicate", "Same as L-1")
    resp = morgan.post(f"/staff/leads/{lead.id}/disqualify", {"disqualify-reason": "spam"})
    assert resp.status_code == 409 and "no longer open" in resp.get_data(as_text=True)
    assert morgan.post(f"/staff/leads/{lead.id}/qualify", {"qualify-name": "X", "qualify-owner_id": world.uid("morgan"),
                                                           "qualify-currency": "USD"}).status_code == 409
    assert len([e for e in _events("lead.disqualified") if e.subject_id == lead.id]) == 1


def test_qualifying_carries_activities_and_follow_ups_over(world, morgan):
    lead = _lead(morgan, world)
    morgan.post(f"/staff/leads/{lead.id}/activities", {"activity-kind": "call", "activity-occurred_on": TODAY().isoformat(),
                                                       "activity-summary": "Needs four cooks"})
    morgan.post(f"/staff/leads/{lead.id}/follow-ups", {"follow_up-due_on": TODAY().isoformat(),
                                                       "follow_up-note": "Send prices"})
    opp = _opportunity_from(morgan, world, lead)
    assert _get(Activity, lead_id=lead.id).opportunity_id == opp.id
    assert _get(FollowUp, lead_id=lead.id).opportunity_id == opp.id
    text = morgan.get(f"/staff/opportunities/{opp.id}").get_data(as_text=True)
    assert "Needs four cooks" in text and "Send prices" in text
    assert (opp.prospect_name, opp.contact_email, opp.roles, opp.headcount) == (
        "Soylent Foods", "sol@soylent.example", "Line cooks", 4)


def _opportunity_from(morgan, world, lead) -> Opportunity:
    resp = morgan.post(f"/staff/leads/{lead.id}/qualify", {"qualify-name": "Soylent", "qualify-owner_id": world.uid("morgan"),
                                                           "qualify-currency": "EUR"})
    assert resp.status_code == 302
    return _get(Opportunity, lead_id=lead.id)


@pytest.mark.parametrize("value,message", [
    ("-1", "The expected value can&#39;t be negative."),
    ("abc", "Enter an amount, like 25000 or 25000.50."),
    ("1e20", "The expected value is too large."),
])
def test_a_bad_value_is_refused_on_qualify_and_on_edit(world, morgan, value, message):
    lead = _lead(morgan, world)
    resp = morgan.post(f"/staff/leads/{lead.id}/qualify", {"qualify-name": "S", "qualify-owner_id": world.uid("morgan"),
                                                           "qualify-expected_value": value, "qualify-currency": "USD"})
    assert resp.status_code == 422 and message in resp.get_data(as_text=True)
    assert _get(Lead, id=lead.id).status == "new" and _get(Opportunity, lead_id=lead.id) is None
    opp = _opportunity_from(morgan, world, lead)
    resp = morgan.post(f"/staff/opportunities/{opp.id}/edit", {"edit-name": "S", "edit-owner_id": world.uid("morgan"),
                                                               "edit-expected_value": value, "edit-currency": "USD"})
    assert resp.status_code == 422 and message in resp.get_data(as_text=True)
    assert _get(Opportunity, id=opp.id).expected_value is None


def test_editing_records_what_changed_and_ignores_forged_fields(world, morgan):
    opp = _opportunity(morgan, world)
    resp = morgan.post(f"/staff/opportunities/{opp.id}/edit", {
        "edit-name": "Soylent — cooks and porters", "edit-owner_id": world.uid("nadia"),
        "edit-expected_value": "45000.50", "edit-currency": "GBP", "edit-close_date": "",
        "edit-roles": "Line cooks", "edit-headcount": "4", "edit-location": "New York",
        "edit-contact_name": "Sol Roth", "edit-contact_email": "sol@soylent.example",
        "edit-stage": "won", "stage": "won", "edit-converted_at": "2020-01-01", "edit-client_org_id": world.oid("acme")})
    assert resp.status_code == 302
    opp = _get(Opportunity, id=opp.id)
    assert (opp.name, opp.owner_id, opp.expected_value, opp.currency) == (
        "Soylent — cooks and porters", world.uid("nadia"), Decimal("45000.50"), "GBP")
    assert (opp.stage, opp.converted_at, opp.client_org_id) == ("new", None, None)
    changes = _events("opportunity.updated")[-1].data["changes"]
    assert changes["expected_value"] == ["30000.00", "45000.50"] and set(changes) == {
        "name", "owner_id", "expected_value", "currency"}


def test_stages_follow_the_life_cycle(world, morgan):
    opp = _opportunity(morgan, world)
    url = f"/staff/opportunities/{opp.id}/stage"
    assert morgan.post(url, {"stage-stage": "signed"}).status_code == 422  # unknown stage
    resp = morgan.post(url, {"stage-stage": "lost"})
    assert resp.status_code == 422 and "Choose why the opportunity was lost." in resp.get_data(as_text=True)
    assert _get(Opportunity, id=opp.id).stage == "new"
    for stage in ("contacted", "meeting", "proposal"):
        assert morgan.post(url, {"stage-stage": stage}).status_code == 302
    assert morgan.post(url, {"stage-stage": "lost", "stage-lost_reason": "competitor",
                             "stage-lost_note": "Went with Acme Temps"}).status_code == 302
    opp = _get(Opportunity, id=opp.id)
    assert (opp.stage, opp.lost_reason, opp.lost_note) == ("lost", "competitor", "Went with Acme Temps")
    assert opp.closed_at is not None
    # a lost one can be reopened (its reason goes); it can't jump straight to won
    resp = morgan.post(url, {"stage-stage": "won"})
    assert resp.status_code == 409 and "can&#39;t move to won: it is lost" in resp.get_data(as_text=True)
    assert morgan.post(url, {"stage-stage": "contacted"}).status_code == 302
    opp = _get(Opportunity, id=opp.id)
    assert (opp.stage, opp.lost_reason, opp.closed_at) == ("contacted", None, None)
    assert morgan.post(url, {"stage-stage": "won"}).status_code == 302
    assert _get(Opportunity, id=opp.id).won_at is not None
    moves = [(e.data["from"], e.data["to"]) for e in _events("opportunity.") if e.subject_id == opp.id and "from" in e.data]
    assert moves == [("new", "contacted"), ("contacted", "meeting"), ("meeting", "proposal"), ("proposal", "lost"),
                     ("lost", "contacted"), ("contacted", "won")]


def test_activities_and_follow_ups(world, morgan):
    opp = _opportunity(morgan, world)
    tomorrow = (TODAY() + timedelta(days=1)).isoformat()
    resp = morgan.post(f"/staff/opportunities/{opp.id}/activities", {
        "activity-kind": "meeting", "activity-occurred_on": tomorrow, "activity-summary": "Future"})
    assert resp.status_code == 422 and "can&#39;t be in the future" in resp.get_data(as_text=True)
    resp = morgan.post(f"/staff/opportunities/{opp.id}/activities", {
        "activity-kind": "meeting", "activity-occurred_on": TODAY().isoformat(), "activity-summary": "S" * 2001})
    assert resp.status_code == 422
    resp = morgan.post(f"/staff/opportunities/{opp.id}/follow-ups", {
        "follow_up-due_on": (TODAY() - timedelta(days=1)).isoformat(), "follow_up-note": "Past"})
    assert resp.status_code == 422
    key = "k" * 32
    for _ in range(2):  # a double click logs once
        assert morgan.post(f"/staff/opportunities/{opp.id}/activities", {
            "activity-kind": "meeting", "activity-occurred_on": TODAY().isoformat(),
            "activity-summary": "Met the plant manager", "activity-create_key": key}).status_code == 302
    assert _count(Activity, Activity.opportunity_id == opp.id) == 1
    assert morgan.post(f"/staff/opportunities/{opp.id}/follow-ups", {
        "follow_up-due_on": TODAY().isoformat(), "follow_up-note": "Send the proposal"}).status_code == 302
    follow_up = _get(FollowUp, opportunity_id=opp.id)
    assert follow_up.owner_id == world.uid("morgan")
    assert "Send the proposal" in morgan.get("/staff/follow-ups").get_data(as_text=True)
    assert "1 follow-up due today or earlier" in morgan.get("/staff/").get_data(as_text=True)
    resp = morgan.post(f"/staff/follow-ups/{follow_up.id}/done", {"back": "list"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/staff/follow-ups"
    assert morgan.post(f"/staff/follow-ups/{follow_up.id}/done").status_code == 302  # already done: told, no change
    assert _get(FollowUp, id=follow_up.id).done_by_id == world.uid("morgan")
    assert len([e for e in _events("follow_up.done") if e.subject_id == follow_up.id]) == 1
    assert "Send the proposal" not in morgan.get("/staff/follow-ups").get_data(as_text=True)


def test_an_upsell_for_an_existing_client(world, morgan):
    resp = morgan.post("/staff/opportunities/new", {"client_org_id": "0", "name": "Nameless", "owner_id": world.uid("morgan"),
                                                    "currency": "USD"})
    assert resp.status_code == 422 and "enter the prospect company" in resp.get_data(as_text=True)
    resp = morgan.post("/staff/opportunities/new", {
        "client_org_id": world.oid("acme"), "name": "Acme — welders for the paint shop", "owner_id": world.uid("morgan"),
        "expected_value": "80000", "currency": "USD", "roles": "Welders", "headcount": "2",
        "stage": "won", "converted_at": "2020-01-01", "lead_id": "1"})
    assert resp.status_code == 302
    opp = _get(Opportunity, name="Acme — welders for the paint shop")
    assert (opp.client_org_id, opp.prospect_name, opp.stage, opp.lead_id, opp.converted_at) == (
        world.oid("acme"), None, "new", None, None)
    assert "Acme Manufacturing" in morgan.get("/staff/opportunities?q=acme").get_data(as_text=True)


def test_converting_an_upsell_links_the_client_and_drafts_for_its_hiring_manager(world, morgan, outbox):
    morgan.post("/staff/opportunities/new", {"client_org_id": world.oid("globex"), "name": "Globex — adjusters",
                                             "owner_id": world.uid("nadia"), "currency": "USD", "roles": "Adjusters",
                                             "headcount": "2", "location": "Denver"})
    opp = _get(Opportunity, name="Globex — adjusters")
    assert morgan.post(f"/staff/opportunities/{opp.id}/convert", {"client_org_id": world.oid("globex")}).status_code == 409
    morgan.post(f"/staff/opportunities/{opp.id}/stage", {"stage-stage": "won"})
    form = morgan.get(f"/staff/opportunities/{opp.id}/convert").get_data(as_text=True)
    assert '<option value="0"' not in form and 'value="Adjusters"' in form
    resp = morgan.post(f"/staff/opportunities/{opp.id}/convert", {
        "client_org_id": world.oid("globex"), "hm_email": "LEO@globex.example", "create_job": "y",
        "job_title": "Claims adjusters", "job_openings": "2", "job_location": "Denver"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    from portal.job_orders.models import JobOrder

    job = _get(JobOrder, title="Claims adjusters")
    assert (job.client_org_id, job.hiring_manager_id, job.status) == (world.oid("globex"), world.uid("leo"), "draft")
    assert outbox == [] or not sent_to(outbox, "leo@globex.example")  # leo already has an account: no invitation
    opp = _get(Opportunity, id=opp.id)
    assert opp.job_order_id == job.id and opp.converted_by_id == world.uid("morgan")
    with system_scope("test"):
        globex = db.session.get(Organisation, world.oid("globex"))
        assert world.uid("nadia") in {u.id for u in globex.account_managers}
    # converted is final: no second conversion, no more stage moves, no edits
    assert morgan.post(f"/staff/opportunities/{opp.id}/convert", {"client_org_id": world.oid("globex")}).status_code == 409
    assert morgan.post(f"/staff/opportunities/{opp.id}/stage", {"stage-stage": "proposal"}).status_code == 409
    assert morgan.post(f"/staff/opportunities/{opp.id}/edit", {"edit-name": "X", "edit-owner_id": world.uid("morgan"),
                                                               "edit-currency": "USD"}).status_code == 409


@pytest.mark.parametrize("change,field_message", [
    ({"code": "ACME"}, "The code ACME is already used by another client."),
    ({"hm_email": "hana@acme.example"}, "This e-mail address already has an account."),
    ({"job_start_date": "2001-01-01"}, "The date can&#39;t be in the past."),
    ({"hm_email": ""}, "Enter the hiring manager&#39;s e-mail address"),
    ({"code": ""}, "Choose a client code, such as ACME."),
])
def test_a_refused_conversion_changes_nothing(world, morgan, outbox, change, field_message):
    opp = _opportunity(morgan, world, stage="won")
    orgs, users, events = _count(Organisation), _count(User), _count(Event)
    data = {"client_org_id": "0", "org_name": "Soylent Foods", "code": "SOYL", "email_domain": "soylent.example",
            "hm_name": "Sol Roth", "hm_email": "sol@soylent.example", "create_job": "y", "job_title": "Line cooks",
            "job_openings": "4", "job_location": "New York", **change}
    resp = morgan.post(f"/staff/opportunities/{opp.id}/convert", data)
    assert resp.status_code in (409, 422) and field_message in resp.get_data(as_text=True)
    assert (_count(Organisation), _count(User), _count(Event)) == (orgs, users, events)
    assert _count(OutboxMessage) == _count(OutboxMessage, OutboxMessage.kind != "invitation")
    assert _get(Opportunity, id=opp.id).converted_at is None


def test_the_queue_is_a_fragment_for_htmx_and_its_query_count_does_not_grow(app, world, morgan):
    resp = morgan.get("/staff/leads?q=initech", htmx=True)
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<html" not in text and text.lstrip().startswith('<div id="leads-results">')
    assert "Initech" in text and "Umbrella" not in text and "HX-Request" in resp.headers["Vary"]
    text = morgan.get("/staff/opportunities?stage=all", htmx=True).get_data(as_text=True)
    assert text.lstrip().startswith('<div id="leads-opportunities">') and "Wayne Foods" in text

    def queries_for(url):
        statements = []

        def count(*args):
            statements.append(args[2])

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert morgan.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    few = queries_for("/staff/leads?status=all")
    for i in range(12):
        _lead(morgan, world, company_name=f"Bulk {i}", assign_to=str(world.uid("nadia" if i % 2 else "morgan")))
    assert queries_for("/staff/leads?status=all") == few
    few = queries_for("/staff/opportunities?stage=all")
    for lead_id in [lead.id for lead in _bulk()]:
        morgan.post(f"/staff/leads/{lead_id}/qualify", {"qualify-name": "B", "qualify-owner_id": world.uid("nadia"),
                                                        "qualify-currency": "USD"})
    assert queries_for("/staff/opportunities?stage=all") == few


def _bulk() -> list[Lead]:
    with system_scope("test"):
        return list(db.session.scalars(select(Lead).where(Lead.company_name.startswith("Bulk"))))


def test_lists_survive_garbage_parameters(morgan):
    for url in ("/staff/leads?status=%00&owner=zz&page=-3&q=" + "x" * 500, "/staff/opportunities?stage=nope&owner=99999",
                "/staff/sales?period=forever&owner=abc&currency=XXX"):
        assert morgan.get(url).status_code == 200, url


def test_a_double_submitted_activity_is_logged_once(app, world):
    """Two requests with the same form key at the same moment: one activity, no error."""
    from sqlalchemy import func, select

    from portal import clock
    from portal.accounts.models import User
    from portal.db.tenancy import scope_for_user, scoped, system_scope
    from portal.extensions import db
    from portal.leads import services
    from portal.leads.models import Activity, Lead
    from tests.test_job_orders_race import _race

    morgan_id = world.uid("morgan")
    with system_scope("test"):
        lead_id = db.session.scalar(select(Lead.id).limit(1))

    def work(i):
        with system_scope("load actor"):
            actor = db.session.scalar(select(User).where(User.id == morgan_id))
        with scoped(scope_for_user(actor)):
            lead = db.session.scalar(select(Lead).where(Lead.id == lead_id))
            activity, _ = services.log_activity(actor, lead=lead, kind="call", occurred_on=clock.now().date(),
                                                summary="double click", create_key="same-key-123")
            db.session.commit()
            return activity.id

    results, errors = _race(app, work, n=4)
    assert errors == [] and len(set(results)) == 1
    with system_scope("test"):
        assert db.session.scalar(select(func.count(Activity.id)).where(Activity.create_key == "same-key-123")) == 1
