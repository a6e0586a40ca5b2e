"""Demo data of PRODUCT.md: the agency, two clients, two suppliers and their people.

Idempotent: every record is looked up by its natural key before it is created, so running
`seed-demo` twice changes nothing. `scale` adds N-1 further clients and 3(N-1) suppliers.
"""
from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import (
    ClientAccountManager,
    ClientSupplier,
    Organisation,
    PORTAL_OF_KIND,
    OrgKind,
    User,
    UserStatus,
)
from portal.accounts.passwords import hash_password
from portal.candidates.demo import seed_demo_candidates
from portal.events.services import party_columns, record
from portal.extensions import db
from portal.job_orders.demo import seed_demo_job_orders
from portal.leads.demo import seed_leads
from portal.submissions.demo import seed_demo_submissions
from portal.review.demo import seed_demo_reviews

DEMO_PASSWORD = "portal-demo"

ORGS = [
    # (kind, name, code, domain)
    ("agency", "Northwind Staffing", None, "northwind.example"),
    ("client", "Acme Manufacturing", "ACME", "acme.example"),
    ("client", "Globex Insurance", "GLBX", "globex.example"),
    ("supplier", "TalentCo Search", None, "talentco.example"),
    ("supplier", "BluePeak Partners", None, "bluepeak.example"),
]

USERS = [
    # (email, name, title, role, org name)
    ("morgan@northwind.example", "Morgan Reyes", "Account Manager", "account_manager", "Northwind Staffing"),
    ("nadia@northwind.example", "Nadia Okafor", "Operations Director", "staff_admin", "Northwind Staffing"),
    ("hana@acme.example", "Hana Kobayashi", "Engineering Manager", "hiring_manager", "Acme Manufacturing"),
    ("olivia@acme.example", "Olivia Brandt", "HR Business Partner", "client_admin", "Acme Manufacturing"),
    ("leo@globex.example", "Leo Marchetti", "Claims Operations Lead", "hiring_manager", "Globex Insurance"),
    ("sam@talentco.example", "Sam Whitaker", "Senior Recruiter", "recruiter", "TalentCo Search"),
    ("ravi@talentco.example", "Ravi Menon", "Delivery Lead", "supplier_admin", "TalentCo Search"),
    ("priya@bluepeak.example", "Priya Natarajan", "Recruiter", "recruiter", "BluePeak Partners"),
]

PANELS = [
    # (client, supplier, tier)
    ("Acme Manufacturing", "TalentCo Search", 1),
    ("Acme Manufacturing", "BluePeak Partners", 2),
    ("Globex Insurance", "BluePeak Partners", 1),
]


def _org(kind: str, name: str, code: str | None, domain: str | None, made: dict) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.name == name, Organisation.kind == kind))
    if org is None:
        org = Organisation(kind=kind, name=name, code=code, email_domain=domain)
        db.session.add(org)
        db.session.flush()
        record(None, "org.created", org, f"Demo data created {name}", **party_columns(org))
        made["organisations"] += 1
    return org


def _user(email: str, name: str, title: str, role: str, org: Organisation, password_hash: str, made: dict) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(org_id=org.id, portal=PORTAL_OF_KIND[OrgKind(org.kind)], email=email, name=name,
                    title=title, role=role, status=UserStatus.ACTIVE.value, password_hash=password_hash)
        db.session.add(user)
        db.session.flush()
        record(None, "user.joined", user, f"Demo data created {name}", **party_columns(org))
        made["users"] += 1
    return user


def _panel(client: Organisation, supplier: Organisation, tier: int, made: dict) -> None:
    exists = db.session.scalar(select(ClientSupplier.id).where(
        ClientSupplier.client_org_id == client.id, ClientSupplier.supplier_org_id == supplier.id))
    if not exists:
        db.session.add(ClientSupplier(client_org_id=client.id, supplier_org_id=supplier.id, default_tier=tier))
        made["panel links"] += 1


def _assign(client: Organisation, manager: User, made: dict) -> None:
    exists = db.session.scalar(select(ClientAccountManager.id).where(
        ClientAccountManager.client_org_id == client.id, ClientAccountManager.user_id == manager.id))
    if not exists:
        db.session.add(ClientAccountManager(client_org_id=client.id, user_id=manager.id))
        made["account manager assignments"] += 1


def seed_demo(scale: int = 1) -> dict[str, int]:
    """Create what is missing of the demo data; returns counts of what was made. Commits."""
    made = {"organisations": 0, "users": 0, "panel links": 0, "account manager assignments": 0}
    password_hash = hash_password(DEMO_PASSWORD)  # one hash for all: seeding 1,000 users stays fast
    orgs = {name: _org(kind, name, code, domain, made) for kind, name, code, domain in ORGS}
    users = {email: _user(email, name, title, role, orgs[org], password_hash, made)
             for email, name, title, role, org in USERS}
    for client, supplier, tier in PANELS:
        _panel(orgs[client], orgs[supplier], tier, made)
    morgan = users["morgan@northwind.example"]
    for client in ("Acme Manufacturing", "Globex Insurance"):
        _assign(orgs[client], morgan, made)

    for n in range(2, scale + 1):
        client = _org("client", f"Client {n:04d} Holdings", f"C{n:04d}", f"client{n}.example", made)
        _user(f"hm{n}@client{n}.example", f"Hiring Manager {n}", "Manager", "hiring_manager", client,
              password_hash, made)
        _assign(client, morgan, made)
        for k in range(3):
            supplier = _org("supplier", f"Supplier {n:04d}-{k}", None, f"supplier{n}-{k}.example", made)
            _user(f"rec{n}-{k}@supplier{n}-{k}.example", f"Recruiter {n}-{k}", "Recruiter", "recruiter",
                  supplier, password_hash, made)
            _panel(client, supplier, 1 if k < 2 else 2, made)
    seed_demo_candidates(made, scale)
    seed_demo_job_orders(made, scale)
    seed_demo_submissions(made, scale)
    seed_demo_reviews(made)
    seed_leads(made)
    db.session.commit()
    return made
