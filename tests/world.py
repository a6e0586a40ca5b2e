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
    """Seed the world (call under a system scope). Commits."""
    seed_demo()
    pw = hash_password(PASSWORD)
    for email, name, role, org_name, status in EXTRA:
        org = db.session.scalar(select(Organisation).where(Organisation.name == org_name))
        if db.session.scalar(select(User.id).where(User.email == email)) is None:
            db.session.add(User(org_id=org.id, portal=org.portal, email=email, name=name, role=role,
                                status=status, password_hash=pw))
    db.session.commit()


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

    def uid(self, short: str) -> int:
        return self.user(short).id

    def oid(self, short: str) -> int:
        return self.org(short).id
