"""Reads of job orders for lists, detail pages and dashboards, always through the caller's scope.

List pages run a fixed number of queries whatever their size (a count and one page of rows
with everything each row shows joined in). Suppliers get explicit column projections, never
the model, so no field they must not see reaches their templates.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import selectinload

from portal.accounts.models import ClientAccountManager, ClientSupplier, Organisation, OrgKind, User
from portal.events.models import Event
from portal.extensions import db
from portal.db.statements import written
from portal.web.pagination import capped_count, page_window, parse_id
from portal.job_orders.models import (
    LABELS,
    ClientJobSettings,
    JobOrder,
    JobOrderNote,
    JobOrderQuestion,
    JobOrderRelease,
    JobOrderView,
    JobStatus,
    LocationType,
    PositionType,
)

PAGE_SIZE = 25
#: Submission stages counted on lists: (column, heading).
STAGES = (("submitted", "Submitted"), ("client_review", "In review"), ("interview", "Interview"),
          ("offer", "Offer"), ("placed", "Placed"))
SORTS = {"newest": "Newest first", "oldest": "Oldest first", "title": "Title (A–Z)",
         "start": "Start date", "priority": "Priority", "reference": "Job order id"}
#: Organisation names for rows of other parties (a client sees its suppliers' names, a supplier
#: its client's): read from the table, past the ORM's organisation scope, on purpose.
_orgs = Organisation.__table__


def _text(value, limit: int = 100) -> str | None:
    value = (value or "").strip()[:limit]
    return value or None


@dataclass
class Filters:
    """What a list shows; parsed from the address bar, unknown values ignored (never a 500)."""

    q: str | None = None
    status: str | None = None
    position_type: str | None = None
    location_type: str | None = None
    client: int | None = None
    mine: bool = False
    sort: str = "newest"
    page: int = 1

    @classmethod
    def from_args(cls, args, *, page: int, default_sort: str = "newest", mine_default: bool = False) -> "Filters":
        def pick(name, allowed):
            value = args.get(name) or None
            return value if value in allowed else None

        client = parse_id(args.get("client"))
        mine_arg = args.get("mine")
        return cls(
            q=_text(args.get("q")),
            status=pick("status", LABELS[JobStatus]),
            position_type=pick("position_type", LABELS[PositionType]),
            location_type=pick("location_type", LABELS[LocationType]),
            client=client,
            mine=mine_default if mine_arg is None else mine_arg in ("1", "on", "true"),
            sort=pick("sort", SORTS) or default_sort,
            page=page,
        )

    def args(self, *, mine_default: bool = False) -> dict:
        """The address-bar arguments that reproduce this list (for pagination links)."""
        out = {"q": self.q, "status": self.status, "position_type": self.position_type,
               "location_type": self.location_type, "client": self.client, "sort": self.sort}
        if self.mine != mine_default:
            out["mine"] = "1" if self.mine else "0"
        return out


@dataclass
class JobRow:
    """One row of a client's or staff list."""

    job: JobOrder
    client_name: str
    hiring_manager: str | None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def openings_left(self) -> int:
        return max(0, self.job.openings - self.counts.get("placed", 0))


@dataclass
class SupplierRow:
    """One row of a supplier's list: only what a supplier may see."""

    id: int
    reference: str
    title: str
    client_name: str
    status: str
    position_type: str | None
    location: str | None
    location_type: str | None
    work_from_anywhere: bool
    rate_min: object
    rate_max: object
    currency: str
    rate_unit: str | None
    rate_type: str | None
    openings: int
    released_at: datetime
    closed_to_us: bool
    mark: str | None  # "new", "updated" or None
    placed: int = 0

    @property
    def openings_left(self) -> int:
        return max(0, self.openings - self.placed)


def stage_counts(*, every_supplier: bool = False, per_row: bool = False):
    """Submissions per job order and stage, as a subquery (job_order_id, one column per stage),
    outer joined by every list so that each keeps its single query.

    Through the viewer's scope (a client counts the submissions visible to it, a supplier its
    own), or with `every_supplier` all of them (openings left count every supplier's placements).
    `per_row` (lists): on PostgreSQL a LATERAL subquery counted for each listed job order only, where
    a plain one would count every submission in the database before the page's 25 rows are chosen
    (~250 ms at 500,000 submissions); SQLite has no LATERAL and keeps the plain subquery.
    """
    from portal.submissions.models import Submission  # submissions build on job orders

    sub = Submission.__table__.c if every_supplier else Submission
    stmt = (select(sub.job_order_id.label("job_order_id"),
                   *(func.count(case((sub.stage == name, 1))).label(name) for name, _ in STAGES))
            .group_by(sub.job_order_id))
    if per_row and db.session.get_bind().dialect.name == "postgresql":
        return stmt.where(sub.job_order_id == JobOrder.id).lateral("stage_counts")
    return stmt.subquery("stage_counts")


