"""Reads of client accounts: the list of accounts, one account's page, the dashboard's follow-ups.

Staff scope only (the views require a staff permission). Every read loads what its rows show
in a fixed number of queries — counts are grouped or correlated subqueries, people are joined
— so a bigger account or a longer list never means more queries.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import joinedload

from portal import clock
from portal.accounts.models import ClientAccountManager, OrgKind, Organisation, User, UserStatus
from portal.candidates.models import Candidate
from portal.clients.models import AccountEntry, AccountFollowUp
from portal.extensions import db
from portal.job_orders.models import JobOrder, JobStatus
from portal.offers.models import Placement
from portal.submissions.models import LIVE, Stage, Submission

PAGE_SIZE = 25
#: Job orders that are still being worked (not drafts, not filled or closed).
OPEN_JOB_STATUSES = (JobStatus.PENDING_REVIEW.value, JobStatus.OPEN.value, JobStatus.ON_HOLD.value)
#: The pipeline's columns on the account page (stage, short heading), in the order a candidate moves
#: through them; the stages out of the running are summed in one last column.
PIPELINE = ((Stage.SUBMITTED.value, "Screening"), (Stage.CLIENT_REVIEW.value, "Client review"),
            (Stage.SHORTLISTED.value, "Shortlisted"), (Stage.INTERVIEW.value, "Interview"),
            (Stage.OFFER.value, "Offer"), (Stage.PLACED.value, "Placed"))
#: Submissions still in the running (placed ones are counted as placements).
IN_PLAY = tuple(s.value for s in LIVE if s != Stage.PLACED)
#: How many log entries, placements and done follow-ups the account page shows (newest first).
LOG_LIMIT = 100
PLACEMENT_LIMIT = 50
DONE_LIMIT = 20
SCOPES = {"mine": "My accounts", "all": "All client accounts"}


def _like(q: str) -> str:
    return "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def quarter_start(today: date) -> datetime:
    """The first instant (UTC) of the calendar quarter `today` falls in."""
    return datetime(today.year, 3 * ((today.month - 1) // 3) + 1, 1, tzinfo=timezone.utc)


# --- the list of accounts ---------------------------------------------------------------------

@dataclass
class AccountRow:
    client: Organisation
    managers: list[User]
    open_jobs: int
    live_submissions: int
    placements_quarter: int
    next_due: date | None
    next_due_note: str | None


def account_page(*, me: int, scope: str, q: str | None, page: int) -> tuple[list[AccountRow], int]:
    """(rows, total) of client accounts by name: mine (where I am an account manager) or all, searched
    by name, code or e-mail domain. Three queries whatever the page size: count, rows, managers."""
    stmt = select(Organisation).where(Organisation.kind == OrgKind.CLIENT.value)
    if scope == "mine":
        stmt = stmt.where(Organisation.id.in_(
            select(ClientAccountManager.client_org_id).where(ClientAccountManager.user_id == me)))
    if q:
        like = _like(q)
        stmt = stmt.where(or_(func.lower(Organisation.name).like(like, escape="\\"),
                              func.lower(func.coalesce(Organisation.code, "")).like(like, escape="\\"),
                              func.lower(func.coalesce(Organisation.email_domain, "")).like(like, escape="\\")))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    org = Organisation.id
    open_jobs = (select(func.count(JobOrder.id))
                 .where(JobOrder.client_org_id == org, JobOrder.status.in_(OPEN_JOB_STATUSES))
                 .correlate(Organisation).scalar_subquery())
    live = (select(func.count(Submission.id))
            .where(Submission.client_org_id == org, Submission.stage.in_(IN_PLAY))
            .correlate(Organisation).scalar_subquery())
    placed = (select(func.count(Placement.id))
              .where(Placement.client_org_id == org, Placement.placed_at >= quarter_start(clock.now().date()))
              .correlate(Organisation).scalar_subquery())
    next_id = (select(AccountFollowUp.id)
               .where(AccountFollowUp.client_org_id == org, AccountFollowUp.done_at.is_(None))
               .order_by(AccountFollowUp.due_on, AccountFollowUp.id).limit(1)
               .correlate(Organisation).scalar_subquery())
    rows = db.session.execute(
        stmt.add_columns(open_jobs, live, placed, AccountFollowUp.due_on, AccountFollowUp.note)
        .outerjoin(AccountFollowUp, AccountFollowUp.id == next_id)
        .order_by(func.lower(Organisation.name), Organisation.id)
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    managers = managers_of([r[0].id for r in rows])
    return [AccountRow(client=r[0], managers=managers.get(r[0].id, []), open_jobs=r[1], live_submissions=r[2],
                       placements_quarter=r[3], next_due=r[4], next_due_note=r[5]) for r in rows], total


def managers_of(client_ids: list[int]) -> dict[int, list[User]]:
    """client id -> its account managers by name, in one query."""
    if not client_ids:
        return {}
    out: dict[int, list[User]] = {}
    for client_id, user in db.session.execute(
            select(ClientAccountManager.client_org_id, User)
            .join(User, User.id == ClientAccountManager.user_id)
            .where(ClientAccountManager.client_org_id.in_(client_ids)).order_by(User.name)).all():
        out.setdefault(client_id, []).append(user)
    return out


# --- one account ------------------------------------------------------------------------------

def contacts(client: Organisation) -> list[User]:
    """The client's people: active ones first, then invited, then deactivated; by name."""
    order = case((User.status == UserStatus.ACTIVE.value, 0), (User.status == UserStatus.INVITED.value, 1), else_=2)
    return list(db.session.scalars(select(User).where(User.org_id == client.id).order_by(order, User.name)))


