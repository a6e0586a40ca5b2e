"""Demo leads and opportunities for seed-demo: a few in every state, so each CRM screen shows
something real. Idempotent: each record has a fixed `create_key` and is skipped when it exists."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from portal import clock
from portal.accounts.models import Organisation, User
from portal.extensions import db
from portal.leads import conversion, services
from portal.leads.models import Lead, Opportunity, Stage

LEADS = [
    # key, actor ("public" or staff), source, company, contact, e-mail, roles, headcount, location, days old
    ("demo-lead-1", "public", "web_form", "Initech", "Peter Gibbons", "peter@initech.example",
     "Warehouse associates", 4, "Dallas, TX", 3),
    ("demo-lead-2", "public", "web_form", "Umbrella Logistics", "Claire Redfield", "claire@umbrella-logistics.example",
     "Forklift operators", 2, "Raccoon City depot", 0),
    ("demo-lead-3", "staff", "phone", "Stark Fabrication", "Pepper Potts", "pepper@stark-fab.example",
     "CNC machinists", 3, "Long Island, NY", 1),
    ("demo-lead-4", "staff", "referral", "Wayne Foods", "Lucius Fox", "lucius@waynefoods.example",
     "Food safety technicians", 5, "Gotham plant", 12),
    ("demo-lead-5", "staff", "event", "Hooli Health", "Gavin Belson", "gavin@hooli-health.example",
     "Medical coders", 6, "Remote (US)", 20),
    ("demo-lead-6", "public", "web_form", "Vandelay Imports", "Art Vandelay", "art@vandelay.example",
     "Import coordinators", 1, "Queens, NY", 30),
]


def seed_leads(made: dict) -> None:
    """Create what is missing of the demo CRM data (under the caller's system scope; no commit)."""
    morgan = db.session.scalar(select(User).where(User.email == "morgan@northwind.example"))
    if morgan is None:
        return
    settings = services.settings_for(morgan.id)
    if settings is None:
        services.set_takes_new_leads(morgan, morgan, True)
    made.setdefault("leads", 0)
    made.setdefault("opportunities", 0)
    now = clock.now()
    for key, who, source, company, contact, email, roles, headcount, location, days in LEADS:
        if db.session.scalar(select(Lead.id).where(Lead.create_key == key)):
            continue
        lead, _ = services.create_lead(
            None if who == "public" else morgan, source=source, company_name=company, contact_name=contact,
            email=email, phone=None, roles=roles, headcount=headcount, location=location, start_date=None,
            details=None, create_key=key, notify=False)
        lead.created_at = now - timedelta(days=days, hours=2)
        lead.respond_by = services.routing.respond_by(lead.created_at)
        made["leads"] += 1
        _work(morgan, key, lead)
    _upsells(morgan, made, now)
    db.session.flush()


def _work(morgan: User, key: str, lead: Lead) -> None:
    """Move each demo lead on to its state (the first two stay new)."""
    today = clock.now().date()
    if key == "demo-lead-3":
        services.log_activity(morgan, lead=lead, kind="call", occurred_on=today,
                              summary="Spoke to Pepper: three machinists for a second shift, start next month.")
        services.add_follow_up(morgan, lead=lead, due_on=today + timedelta(days=1), note="Send our rate card")
    elif key in ("demo-lead-4", "demo-lead-5", "demo-lead-6"):
        values = {"demo-lead-4": Decimal("96000"), "demo-lead-5": Decimal("54000"), "demo-lead-6": Decimal("18000")}
        opp = services.qualify(morgan, lead, name=f"{lead.company_name} — {lead.roles}", owner_id=morgan.id,
                               expected_value=values[key], currency="USD",
                               close_date=today + timedelta(days=30), create_key=f"{key}-opp")
        services.log_activity(morgan, opportunity=opp, kind="meeting", occurred_on=today,
                              summary="Discovery meeting: volumes, shifts and rates agreed in principle.")
        target = {"demo-lead-4": Stage.PROPOSAL, "demo-lead-5": Stage.WON, "demo-lead-6": Stage.LOST}[key]
        services.move_stage(morgan, opp, target.value, lost_reason="price" if target == Stage.LOST else None)
        if target == Stage.PROPOSAL:
            services.add_follow_up(morgan, opportunity=opp, due_on=today + timedelta(days=2),
                                   note="Call Lucius about the proposal")


def _upsells(morgan: User, made: dict, now) -> None:
    """More business with the demo clients: one in a meeting, one won and converted two months ago."""
    for key, client_name, name, value, stage, contact, roles, headcount, location in (
        ("demo-opp-globex", "Globex Insurance", "Globex — claims adjusters for the Denver office",
         Decimal("120000"), Stage.MEETING, "leo@globex.example", "Claims adjusters", 4, "Denver, CO"),
        ("demo-opp-acme", "Acme Manufacturing", "Acme — quality inspectors for line 2", Decimal("42000"), Stage.WON,
         "hana@acme.example", "Quality inspectors", 2, "Acme plant, line 2"),
    ):
        if db.session.scalar(select(Opportunity.id).where(Opportunity.create_key == key)):
            continue
        client = db.session.scalar(select(Organisation).where(Organisation.name == client_name))
        opp, _ = services.create_opportunity(
            morgan, name=name, owner_id=morgan.id, client_org_id=client.id, prospect_name=None,
            contact_name=None, contact_email=contact, contact_phone=None, roles=roles, headcount=headcount,
            location=location, start_date=None, details=None, expected_value=value, currency="USD", create_key=key)
        services.move_stage(morgan, opp, stage.value)
        if stage == Stage.WON:
            conversion.convert(morgan, opp)
            db.session.refresh(opp)
            opp.won_at = opp.closed_at = opp.converted_at = now - timedelta(days=61)
        made["opportunities"] += 1
