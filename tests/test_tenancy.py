"""The tenancy layer fails closed and filters queries, relationships and events per party."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from portal.accounts.models import AccountToken, ClientSupplier, Organisation, User
from portal.db.tenancy import Scope, TenancyError, scoped, system_scope
from portal.events.models import Event, ImmutableEventError
from portal.events.services import record
from portal.extensions import db
from portal.mail.models import OutboxMessage


def test_unscoped_query_of_a_party_owned_model_raises(app):
    for model in (User, Organisation, Event, AccountToken, ClientSupplier, OutboxMessage):
        with pytest.raises(TenancyError):
            db.session.scalars(select(model)).all()


def test_client_sees_own_people_and_agency_staff_only(app, world):
    acme = world.oid("acme")
    with scoped(Scope("client", acme)):
        emails = set(db.session.scalars(select(User.email)))
        orgs = set(db.session.scalars(select(Organisation.name)))
    assert "hana@acme.example" in emails and "morgan@northwind.example" in emails
    assert not any(e.endswith(("globex.example", "talentco.example", "bluepeak.example")) for e in emails)
    assert orgs == {"Acme Manufacturing", "Northwind Staffing"}


def test_relationships_are_filtered_too(app, world):
    """An organisation loaded by a party lists only the users that party may see."""
    with scoped(Scope("supplier", world.oid("talentco"))):
        agency = db.session.scalar(select(Organisation).where(Organisation.kind == "agency"))
        talentco = db.session.scalar(select(Organisation).where(Organisation.id == world.oid("talentco")))
        assert {u.email for u in talentco.users} == {"sam@talentco.example", "ravi@talentco.example"}
        assert agency is not None


def test_anonymous_scope_sees_nothing(app):
    with scoped(Scope("anonymous")):
        assert db.session.scalars(select(User)).all() == []


def test_supplier_cannot_see_client_panel_of_other_suppliers(app, world):
    with scoped(Scope("supplier", world.oid("bluepeak"))):
        links = db.session.scalars(select(ClientSupplier)).all()
    assert {link.supplier_org_id for link in links} == {world.oid("bluepeak")}


def test_events_are_visible_to_the_parties_named_and_never_internal(app, world):
    acme, talentco = world.oid("acme"), world.oid("talentco")
    with system_scope("test"):
        org = db.session.scalar(select(Organisation).where(Organisation.id == acme))
        record(None, "test.shared", org, "shared", client_org_id=acme, supplier_org_id=talentco)
        record(None, "test.internal", org, "internal", client_org_id=acme, internal=True)
        record(None, "test.globex", org, "other", client_org_id=world.oid("globex"))
        db.session.commit()

    def verbs(scope):
        with scoped(scope):
            return set(db.session.scalars(select(Event.verb).where(Event.verb.like("test.%"))))

    assert verbs(Scope("client", acme)) == {"test.shared"}
    assert verbs(Scope("supplier", talentco)) == {"test.shared"}
    assert verbs(Scope("supplier", world.oid("bluepeak"))) == set()
    assert verbs(Scope("staff", world.oid("agency"))) == {"test.shared", "test.internal", "test.globex"}


def test_orm_updates_are_scoped(app, world):
    """A bulk UPDATE issued in a party's scope cannot touch another party's rows."""
    with scoped(Scope("client", world.oid("acme"))):
        db.session.execute(update(User).values(title="changed").execution_options(synchronize_session=False))
        db.session.commit()
    assert world.user("leo").title != "changed"
    assert world.user("hana").title == "changed"


def test_event_log_is_append_only(app, world):
    with system_scope("test"):
        ev = db.session.scalars(select(Event).limit(1)).one()
        ev.summary = "rewritten"
        with pytest.raises(ImmutableEventError):
            db.session.flush()
        db.session.rollback()
        ev = db.session.scalars(select(Event).limit(1)).one()
        db.session.delete(ev)
        with pytest.raises(ImmutableEventError):
            db.session.flush()
        db.session.rollback()
    # the database refuses too, whatever the client
    with pytest.raises(DBAPIError):
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE event SET summary = 'x'"))
    with pytest.raises(DBAPIError):
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM event"))


def test_self_scoped_statements_carry_the_same_criteria_and_fail_closed(app, world):
    from sqlalchemy import func

    from portal.db.tenancy import self_scoped

    stmt = select(func.count(Event.id))
    with scoped(Scope("client", world.oid("acme"))):
        hooked = db.session.scalar(stmt)
        own = db.session.scalar(self_scoped(stmt, Event))
    with system_scope("test"):
        everything = db.session.scalar(stmt)
    assert own == hooked and 0 < own < everything
    with scoped(Scope("anonymous")):
        assert db.session.scalar(self_scoped(stmt, Event)) == 0
    with pytest.raises(TenancyError):
        self_scoped(stmt, Event)


def test_dashboards_recent_activity_shows_only_the_partys_events(app, world, as_user):
    """The dashboards read "Recent activity" as columns through `events.queries.recent`, which applies
    the event's own criteria itself: a party sees the events naming it, never internal ones."""
    acme, talentco = world.oid("acme"), world.oid("talentco")
    with system_scope("test"):
        org = db.session.scalar(select(Organisation).where(Organisation.id == acme))
        record(None, "test.shared", org, "Shared news for acme and talentco", client_org_id=acme,
               supplier_org_id=talentco)
        record(None, "test.internal", org, "Internal note about acme", client_org_id=acme, internal=True)
        record(None, "test.globex", org, "Globex private news", client_org_id=world.oid("globex"))
        db.session.commit()
    pages = {who: as_user(who).get(url).get_data(as_text=True)
             for who, url in (("hana", "/client/"), ("sam", "/supplier/"), ("morgan", "/staff/"))}
    activity = {who: page[page.index("Recent activity"):] for who, page in pages.items()}
    assert "Shared news for acme and talentco" in activity["hana"]
    assert "Internal note about acme" not in activity["hana"] and "Globex private news" not in activity["hana"]
    assert "Shared news for acme and talentco" in activity["sam"]
    assert "Internal note about acme" not in activity["sam"] and "Globex private news" not in activity["sam"]
    assert all(s in activity["morgan"] for s in ("Shared news", "Internal note about acme", "Globex private news"))