@dataclass
class JobPipeline:
    job: JobOrder
    counts: dict[str, int]
    ended: int

    @property
    def in_play(self) -> int:
        return sum(n for stage, n in self.counts.items() if stage in IN_PLAY)


def open_jobs(client: Organisation) -> list[JobPipeline]:
    """The client's open job orders (newest first), each with its submissions counted per stage:
    two queries whatever the number of jobs."""
    jobs = list(db.session.scalars(
        select(JobOrder).options(joinedload(JobOrder.hiring_manager))
        .where(JobOrder.client_org_id == client.id, JobOrder.status.in_(OPEN_JOB_STATUSES))
        .order_by(JobOrder.created_at.desc(), JobOrder.id.desc())))
    counts: dict[int, dict[str, int]] = {job.id: {} for job in jobs}
    if jobs:
        for job_id, stage, n in db.session.execute(
                select(Submission.job_order_id, Submission.stage, func.count(Submission.id))
                .where(Submission.job_order_id.in_(list(counts)))
                .group_by(Submission.job_order_id, Submission.stage)).all():
            counts[job_id][stage] = n
    shown = {stage for stage, _ in PIPELINE}
    return [JobPipeline(job=job, counts=counts[job.id],
                        ended=sum(n for stage, n in counts[job.id].items() if stage not in shown)) for job in jobs]


@dataclass
class PlacementRow:
    placement: Placement
    candidate: str
    job: JobOrder
    supplier: str


def placements(client: Organisation, limit: int = PLACEMENT_LIMIT) -> list[PlacementRow]:
    """The client's placements, latest start first, with candidate, job and supplier: one query."""
    supplier = Organisation.__table__.alias("supplier_org")
    rows = db.session.execute(
        select(Placement, Candidate.first_name, Candidate.last_name, JobOrder, supplier.c.name)
        .join(Submission, Submission.id == Placement.submission_id)
        .join(Candidate, Candidate.id == Submission.candidate_id)
        .join(JobOrder, JobOrder.id == Placement.job_order_id)
        .join(supplier, supplier.c.id == Placement.supplier_org_id)
        .where(Placement.client_org_id == client.id)
        .order_by(Placement.start_date.desc(), Placement.id.desc()).limit(limit)).all()
    return [PlacementRow(placement=p, candidate=f"{first} {last}", job=job, supplier=sup)
            for p, first, last, job, sup in rows]


def log(client: Organisation, limit: int = LOG_LIMIT) -> list[AccountEntry]:
    """The account log, newest first (by the date it happened, then by when it was written)."""
    return list(db.session.scalars(
        select(AccountEntry).options(joinedload(AccountEntry.author))
        .where(AccountEntry.client_org_id == client.id)
        .order_by(AccountEntry.occurred_on.desc(), AccountEntry.id.desc()).limit(limit)))


def follow_ups(client: Organisation) -> tuple[list[AccountFollowUp], list[AccountFollowUp]]:
    """(open ones soonest due first, the latest done ones): two queries, assignees joined."""
    base = select(AccountFollowUp).options(joinedload(AccountFollowUp.assignee)).where(
        AccountFollowUp.client_org_id == client.id)
    open_ = list(db.session.scalars(base.where(AccountFollowUp.done_at.is_(None))
                                    .order_by(AccountFollowUp.due_on, AccountFollowUp.id)))
    done = list(db.session.scalars(base.where(AccountFollowUp.done_at.is_not(None))
                                   .order_by(AccountFollowUp.done_at.desc(), AccountFollowUp.id.desc())
                                   .limit(DONE_LIMIT)))
    return open_, done


def staff_choices() -> list[tuple[int, str]]:
    """Active people of the agency as (id, name): who a follow-up can be given to."""
    return [(u.id, u.name) for u in db.session.scalars(
        select(User).where(User.portal == "staff", User.status == UserStatus.ACTIVE.value).order_by(User.name))]


# --- the dashboard ----------------------------------------------------------------------------

def due_for(user_id: int, limit: int = 10) -> tuple[list[AccountFollowUp], int]:
    """(open follow-ups given to this person and due today or earlier, soonest first; how many in all).

    One query (the total rides on each row); each row carries its client (joined) for the link."""
    where = and_(AccountFollowUp.assignee_id == user_id, AccountFollowUp.done_at.is_(None),
                 AccountFollowUp.due_on <= clock.now().date())
    found = db.session.execute(
        select(AccountFollowUp, func.count().over().label("total")).options(joinedload(AccountFollowUp.client))
        .where(where).order_by(AccountFollowUp.due_on, AccountFollowUp.id).limit(limit)).all()
    return [row for row, _ in found], (found[0][1] if found else 0)
