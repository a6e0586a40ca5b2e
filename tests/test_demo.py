"""seed-demo creates PRODUCT.md's accounts, idempotently; --scale makes more."""
from __future__ import annotations

from sqlalchemy import func, select

from portal.accounts.models import Organisation, User
from portal.db.tenancy import system_scope
from portal.demo import seed_demo
from portal.extensions import db


def _counts():
    with system_scope("test"):
        return (db.session.scalar(select(func.count(Organisation.id))),
                db.session.scalar(select(func.count(User.id))))


def test_seed_is_idempotent(app):
    before = _counts()
    with system_scope("test"):
        made = seed_demo()
    assert all(n == 0 for n in made.values()), made
    assert _counts() == before


def test_demo_accounts_exist_as_documented(app, world):
    expected = {
        "morgan@northwind.example": ("staff", "Northwind Staffing"),
        "hana@acme.example": ("client", "Acme Manufacturing"),
        "leo@globex.example": ("client", "Globex Insurance"),
        "sam@talentco.example": ("supplier", "TalentCo Search"),
        "priya@bluepeak.example": ("supplier", "BluePeak Partners"),
    }
    with system_scope("test"):
        for email, (portal, org) in expected.items():
            user = db.session.scalar(select(User).where(User.email == email))
            assert user.portal == portal and user.org.name == org and user.status == "active"
        codes = set(db.session.scalars(select(Organisation.code).where(Organisation.kind == "client")))
    assert {"ACME", "GLBX"} <= codes


def test_scale_makes_more_and_stays_idempotent(app):
    orgs, users = _counts()
    with system_scope("test"):
        seed_demo(scale=3)
    assert _counts() == (orgs + 8, users + 8)
    with system_scope("test"):
        seed_demo(scale=3)
    assert _counts() == (orgs + 8, users + 8)


def test_cli_seed_demo(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0 and "Demo data ready" in result.output
    assert app.test_cli_runner().invoke(args=["is-seeded"]).exit_code == 0
