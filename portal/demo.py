"""Demo data of PRODUCT.md: the agency, two clients, two suppliers and their people.

Idempotent: every record is looked up by its natural key before it is created, so running
`seed-demo` twice changes nothing. `scale` adds N-1 further clients and 3(N-1) suppliers, each client with ~300 job orders
and ~5,000 submissions (bulk inserts: `seed-demo --scale 100` makes ~500,000 in a few minutes).
"""
from __future__ import annotations

from sqlalchemy import func, insert, select

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
from portal.db.bulk import analyze
from portal.events.services import party_columns, record
from portal.extensions import db
from portal.job_orders.demo import seed_demo_job_orders
from portal.clients.demo import seed_client_accounts
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


def _cross_panels(scale: int, made: dict) -> None:
    """Put two suppliers of each of the next two scale steps on each scale client's panel too (7 in all),
    so that every supplier works for about two clients and a job order draws about 20 submissions."""
    steps = list(range(2, scale + 1))
    if len(steps) < 2:
        return
    orgs = dict(db.session.execute(select(Organisation.name, Organisation.id)
                                   .where(Organisation.kind.in_(["client", "supplier"]))).all())
    have = set(db.session.execute(select(ClientSupplier.client_org_id, ClientSupplier.supplier_org_id)).all())
    rows = []
    for i, n in enumerate(steps):
        client_id = orgs.get(f"Client {n:04d} Holdings")
        for j in (1, 2):
            m = steps[(i + j) % len(steps)]
            for k in (0, 1):
                supplier_id = orgs.get(f"Supplier {m:04d}-{k}")
                if m == n or not client_id or not supplier_id or (client_id, supplier_id) in have:
                    continue
                have.add((client_id, supplier_id))
                rows.append(dict(client_org_id=client_id, supplier_org_id=supplier_id, default_tier=2))
    if rows:
        db.session.execute(insert(ClientSupplier), rows)
        made["panel links"] += len(rows)


def seed_demo(scale: int = 1) -> dict[str, int]:
    """Create what is missing of the demo data; returns counts of what was made. Commits.

    The demo's history creates notifications (the badge shows something) but mails nobody.
    """
    from portal.notifications.services import without_email

    with without_email():
        return _seed_demo(scale)


def _seed_demo(scale: int) -> dict[str, int]:
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
    _cross_panels(scale, made)
    seed_demo_candidates(made, scale)
    seed_demo_job_orders(made, scale)
    seed_demo_submissions(made, scale)
    seed_demo_reviews(made)
    seed_leads(made)
    seed_client_accounts(made)
    from portal.submissions import tally

    tally.rebuild()  # the scale seed inserts submissions in bulk, past the services that keep the tally
    db.session.commit()
    if scale > 1:
        analyze(SCALE_TABLES)
        db.session.commit()
    return made


#: The tables a scale seed fills in bulk (their planner statistics are refreshed after it).
SCALE_TABLES = ["organisation", "user_account", "client_supplier", "client_account_manager", "candidate", "candidate_skill", "resume",
                "job_order", "job_order_release", "submission", "interview", "interview_slot", "offer", "placement",
                "event"]


def table_counts() -> dict[str, int]:
    """Rows per table of what a scale seed makes (printed by `seed-demo --scale`)."""
    from portal.job_orders.models import JobOrder
    from portal.submissions.models import Submission
    from portal.interviews.models import Interview
    from portal.offers.models import Offer, Placement
    from portal.candidates.models import Candidate
    from portal.events.models import Event

    kinds = dict(db.session.execute(select(Organisation.kind, func.count()).group_by(Organisation.kind)).all())
    counts = {"clients": kinds.get("client", 0), "suppliers": kinds.get("supplier", 0),
              "users": db.session.scalar(select(func.count(User.id)))}
    for label, model in (("candidates", Candidate), ("job orders", JobOrder), ("submissions", Submission),
                         ("interviews", Interview), ("offers", Offer), ("placements", Placement),
                         ("events", Event)):
        counts[label] = db.session.scalar(select(func.count(model.id)))
    return counts
