"""Who gets a new lead: the client rule, else a fair round robin; and the business-day clock.

Invariants (callers: `services.create_lead` only, inside its transaction):

- the round-robin state lives in the database: one counter row incremented with
  `UPDATE … RETURNING` (PostgreSQL holds that row lock until commit; SQLite's write lock is
  taken first with BEGIN IMMEDIATE), so two leads arriving at once are routed one after the
  other and each sees what the other did — no in-process memory, fair across workers;
- among the staff taking new leads, the one whose last round-robin lead is oldest gets the
  next (ties by user id): two people alternate, three rotate, a newcomer goes first;
- the client rule (the requester's e-mail domain is an active client's `email_domain`) picks
  the least recently served of that client's account managers who take new leads; when none
  of them does, the round robin decides, so a lead never waits for someone on leave.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal.accounts.models import ClientAccountManager, OrgKind, Organisation, User, UserStatus
from portal.db.locks import begin_write
from portal.extensions import db
from portal.leads.models import LeadRoutingCounter, RoutedBy, StaffLeadSettings

ROUND_ROBIN = "round_robin"
DEFAULT_RESPONSE_BUSINESS_DAYS = 1


# --- the business-day clock -----------------------------------------------------------------

def add_business_days(start: datetime, days: int) -> datetime:
    """`start` plus `days` business days, skipping Saturday and Sunday.

    A lead arriving at the weekend starts its clock on Monday at 00:00 (same time zone).
    Friday 10:00 + 1 business day = Monday 10:00.
    """
    t = start
    if t.weekday() >= 5:
        t = (t + timedelta(days=7 - t.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    for _ in range(days):
        t += timedelta(days=1)
        while t.weekday() >= 5:
            t += timedelta(days=1)
    return t


def respond_by(created_at: datetime) -> datetime:
    days = current_app.config.get("LEAD_RESPONSE_BUSINESS_DAYS", DEFAULT_RESPONSE_BUSINESS_DAYS)
    return add_business_days(created_at, int(days))


# --- round-robin ------------------------------------------------------------------------------

def _next_seq() -> int:
    """Increment the round-robin counter and return its new value (locks the row until commit)."""
    dialect = db.session.connection().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert(LeadRoutingCounter.__table__)
                       .values(name=ROUND_ROBIN, last_seq=0).on_conflict_do_nothing())
    return db.session.execute(
        update(LeadRoutingCounter)
        .where(LeadRoutingCounter.name == ROUND_ROBIN)
        .values(last_seq=LeadRoutingCounter.last_seq + 1)
        .returning(LeadRoutingCounter.last_seq)
        .execution_options(synchronize_session=False)
    ).scalar_one()


def lock() -> None:
    """Serialise lead routing until the transaction ends (call before reading routing state)."""
    begin_write()
    _next_seq()


# --- choosing ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Route:
    user_id: int | None
    routed_by: RoutedBy
    client_org_id: int | None = None


def _takers(user_ids: list[int] | None = None) -> list[tuple[int, int]]:
    """(user id, last round-robin seq) of active staff taking new leads, least recently served first."""
    stmt = (
        select(StaffLeadSettings.user_id, StaffLeadSettings.last_assigned_seq)
        .join(User, User.id == StaffLeadSettings.user_id)
        .where(StaffLeadSettings.takes_new_leads.is_(True), User.portal == "staff",
               User.status == UserStatus.ACTIVE.value)
        .order_by(StaffLeadSettings.last_assigned_seq, StaffLeadSettings.user_id)
    )
    if user_ids is not None:
        stmt = stmt.where(StaffLeadSettings.user_id.in_(user_ids))
    return [tuple(row) for row in db.session.execute(stmt).all()]


def client_for_email(email: str | None) -> Organisation | None:
    """The active client whose e-mail domain is the domain of `email`, if any."""
    if not email or "@" not in email:
        return None
    domain = email.rsplit("@", 1)[1].strip().lower()
    return db.session.scalar(
        select(Organisation).where(Organisation.kind == OrgKind.CLIENT.value, Organisation.is_active.is_(True),
                                   Organisation.email_domain == domain).order_by(Organisation.id).limit(1))


def choose(email: str | None) -> Route:
    """Pick the account manager for a new lead. Call `lock()` first, in the same transaction."""
    client = client_for_email(email)
    if client is not None:
        managers = list(db.session.scalars(select(ClientAccountManager.user_id)
                                           .where(ClientAccountManager.client_org_id == client.id)))
        takers = _takers(managers) if managers else []
        if takers:
            return _take(takers[0][0], RoutedBy.CLIENT_RULE, client.id)
    takers = _takers()
    if not takers:
        return Route(None, RoutedBy.UNROUTED, client.id if client else None)
    return _take(takers[0][0], RoutedBy.ROUND_ROBIN, client.id if client else None)


def _take(user_id: int, how: RoutedBy, client_org_id: int | None) -> Route:
    """Mark `user_id` as the most recently served (the counter row is locked by `lock()`)."""
    seq = db.session.scalar(select(LeadRoutingCounter.last_seq).where(LeadRoutingCounter.name == ROUND_ROBIN))
    db.session.execute(
        update(StaffLeadSettings).where(StaffLeadSettings.user_id == user_id)
        .values(last_assigned_seq=seq).execution_options(synchronize_session=False))
    return Route(user_id, how, client_org_id)
