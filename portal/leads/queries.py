"""Reads of the lead queue, opportunities, activities and follow-ups (staff scope: all leads).

Lists load what their rows show in a fixed number of queries (joined owners and clients),
so a longer page never means more queries.
"""
from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from portal import clock
from portal.accounts.models import OrgKind, Organisation, User, UserStatus
from portal.events.models import Event
from portal.extensions import db
from portal.web.pagination import parse_id
from portal.leads.models import (
    LABELS,
    OPEN_STAGES,
    Activity,
    FollowUp,
    Lead,
    LeadStatus,
    Opportunity,
    Stage,
    StaffLeadSettings,
)

PAGE_SIZE = 25
OPEN_LEAD = (LeadStatus.NEW.value, LeadStatus.WORKING.value)
LEAD_STATUS_FILTERS = {"open": "Open", **LABELS[LeadStatus], "all": "All"}
STAGE_FILTERS = {"open": "Open", **LABELS[Stage], "all": "All"}


def staff_choices() -> list[tuple[int, str]]:
    """Active staff as (id, name), for owner and assignment lists."""
    return [(u.id, u.name) for u in db.session.scalars(
        select(User).where(User.portal == "staff", User.status == UserStatus.ACTIVE.value).order_by(User.name))]


def client_choices() -> list[tuple[int, str]]:
    """Active client companies as (id, "Name (CODE)")."""
    return [(o.id, f"{o.name} ({o.code})" if o.code else o.name) for o in db.session.scalars(
        select(Organisation).where(Organisation.kind == OrgKind.CLIENT.value, Organisation.is_active.is_(True))
        .order_by(Organisation.name))]


def _like(q: str) -> str:
    return "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _owner_filter(column, owner: str | None, me: int):
    if owner == "me":
        return column == me
    if owner == "unassigned":
        return column.is_(None)
    owner_id = parse_id(owner)
    if owner_id is not None:
        return column == owner_id
    return None


def overdue_clause():
    """Untouched past the response target."""
    return (Lead.status == LeadStatus.NEW.value) & (Lead.respond_by < clock.now())