def job_stage_counts(job: JobOrder) -> dict[str, int]:
    """One job order's submissions per stage, as the viewer may count them (detail pages)."""
    sc = stage_counts()
    row = db.session.execute(select(*(sc.c[name] for name, _ in STAGES)).where(sc.c.job_order_id == job.id)).first()
    return {name: (row[i] if row else 0) for i, (name, _) in enumerate(STAGES)}


def _search(stmt, q: str | None):
    if not q:
        return stmt
    like = q.lower()
    return stmt.where(or_(*(func.lower(col).contains(like, autoescape=True) for col in (
        JobOrder.title, JobOrder.reference, JobOrder.location, JobOrder.skills, JobOrder.category,
        JobOrder.industry))))


def _filtered(stmt, f: Filters):
    stmt = _search(stmt, f.q)
    if f.status:
        # Written into the SQL (one of the known statuses, checked by Filters): a generic plan that
        # knows it can use the pending job orders' own index (the staff review queue).
        stmt = stmt.where(JobOrder.status == written(f.status))
    if f.position_type:
        stmt = stmt.where(JobOrder.position_type == f.position_type)
    if f.location_type:
        stmt = stmt.where(JobOrder.location_type == f.location_type)
    return stmt


def _narrows_job_orders(f: Filters) -> bool:
    """Whether `_filtered` adds a condition on the job orders themselves (keep the two together)."""
    return bool(f.q or f.status or f.position_type or f.location_type)


_PRIORITY_RANK = case({"urgent": 0, "high": 1, "normal": 2, "low": 3}, value=JobOrder.priority, else_=4)


def _order(f: Filters, newest_col=None) -> tuple:
    newest_col = newest_col if newest_col is not None else JobOrder.created_at
    return {
        "newest": (newest_col.desc(), JobOrder.id.desc()),
        "oldest": (newest_col.asc(), JobOrder.id.asc()),
        "title": (func.lower(JobOrder.title), JobOrder.id),
        "start": (JobOrder.start_date.is_(None), JobOrder.start_date, JobOrder.id),
        "priority": (_PRIORITY_RANK, JobOrder.created_at.desc(), JobOrder.id.desc()),
        "reference": (_orgs.c.code, JobOrder.number),
    }[f.sort]


def _page(stmt, count_stmt, f: Filters, order: tuple, *, written_window: bool = True):
    # Counted no further than the cap ("more than 1,000"), like the submission lists: a search term
    # common to thousands of job orders need not read them all for a number nobody pages through.
    total = capped_count(count_stmt)
    # LIMIT/OFFSET as numbers except where measured worse (the supplier's list).
    rows = db.session.execute(page_window(stmt.order_by(*order), f.page, PAGE_SIZE, written=written_window)).all()
    return rows, total


def job_page(f: Filters, *, viewer: User, my_clients: bool = False):
    """A page of job orders for a client's people or staff: [JobRow], total. Two queries."""
    sc = stage_counts(per_row=True)
    hm = User  # not aliased: the tenancy criteria are written against the mapped table
    stmt = (select(JobOrder, _orgs.c.name, hm.name, *(func.coalesce(sc.c[name], 0) for name, _ in STAGES))
            .join(_orgs, _orgs.c.id == JobOrder.client_org_id)
            .outerjoin(hm, hm.id == JobOrder.hiring_manager_id)
            .outerjoin(sc, sc.c.job_order_id == JobOrder.id))
    count = select(JobOrder.id).join(_orgs, _orgs.c.id == JobOrder.client_org_id)
    wheres = []
    if viewer.portal == "client" and f.mine:
        wheres.append(or_(JobOrder.hiring_manager_id == viewer.id, JobOrder.created_by_id == viewer.id))
    if viewer.portal == "staff":
        if f.client:
            wheres.append(JobOrder.client_org_id == f.client)
        if my_clients:
            wheres.append(JobOrder.client_org_id.in_(
                select(ClientAccountManager.client_org_id).where(ClientAccountManager.user_id == viewer.id)))
    stmt, count = _filtered(stmt.where(*wheres), f), _filtered(count.where(*wheres), f)
    order = _order(f, JobOrder.submitted_at if f.status == JobStatus.PENDING_REVIEW.value else None)
    rows, total = _page(stmt, count, f, order)
    out = [JobRow(job, client_name, hm_name, dict(zip((n for n, _ in STAGES), counts)))
           for job, client_name, hm_name, *counts in rows]
    return out, total


