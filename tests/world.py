"""The two-tenant world every test starts from: the demo data plus a few extra principals.

Agency (morgan: account manager, nadia: staff admin); clients Acme (hana: hiring manager,
olivia: client admin, ivan: deactivated) and Globex (leo: hiring manager, gina: client
admin); suppliers TalentCo (sam: recruiter, ravi: supplier admin) and BluePeak (priya:
recruiter, bruno: supplier admin).
"""
from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import Organisation, User, UserStatus
from portal.accounts.passwords import hash_password
from portal.demo import DEMO_PASSWORD, seed_demo
from portal.extensions import db
from tests.fixtures.candidates import add_world_candidates

PASSWORD = DEMO_PASSWORD

EXTRA = [
    ("gina@globex.example", "Gina Albers", "client_admin", "Globex Insurance", "active"),
    ("bruno@bluepeak.example", "Bruno Keller", "supplier_admin", "BluePeak Partners", "active"),
    ("ivan@acme.example", "Ivan Petrov", "hiring_manager", "Acme Manufacturing", "deactivated"),
]

#: short name -> e-mail of every principal of the world.
PEOPLE = {
    "morgan": "morgan@northwind.example",
    "nadia": "nadia@northwind.example",
    "hana": "hana@acme.example",
    "olivia": "olivia@acme.example",
    "ivan": "ivan@acme.example",
    "leo": "leo@globex.example",
    "gina": "gina@globex.example",
    "sam": "sam@talentco.example",
    "ravi": "ravi@talentco.example",
    "priya": "priya@bluepeak.example",
    "bruno": "bruno@bluepeak.example",
}

ORGS = {
    "agency": "Northwind Staffing",
    "acme": "Acme Manufacturing",
    "globex": "Globex Insurance",
    "talentco": "TalentCo Search",
    "bluepeak": "BluePeak Partners",
}


def build_world() -> None:
    """Seed the world (call under a system scope). Commits. Its history notifies but mails nobody."""
    from portal.notifications.services import without_email

    with without_email():
        _build_world()


def _build_world() -> None:
    seed_demo()
    pw = hash_password(PASSWORD)
    for email, name, role, org_name, status in EXTRA:
        org = db.session.scalar(select(Organisation).where(Organisation.name == org_name))
        if db.session.scalar(select(User.id).where(User.email == email)) is None:
            db.session.add(User(org_id=org.id, portal=org.portal, email=email, name=name, role=role,
                                status=status, password_hash=pw))
    db.session.commit()
    add_world_candidates()
    db.session.commit()
    add_world_job_orders()
    db.session.commit()
    from tests.test_submissions_support import add_world_submissions

    add_world_submissions()
    db.session.commit()
    from tests.test_review_support import add_world_review

    add_world_review()
    db.session.commit()


#: The world's own job orders: key -> (hiring manager, title, {supplier: tier} released to, or None: a draft).
#: A supplier "owns" a job order when it is released to it: TalentCo owns acme's, BluePeak globex's.
WORLD_JOBS = {
    "acme": ("hana", "World Acme controls job", {"talentco": 1}),
    "globex": ("leo", "World Globex claims job", {"bluepeak": 1}),
    "acme_draft": ("hana", "World Acme draft", None),
    "globex_draft": ("leo", "World Globex draft", None),
}


def add_world_job_orders() -> None:
    """Job orders of each client (one released to one supplier with a question on it, one draft)."""
    from portal.job_orders import conversation, releases, services

    people = {short: db.session.scalar(select(User).where(User.email == PEOPLE[short]))
              for short in ("hana", "leo", "morgan", "sam", "priya")}
    orgs = {short: db.session.scalar(select(Organisation.id).where(Organisation.name == ORGS[short]))
            for short in ("talentco", "bluepeak")}
    asker = {"talentco": people["sam"], "bluepeak": people["priya"]}
    for hm, title, tiers in WORLD_JOBS.values():
        job, _ = services.create_job_order(people[hm], {
            "title": title, "position_type": "contract", "location_type": "hybrid", "openings": 2,
            "summary": f"{title}: the world's job order.", "rate_min": 50, "rate_max": 70, "rate_unit": "hour"})
        if tiers:
            services.submit(people[hm], job)
            releases.approve_and_release(people["morgan"], job, {orgs[s]: t for s, t in tiers.items()})
            for supplier in tiers:
                conversation.ask_question(asker[supplier], job, f"A question from {supplier} on {title}?")


class World:
    """Look up the world's people and organisations by short name (system scope inside)."""

    def user(self, short: str) -> User:
        from portal.db.tenancy import system_scope

        with system_scope("test lookup"):
            return db.session.scalar(select(User).where(User.email == PEOPLE[short]))

    def org(self, short: str) -> Organisation:
        from portal.db.tenancy import system_scope

        with system_scope("test lookup"):
            return db.session.scalar(select(Organisation).where(Organisation.name == ORGS[short]))

    def job(self, key: str):
        """A job order of WORLD_JOBS by key ("acme", "globex", "acme_draft", "globex_draft")."""
        from portal.db.tenancy import system_scope
        from portal.job_orders.models import JobOrder

        with system_scope("test lookup"):
            return db.session.scalar(select(JobOrder).where(JobOrder.title == WORLD_JOBS[key][1]))

    def uid(self, short: str) -> int:
        return self.user(short).id

    def oid(self, short: str) -> int:
        return self.org(short).id
