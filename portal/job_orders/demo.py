"""Demo job orders for Acme and Globex in every state, through the real services (so they carry
their events), and a fast bulk set of ~300 per `seed-demo --scale` client.

Idempotent: a demo job order is looked up by client and title before it is made; a scale
client that already has job orders is skipped.
"""
from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import insert, select

from portal import clock
from portal.accounts.models import ClientSupplier, Organisation, User
from portal.db.bulk import bulk_insert
from portal.events.models import Event
from portal.extensions import db
from portal.job_orders import conversation, releases, services
from portal.job_orders.models import JobOrder, JobOrderCounter, JobOrderRelease, JobStatus

_ACME_SPEC = dict(industry="Manufacturing", location="Milwaukee, WI", currency="USD", rate_unit="hour",
                  rate_type="bill_rate", submission_limit=3)
_GLOBEX_SPEC = dict(industry="Insurance", location="Hartford, CT", currency="USD", submission_limit=3)

# (client e-mail of the hiring manager, title, fields, what happens: list of steps)
DEMO = [
    ("hana@acme.example", "Controls Engineer", dict(
        _ACME_SPEC, category="Engineering", experience_level="senior", position_type="contract_to_hire", openings=2,
        location_type="hybrid", shift="Days, Mon–Fri", travel_percent=10, duration_weeks=26, rate_min=Decimal("65"),
        rate_max=Decimal("70"), education_level="bachelor", priority="high",
        summary="Own the PLC and SCADA upgrades of two packaging lines in our Milwaukee plant.",
        responsibilities="Program and commission Allen-Bradley PLCs.\nMaintain SCADA screens and alarms.\n"
                         "Support line changeovers with production.",
        requirements="5+ years with Allen-Bradley / Rockwell.\nExperience in food or packaging plants.",
        skills="PLC, Allen-Bradley, SCADA, AutoCAD Electrical"),
     ["submit", ("release", {"talentco": 1, "bluepeak": 2}), "question", ("edit", {"rate_max": Decimal("80")})]),
    ("hana@acme.example", "Maintenance Technician (nights)", dict(
        _ACME_SPEC, category="Maintenance", experience_level="experienced", position_type="contract", openings=3,
        location_type="onsite", shift="Nights, 22:00–06:30", duration_weeks=12, rate_min=Decimal("38"),
        rate_max=Decimal("44"), summary="Keep the night shift's lines running: mechanical and electrical repairs.",
        requirements="Industrial maintenance experience; hydraulics and pneumatics.", skills="Hydraulics, Pneumatics, "
        "Troubleshooting"),
     ["submit", ("release", {"talentco": 1, "bluepeak": 1})]),
    ("hana@acme.example", "Quality Inspector", dict(
        _ACME_SPEC, category="Quality", experience_level="entry", position_type="contract", openings=1,
        location_type="onsite", summary="Inspect incoming parts and finished goods against drawings.",
        skills="Calipers, GD&T, ISO 9001"),
     ["submit"]),
    ("hana@acme.example", "Production Planner", dict(
        _ACME_SPEC, category="Operations", position_type="direct_hire", openings=1, rate_type="salary",
        rate_unit="year", rate_min=Decimal("72000"), rate_max=Decimal("85000")),
     []),
    ("hana@acme.example", "Plant Safety Lead", dict(
        _ACME_SPEC, category="EHS", experience_level="senior", position_type="direct_hire", openings=1,
        location_type="onsite", rate_type="salary", rate_unit="year", rate_min=Decimal("95000"),
        rate_max=Decimal("110000"), summary="Lead the safety programme of a 400-person plant.",
        skills="OSHA 30, Risk assessment"),
     ["submit", ("release", {"talentco": 1}), "hold"]),
    ("hana@acme.example", "Supply Chain Analyst", dict(
        _ACME_SPEC, category="Supply chain", position_type="contract", openings=1, location_type="remote",
        summary="Forecast demand and inventory for spare parts.", skills="SQL, Excel, SAP"),
     ["submit", ("release", {"talentco": 1}), ("close", "budget")]),
    ("hana@acme.example", "CNC Machinist", dict(
        _ACME_SPEC, category="Machining", experience_level="experienced", position_type="contract", openings=2,
        location_type="onsite", summary="Set up and run 5-axis mills.", skills="CNC, Mastercam"),
     ["submit", "return"]),
    # Released to TalentCo with no submission yet: its first-submission clock runs on the demo
    # (move the clock on 25 hours and it is breached, on the coverage board, ready for a nudge).
    ("hana@acme.example", "Warehouse Team Lead", dict(
        _ACME_SPEC, category="Logistics", experience_level="experienced", position_type="contract", openings=1,
        location_type="onsite", shift="Days, Mon–Fri", duration_weeks=20, rate_min=Decimal("30"),
        rate_max=Decimal("36"), summary="Run the inbound dock team of our Milwaukee distribution centre.",
        skills="WMS, Forklift, Team leadership"),
     ["submit", ("release", {"talentco": 1})]),
    ("leo@globex.example", "Senior Claims Adjuster", dict(
        _GLOBEX_SPEC, category="Claims", experience_level="senior", position_type="contract", openings=2,
        location_type="hybrid", duration_weeks=16, rate_type="bill_rate", rate_unit="hour", rate_min=Decimal("55"),
        rate_max=Decimal("62"), summary="Handle complex property claims after the spring storms.",
        skills="Property claims, Xactimate, Guidewire ClaimCenter"),
     ["submit", ("release", {"bluepeak": 1}), "question"]),
    ("leo@globex.example", "Underwriting Assistant", dict(
        _GLOBEX_SPEC, category="Underwriting", experience_level="entry", position_type="contract_to_hire",
        openings=1, location_type="onsite", summary="Support commercial underwriters with submissions and quotes."),
     ["submit"]),
    ("leo@globex.example", "Actuarial Analyst", dict(
        _GLOBEX_SPEC, category="Actuarial", position_type="direct_hire", openings=1, rate_type="salary",
        rate_unit="year"),
     []),
]