def supplier_page(f: Filters, *, viewer: User):
    """A page of the job orders released to the viewer's company, newest release first, with
    "new" (never opened by this person) and "updated" (changed since they last opened it)."""
    sc = stage_counts(every_supplier=True, per_row=True)
    rel = JobOrderRelease
    seen = JobOrderView  # not aliased: the tenancy criteria are written against the mapped table
    stmt = (
        select(JobOrder.id, JobOrder.reference, JobOrder.title, _orgs.c.name, JobOrder.status,
               JobOrder.position_type, JobOrder.location, JobOrder.location_type, JobOrder.work_from_anywhere,
               JobOrder.rate_min, JobOrder.rate_max, JobOrder.currency, JobOrder.rate_unit, JobOrder.rate_type,
               JobOrder.openings, rel.released_at, rel.withdrawn_at.is_not(None), seen.seen_at, JobOrder.changed_at,
               func.coalesce(sc.c.placed, 0))
        .join(rel, and_(rel.job_order_id == JobOrder.id, rel.supplier_org_id == viewer.org_id,
                        rel.released_at.is_not(None)))
        .join(_orgs, _orgs.c.id == JobOrder.client_org_id)
        .outerjoin(seen, and_(seen.job_order_id == JobOrder.id, seen.user_id == viewer.id))
        .outerjoin(sc, sc.c.job_order_id == JobOrder.id)
    )
    count = select(JobOrder.id).join(rel, and_(rel.job_order_id == JobOrder.id, rel.supplier_org_id == viewer.org_id,
                                                rel.released_at.is_not(None)))
    if f.client:
        stmt, count = stmt.where(JobOrder.client_org_id == f.client), count.where(JobOrder.client_org_id == f.client)
    stmt, count = _filtered(stmt, f), _filtered(count, f)
    if not _narrows_job_orders(f):
        # Nothing to filter on the job orders themselves: the rows are exactly the supplier's releases
        # (a job order is visible to a supplier through its release), counted from their index alone
        # instead of joined to their job orders (0015_supplier_releases).
        count = select(rel.id).where(rel.supplier_org_id == viewer.org_id, rel.released_at.is_not(None))
        if f.client:
            count = count.where(rel.client_org_id == f.client)
    order = _order(f, rel.released_at) if f.sort != "reference" else (JobOrder.reference,)
    # Its rows' LIMIT stays a parameter: written as a number, PostgreSQL's generic plan for it walked
    # the release order and took 4 ms instead of 0.5 (statements.written).
    rows, total = _page(stmt, count, f, order, written_window=False)
    out = []
    for (jid, ref, title, client, status, ptype, loc, ltype, wfa, rmin, rmax, cur, unit, rtype, openings,
         released_at, closed, seen_at, changed_at, placed) in rows:
        mark = "new" if seen_at is None else ("updated" if changed_at > seen_at else None)
        out.append(SupplierRow(jid, ref, title, client, status, ptype, loc, ltype, wfa, rmin, rmax, cur, unit, rtype,
                               openings, released_at, closed, mark, placed))
    return out, total


def client_choices() -> list[tuple[int, str]]:
    """Active client companies (staff filter)."""
    return list(db.session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.kind == OrgKind.CLIENT.value, Organisation.is_active.is_(True)).order_by(Organisation.name)).all())


def supplier_client_choices(viewer: User) -> list[tuple[int, str]]:
    """The clients whose job orders are released to the viewer's company (supplier filter)."""
    return list(db.session.execute(
        select(_orgs.c.id, _orgs.c.name).where(_orgs.c.id.in_(
            select(JobOrderRelease.client_org_id).where(JobOrderRelease.supplier_org_id == viewer.org_id)))
        .order_by(_orgs.c.name)).all())