def lead_page(*, status: str | None, owner: str | None, q: str | None, overdue: bool, page: int, me: int):
    """(leads, total) of the queue, newest first, with their assignee, client and opportunity."""
    stmt = select(Lead)
    if status in LABELS[LeadStatus]:
        stmt = stmt.where(Lead.status == status)
    elif status != "all":
        stmt = stmt.where(Lead.status.in_(OPEN_LEAD))
    clause = _owner_filter(Lead.assigned_to_id, owner, me)
    if clause is not None:
        stmt = stmt.where(clause)
    if q:
        like = _like(q)
        stmt = stmt.where(or_(*(func.lower(col).like(like, escape="\\") for col in
                                (Lead.company_name, Lead.contact_name, Lead.email, Lead.roles))))
    if overdue:
        stmt = stmt.where(overdue_clause())
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = list(db.session.scalars(
        stmt.options(joinedload(Lead.assigned_to), joinedload(Lead.client), selectinload(Lead.opportunity))
        .order_by(Lead.created_at.desc(), Lead.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    return rows, total


def overdue_leads(user_id: int, limit: int = 10) -> tuple[list[Lead], int]:
    """Untouched leads past their target that are this person's or nobody's, oldest target first."""
    stmt = (select(Lead, func.count().over().label("total"))
            .where(overdue_clause(), or_(Lead.assigned_to_id == user_id, Lead.assigned_to_id.is_(None)))
            .options(joinedload(Lead.assigned_to)).order_by(Lead.respond_by, Lead.id).limit(limit))
    found = db.session.execute(stmt).all()  # one query: the rows and, on each, how many there are in all
    return [lead for lead, _ in found], (found[0][1] if found else 0)


def opportunity_page(*, stage: str | None, owner: str | None, q: str | None, page: int, me: int):
    """(opportunities, total), most recently changed first, with owner and client."""
    stmt = select(Opportunity)
    if stage in LABELS[Stage]:
        stmt = stmt.where(Opportunity.stage == stage)
    elif stage != "all":
        stmt = stmt.where(Opportunity.stage.in_([s.value for s in OPEN_STAGES]))
    clause = _owner_filter(Opportunity.owner_id, owner, me)
    if clause is not None:
        stmt = stmt.where(clause)
    if q:
        like = _like(q)
        stmt = stmt.outerjoin(Organisation, Organisation.id == Opportunity.client_org_id).where(or_(
            func.lower(Opportunity.name).like(like, escape="\\"),
            func.lower(Opportunity.prospect_name).like(like, escape="\\"),
            func.lower(Organisation.name).like(like, escape="\\")))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = list(db.session.scalars(
        stmt.options(joinedload(Opportunity.owner), joinedload(Opportunity.client))
        .order_by(Opportunity.updated_at.desc(), Opportunity.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    return rows, total


def activities(*, lead: Lead | None = None, opportunity: Opportunity | None = None) -> list[Activity]:
    column, value = (Activity.lead_id, lead.id) if lead is not None else (Activity.opportunity_id, opportunity.id)
    return list(db.session.scalars(select(Activity).where(column == value)
                                   .options(joinedload(Activity.created_by))
                                   .order_by(Activity.occurred_on.desc(), Activity.id.desc())))


def follow_ups(*, lead: Lead | None = None, opportunity: Opportunity | None = None) -> list[FollowUp]:
    """Open ones first (soonest due first), then done ones."""
    column, value = (FollowUp.lead_id, lead.id) if lead is not None else (FollowUp.opportunity_id, opportunity.id)
    return list(db.session.scalars(select(FollowUp).where(column == value)
                                   .options(joinedload(FollowUp.owner))
                                   .order_by(FollowUp.done_at.is_not(None), FollowUp.due_on, FollowUp.id)))


def my_follow_ups(user_id: int, *, include_done: bool = False) -> list[FollowUp]:
    stmt = select(FollowUp).where(FollowUp.owner_id == user_id)
    if not include_done:
        stmt = stmt.where(FollowUp.done_at.is_(None))
    return list(db.session.scalars(stmt.options(joinedload(FollowUp.lead), joinedload(FollowUp.opportunity))
                                   .order_by(FollowUp.done_at.is_not(None), FollowUp.due_on, FollowUp.id)
                                   .limit(200)))


def due_follow_ups(user_id: int):
    """SQL: how many open follow-ups of this person are due today or earlier (a scalar subquery, so a
    dashboard can ask it in a statement of its own)."""
    return select(func.count(FollowUp.id)).where(
        FollowUp.owner_id == user_id, FollowUp.done_at.is_(None), FollowUp.due_on <= clock.now().date())



def history(subject) -> list[Event]:
    """The events about one lead or opportunity, newest first."""
    return list(db.session.scalars(
        select(Event).where(Event.subject_type == subject.__tablename__, Event.subject_id == subject.id)
        .order_by(Event.id.desc()).limit(100)))


def routing_rows() -> list[tuple[User, StaffLeadSettings | None, int]]:
    """Active staff with their lead setting and how many open leads they hold."""
    open_leads = (select(Lead.assigned_to_id, func.count(Lead.id).label("n"))
                  .where(Lead.status.in_(OPEN_LEAD)).group_by(Lead.assigned_to_id).subquery())
    return [tuple(row) for row in db.session.execute(
        select(User, StaffLeadSettings, func.coalesce(open_leads.c.n, 0))
        .outerjoin(StaffLeadSettings, StaffLeadSettings.user_id == User.id)
        .outerjoin(open_leads, open_leads.c.assigned_to_id == User.id)
        .where(User.portal == "staff", User.status == UserStatus.ACTIVE.value)
        .order_by(User.name)).all()]


def open_lead_count() -> int:
    return db.session.scalar(select(func.count(Lead.id)).where(Lead.status.in_(OPEN_LEAD)))


def job_reference(job_order_id: int | None) -> str | None:
    """The display id (ACME-0042) of the job order drafted at conversion, if any."""
    if job_order_id is None:
        return None
    from portal.job_orders.models import JobOrder

    return db.session.scalar(select(JobOrder.reference).where(JobOrder.id == job_order_id))