QUESTIONS = {
    "Controls Engineer": ("Is the client open to candidates who need relocation support?",
                          "Yes: up to 5,000 USD of relocation for the right candidate."),
    "Senior Claims Adjuster": ("Is licensing in Connecticut required from day one?",
                               "A CT adjuster licence is needed within 60 days of the start."),
}


def _users() -> dict[str, User]:
    emails = ["hana@acme.example", "leo@globex.example", "morgan@northwind.example", "sam@talentco.example",
              "priya@bluepeak.example"]
    return {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))}


def _supplier_ids() -> dict[str, int]:
    rows = db.session.execute(select(Organisation.name, Organisation.id).where(
        Organisation.name.in_(["TalentCo Search", "BluePeak Partners"]))).all()
    names = dict(rows)
    return {"talentco": names.get("TalentCo Search"), "bluepeak": names.get("BluePeak Partners")}


def seed_demo_job_orders(made: dict, scale: int = 1) -> None:
    """Create the missing demo job orders (call under a system scope; the caller commits)."""
    users = _users()
    if len(users) < 5:
        return
    suppliers = _supplier_ids()
    staff = users["morgan@northwind.example"]
    made.setdefault("job orders", 0)
    for hm_email, title, spec, steps in DEMO:
        hm = users[hm_email]
        exists = db.session.scalar(select(JobOrder.id).where(JobOrder.client_org_id == hm.org_id,
                                                             JobOrder.title == title))
        if exists:
            continue
        job, _ = services.create_job_order(hm, dict(spec, title=title))
        for step in steps:
            _step(step, job, hm, staff, users, suppliers)
        made["job orders"] += 1
    for n in range(2, scale + 1):
        made["job orders"] += _bulk_client(n)


def _step(step, job: JobOrder, hm: User, staff: User, users: dict, suppliers: dict) -> None:
    name, arg = (step, None) if isinstance(step, str) else step
    if name == "submit":
        services.submit(hm, job)
    elif name == "return":
        services.return_to_client(staff, job, "Please add the shift pattern and the rate range before we release it.")
    elif name == "release":
        releases.approve_and_release(staff, job, {suppliers[s]: tier for s, tier in arg.items()})
    elif name == "edit":
        services.update_job_order(staff, job, arg)
    elif name == "hold":
        services.hold(hm, job)
    elif name == "close":
        services.close(hm, job, arg)
    elif name == "question":
        question, answer = QUESTIONS[job.title]
        asker = users["sam@talentco.example" if hm.email.endswith("acme.example") else "priya@bluepeak.example"]
        q = conversation.ask_question(asker, job, question)
        conversation.answer_question(hm, job, q, answer)