# --- one job order -----------------------------------------------------------------------------

def hiring_manager_name(job: JobOrder) -> str | None:
    if job.hiring_manager_id is None:
        return None
    return db.session.scalar(select(User.name).where(User.id == job.hiring_manager_id))


def client_name(job_or_id) -> str:
    client_id = getattr(job_or_id, "client_org_id", job_or_id)
    return db.session.scalar(select(_orgs.c.name).where(_orgs.c.id == client_id))


@dataclass
class ReleaseRow:
    id: int
    supplier_id: int
    supplier: str
    tier: int
    scheduled_at: datetime
    released_at: datetime | None
    withdrawn_at: datetime | None

    @property
    def state(self) -> str:
        if self.withdrawn_at is not None:
            return "pulled"
        return "released" if self.released_at is not None else "scheduled"


def releases_of(job: JobOrder) -> list[ReleaseRow]:
    """The suppliers a job is (or will be) released to: for the client and staff."""
    rows = db.session.execute(
        select(JobOrderRelease.id, JobOrderRelease.supplier_org_id, _orgs.c.name, JobOrderRelease.tier,
               JobOrderRelease.scheduled_at, JobOrderRelease.released_at, JobOrderRelease.withdrawn_at)
        .join(_orgs, _orgs.c.id == JobOrderRelease.supplier_org_id)
        .where(JobOrderRelease.job_order_id == job.id)
        .order_by(JobOrderRelease.tier, _orgs.c.name)).all()
    return [ReleaseRow(*row) for row in rows]


@dataclass
class SupplierJob:
    """What a supplier sees of a job order (no hiring manager, review comments or close notes)."""

    id: int
    reference: str
    title: str
    client_name: str
    status: str
    summary: str | None
    responsibilities: str | None
    requirements: str | None
    skill_list: list[str]
    rate_min: object
    rate_max: object
    currency: str
    rate_unit: str | None
    rate_type: str | None
    changed_at: datetime


def supplier_job(job: JobOrder) -> SupplierJob:
    return SupplierJob(job.id, job.reference, job.title, client_name(job), job.status, job.summary,
                       job.responsibilities, job.requirements, job.skill_list, job.rate_min, job.rate_max,
                       job.currency, job.rate_unit, job.rate_type, job.changed_at)


def client_settings_row(client_org_id: int) -> ClientJobSettings | None:
    return db.session.scalar(select(ClientJobSettings).where(ClientJobSettings.client_org_id == client_org_id))


def own_release(job: JobOrder, supplier_org_id: int) -> JobOrderRelease | None:
    return db.session.scalar(select(JobOrderRelease).where(
        JobOrderRelease.job_order_id == job.id, JobOrderRelease.supplier_org_id == supplier_org_id))


def release_candidates(job: JobOrder):
    """(supplier, default tier) on the client's panel that the job is not (still) released to."""
    active = select(JobOrderRelease.supplier_org_id).where(JobOrderRelease.job_order_id == job.id,
                                                           JobOrderRelease.withdrawn_at.is_(None))
    return db.session.execute(
        select(Organisation, ClientSupplier.default_tier)
        .join(ClientSupplier, ClientSupplier.supplier_org_id == Organisation.id)
        .where(ClientSupplier.client_org_id == job.client_org_id, Organisation.is_active.is_(True),
               Organisation.id.not_in(active))
        .order_by(ClientSupplier.default_tier, Organisation.name)).all()


@dataclass
class QuestionRow:
    id: int
    body: str
    asked_at: datetime
    answer: str | None
    answered_at: datetime | None
    mine: bool = False
    asked_by: str | None = None  # staff only


def questions_for_party(job: JobOrder, *, with_author: bool) -> list[QuestionRow]:
    """Questions on a job, unanswered first, for its client or for staff; only staff
    (`with_author`) learn which supplier asked."""
    author = _orgs.c.name if with_author else literal(None)
    stmt = (select(JobOrderQuestion.id, JobOrderQuestion.body, JobOrderQuestion.asked_at, JobOrderQuestion.answer,
                   JobOrderQuestion.answered_at, author)
            .join(_orgs, _orgs.c.id == JobOrderQuestion.supplier_org_id)
            .where(JobOrderQuestion.job_order_id == job.id)
            .order_by(JobOrderQuestion.answer.is_not(None), JobOrderQuestion.asked_at.desc(),
                      JobOrderQuestion.id.desc()))
    return [QuestionRow(qid, body, asked, answer, answered, asked_by=name)
            for qid, body, asked, answer, answered, name in db.session.execute(stmt).all()]