_TITLES = ["Software Engineer", "Data Analyst", "Project Manager", "Accountant", "Warehouse Associate",
           "Customer Service Representative", "Registered Nurse", "Electrician", "Business Analyst",
           "Marketing Coordinator", "Help Desk Technician", "Forklift Operator", "Payroll Specialist",
           "QA Tester", "Network Engineer"]
_CITIES = ["Chicago, IL", "Austin, TX", "Denver, CO", "Atlanta, GA", "Columbus, OH", "Phoenix, AZ"]
_STATUSES = [JobStatus.OPEN] * 5 + [JobStatus.ON_HOLD, JobStatus.PENDING_REVIEW, JobStatus.DRAFT,
                                    JobStatus.CLOSED, JobStatus.FILLED]
PER_SCALE_CLIENT = 300


def _bulk_client(n: int) -> int:
    """~300 job orders for scale client n with bulk inserts (their created events and releases too)."""
    client = db.session.scalar(select(Organisation).where(Organisation.code == f"C{n:04d}"))
    if client is None or db.session.scalar(select(JobOrderCounter.last_number)
                                           .where(JobOrderCounter.client_org_id == client.id)):
        return 0
    hm_id = db.session.scalar(select(User.id).where(User.org_id == client.id).limit(1))
    rng = random.Random(n)
    now = clock.now()
    rows = []
    for i in range(1, PER_SCALE_CLIENT + 1):
        status = rng.choice(_STATUSES)
        created = now - timedelta(days=rng.randint(0, 365), minutes=rng.randint(0, 1440))
        released = created + timedelta(days=1) if status not in (JobStatus.DRAFT, JobStatus.PENDING_REVIEW) else None
        lo = Decimal(rng.randint(30, 90))
        rows.append(dict(
            client_org_id=client.id, number=i, reference=f"{client.code}-{i:04d}", status=status.value, version=1,
            title=rng.choice(_TITLES), hiring_manager_id=hm_id, created_by_id=hm_id, openings=rng.randint(1, 5),
            position_type=rng.choice(["contract", "contract_to_hire", "direct_hire"]),
            location_type=rng.choice(["onsite", "hybrid", "remote"]), location=rng.choice(_CITIES),
            work_from_anywhere=False, rate_type="bill_rate", rate_min=lo, rate_max=lo + rng.randint(5, 25),
            currency="USD", rate_unit="hour", priority=rng.choice(["low", "normal", "normal", "high", "urgent"]),
            submission_limit=3, summary="Bulk demo job order for benchmarks.", created_at=created,
            updated_at=created, changed_at=created, submitted_at=created if status != JobStatus.DRAFT else None,
            approved_at=released, released_at=released,
            closed_at=released if status in (JobStatus.CLOSED, JobStatus.FILLED) else None,
            close_reason="cancelled" if status == JobStatus.CLOSED else None))
    ids = bulk_insert(JobOrder, rows)
    db.session.execute(insert(JobOrderCounter), [dict(client_org_id=client.id, last_number=PER_SCALE_CLIENT)])
    jobs = [(job_id, row["reference"], row["released_at"], row["created_at"]) for job_id, row in zip(ids, rows)]
    panel = db.session.execute(select(ClientSupplier.supplier_org_id, ClientSupplier.default_tier)
                               .where(ClientSupplier.client_org_id == client.id)).all()
    releases, events = [], []
    for job_id, reference, released_at, created in jobs:
        events.append(dict(verb="job_order.created", subject_type="job_order", subject_id=job_id,
                           client_org_id=client.id, supplier_org_id=None, internal=False, occurred_at=created,
                           data={}, summary=f"Demo data created {reference}"))
        if released_at is None:
            continue
        for supplier_id, tier in panel:
            when = released_at + timedelta(hours=24 * (tier - 1))
            releases.append(dict(job_order_id=job_id, client_org_id=client.id, supplier_org_id=supplier_id, tier=tier,
                                 scheduled_at=when, released_at=when if when <= now else None,
                                 created_at=released_at))
    bulk_insert(JobOrderRelease, releases)
    bulk_insert(Event, events)
    return len(rows)