def questions_for_supplier(job: JobOrder, supplier_org_id: int) -> list[QuestionRow]:
    """Answered questions, and the viewer's company's own open ones; never who asked."""
    mine = JobOrderQuestion.supplier_org_id == supplier_org_id
    stmt = (select(JobOrderQuestion.id, JobOrderQuestion.body, JobOrderQuestion.asked_at, JobOrderQuestion.answer,
                   JobOrderQuestion.answered_at, mine)
            .where(JobOrderQuestion.job_order_id == job.id, or_(JobOrderQuestion.answer.is_not(None), mine))
            .order_by(JobOrderQuestion.asked_at.desc(), JobOrderQuestion.id.desc()))
    return [QuestionRow(qid, body, asked, answer, answered, mine=bool(is_mine))
            for qid, body, asked, answer, answered, is_mine in db.session.execute(stmt).all()]


def activity(job: JobOrder, *, staff: bool, limit: int = 50) -> list[Event]:
    """The job's events, newest first, as the scope sees them. Staff read the client-stamped
    stream (internal ones included), not the copies written for each supplier."""
    stmt = select(Event).where(Event.subject_type == JobOrder.__tablename__, Event.subject_id == job.id)
    if staff:
        stmt = stmt.where(Event.client_org_id.is_not(None))
    return list(db.session.scalars(stmt.order_by(Event.id.desc()).limit(limit)))


def spec_changes(job: JobOrder) -> list[Event]:
    """Edits of a job as the viewer's scope sees them (a supplier: those made since its release)."""
    return list(db.session.scalars(
        select(Event).where(Event.subject_type == JobOrder.__tablename__, Event.subject_id == job.id,
                            Event.verb == "job_order.edited").order_by(Event.id.desc()).limit(50)))


def notes_of(job: JobOrder) -> list[JobOrderNote]:
    return list(db.session.scalars(select(JobOrderNote).options(selectinload(JobOrderNote.author))
                                   .where(JobOrderNote.job_order_id == job.id)
                                   .order_by(JobOrderNote.id.desc())))


def pending_question(job: JobOrder, question_id: int) -> JobOrderQuestion | None:
    return db.session.scalar(select(JobOrderQuestion).where(JobOrderQuestion.id == question_id,
                                                            JobOrderQuestion.job_order_id == job.id))


# --- dashboards ----------------------------------------------------------------------------------

def status_counts(*wheres) -> dict[str, int]:
    return dict(db.session.execute(select(JobOrder.status, func.count(JobOrder.id)).where(*wheres)
                                   .group_by(JobOrder.status)).all())


def staff_count_columns(viewer: User) -> dict:
    """SQL: the staff dashboard's job order numbers as scalar subqueries (the dashboard asks them in
    the same statement as its other numbers)."""
    mine = JobOrder.client_org_id.in_(select(ClientAccountManager.client_org_id)
                                      .where(ClientAccountManager.user_id == viewer.id))

    def count(*where):
        # count(*), not count(id): answered from the (status, client_org_id) index alone, where
        # counting the id read every open job order's row (~10 ms at scale 100).
        return select(func.count()).select_from(JobOrder).where(*where).scalar_subquery()

    return {"pending_mine": count(JobOrder.status == JobStatus.PENDING_REVIEW.value, mine),
            "pending": count(JobOrder.status == JobStatus.PENDING_REVIEW.value),
            "open": count(JobOrder.status == JobStatus.OPEN.value),
            "on_hold": count(JobOrder.status == JobStatus.ON_HOLD.value)}


def dashboard_counts(viewer: User) -> dict[str, int]:
    """The few numbers the client's and staff's dashboards show about job orders (one query; the
    supplier's come with its dashboard's job orders: `submissions.queries.supplier_dashboard`)."""
    if viewer.portal == "staff":
        columns = staff_count_columns(viewer)
        return dict(zip(columns, db.session.execute(select(*columns.values())).one()))
    counts = status_counts()
    return {status.value: counts.get(status.value, 0) for status in JobStatus}
