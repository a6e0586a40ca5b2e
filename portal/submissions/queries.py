"""Reads of submissions for lists, detail pages, job order pages and the supplier dashboard, always
through the caller's scope (a supplier sees its own, a client those made visible to it, staff all).

List pages cost a fixed number of queries whatever their size: a count and one page of rows with
everything a row shows joined in (the staff's duplicate flag is an EXISTS in the same statement),
plus the filter choices. Suppliers and clients get explicit column projections, never another
party's models, so nothing they must not see reaches their templates.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import joinedload

from portal import clock
from portal.accounts.models import ClientAccountManager, Organisation, User
from portal.db.statements import written
from portal.web.pagination import capped_count, page_window
from portal.candidates.models import Candidate, Resume
from portal.events.models import Event
from portal.extensions import db
from portal.job_orders.models import ClientJobSettings, JobOrder, JobOrderRelease, JobOrderView, JobStatus
from portal.job_orders.releases import DEFAULT_FIRST_SUBMISSION_HOURS
from portal.submissions.models import STAGE_LABELS, Stage, Submission

PAGE_SIZE = 25
#: A job order filter lists no more options than this.
MAX_JOB_CHOICES = 500
#: Up to this many, a supplier's job order filter lists all its job orders; past it, a client's.
JOB_CHOICES_AT_ONCE = 100
#: Organisation names of other parties (a supplier sees its client's, a client its suppliers'), read
#: from the table past the ORM's organisation scope, on purpose.
_orgs = Organisation.__table__
#: The select of stage filters, in life-cycle order.
STAGE_CHOICES = [(s.value, STAGE_LABELS[s]) for s in Stage]

#: What the supplier does next at each stage, and whether that is an action waiting on it.
NEXT_STEP: dict[str, tuple[str, bool]] = {
    Stage.SUBMITTED: ("Wait: the agency is screening it", False),
    Stage.CLIENT_REVIEW: ("Wait: the client is reviewing it", False),
    Stage.SHORTLISTED: ("Keep the candidate ready: an interview may follow", False),
    Stage.INTERVIEW: ("Confirm the interview with the candidate", True),
    Stage.OFFER: ("Get the candidate's answer to the offer", True),
    Stage.PLACED: ("Nothing: placed", False),
    Stage.REJECTED: ("Nothing: read the reason given", False),
    Stage.WITHDRAWN: ("Nothing: withdrawn", False),
    Stage.OFFER_DECLINED: ("Nothing: the offer was declined", False),
    Stage.CLOSED: ("Nothing: the position was filled", False),
}
ACTING_STAGES = [stage.value for stage, (_, acts) in NEXT_STEP.items() if acts]


def _text(value, limit: int = 100) -> str | None:
    value = (value or "").strip()[:limit]
    return value or None


def _int(value) -> int | None:
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None


@dataclass
class Filters:
    """What a list shows; parsed from the address bar, unknown values ignored (never a 500)."""

    q: str | None = None
    stage: str | None = None
    job: int | None = None
    client: int | None = None
    supplier: int | None = None
    duplicates: bool = False
    mine: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args, *, page: int, mine_default: bool = False) -> "Filters":
        stage = args.get("stage") or None
        mine = args.get("mine")
        return cls(q=_text(args.get("q")), stage=stage if stage in STAGE_LABELS else None,
                   job=_int(args.get("job")), client=_int(args.get("client")), supplier=_int(args.get("supplier")),
                   duplicates=args.get("duplicates") in ("1", "on", "true"),
                   mine=mine_default if mine is None else mine in ("1", "on", "true"), page=page)

    def args(self, *, mine_default: bool = False) -> dict:
        """The address-bar arguments that reproduce this list (pagination and live refresh)."""
        out = {"q": self.q, "stage": self.stage, "job": self.job, "client": self.client, "supplier": self.supplier,
               "duplicates": "1" if self.duplicates else None}
        if self.mine != mine_default:
            out["mine"] = "1" if self.mine else "0"
        return out

    @property
    def any(self) -> bool:
        return bool(self.q or self.stage or self.job or self.client or self.supplier or self.duplicates)


def _search(stmt, q: str | None):
    """Every word must match the candidate's name, the job's id or title."""
    for word in (q or "").lower().split()[:6]:
        stmt = stmt.where(or_(*(func.lower(col).contains(word, autoescape=True) for col in (
            Candidate.first_name, Candidate.last_name, JobOrder.reference, JobOrder.title))))
    return stmt


def _candidate_name():
    return Candidate.first_name + " " + Candidate.last_name


def _list_select(*columns):
    """A list's rows: each submission with its stage and times, job order, and `columns` after them."""
    return (select(Submission.id, Submission.stage, Submission.stage_changed_at, Submission.submitted_at,
                   JobOrder.id, JobOrder.reference, JobOrder.title, *columns)
            .join(JobOrder, JobOrder.id == Submission.job_order_id)
            .join(Candidate, Candidate.id == Submission.candidate_id))


def _page(stmt, f: Filters, order: tuple):
    total = capped_count(stmt.with_only_columns(Submission.id))
    if not total:
        # Nothing to show: skip the rows query, which for an empty filter (a staff member with no
        # clients of their own) walked the whole "last change" index looking for 25 rows (~200 ms).
        return [], total
    rows = db.session.execute(page_window(stmt.order_by(*order), f.page, PAGE_SIZE)).all()
    return rows, total


@dataclass
class _ListRow:
    """What every list row has: the columns of `_list_select`, in its order."""

    id: int
    stage: str
    stage_changed_at: datetime
    submitted_at: datetime
    job_id: int
    reference: str
    title: str


# --- the supplier's list ---------------------------------------------------------------------

@dataclass
class SupplierRow(_ListRow):
    client_name: str
    candidate_id: int
    candidate_name: str

    @property
    def next_step(self) -> str:
        return NEXT_STEP[Stage(self.stage)][0]

    @property
    def acts(self) -> bool:
        return NEXT_STEP[Stage(self.stage)][1]


def supplier_page(f: Filters, *, viewer: User) -> tuple[list[SupplierRow], int]:
    """A page of the supplier's own submissions, last changed first: two queries."""
    stmt = (_list_select(_orgs.c.name, Candidate.id, _candidate_name())
            .join(_orgs, _orgs.c.id == Submission.client_org_id))
    wheres = [Submission.supplier_org_id == viewer.org_id]
    if f.stage:
        wheres.append(Submission.stage == f.stage)
    if f.job:
        wheres.append(Submission.job_order_id == f.job)
    if f.client:
        wheres.append(Submission.client_org_id == f.client)
    order = (Submission.stage_changed_at.desc(), Submission.id.desc())
    if f.q:
        rows, total = _page(_search(stmt.where(*wheres), f.q), f, order)
        return [SupplierRow(*row) for row in rows], total
    # Without a search term every filter is the submission's own: the page's 25 ids are read from
    # its index (supplier, last change) alone, then joined. With the joins in the same statement the
    # planner, misled by the stacked tenancy criteria (it expected one row), read and sorted every
    # one of the supplier's submissions (~25 ms for 2,000 at the benchmark's scale 100).
    own = select(Submission.id).where(*wheres)
    total = capped_count(own)
    if not total:
        return [], total
    ids = page_window(own.order_by(*order), f.page, PAGE_SIZE)
    rows = db.session.execute(stmt.where(Submission.id.in_(ids)).order_by(*order)).all()
    return [SupplierRow(*row) for row in rows], total


def _keep_chosen(choices: list[tuple[int, str]], chosen: tuple[int, str] | None) -> list[tuple[int, str]]:
    """The chosen job order stays among the options, even past the cap (else the select would say
    "Any job order" while the list is filtered by it)."""
    if chosen and all(jid != chosen[0] for jid, _ in choices):
        return [*choices, chosen]
    return choices


def supplier_filters(f: Filters, viewer: User, *, client_sent: bool
                     ) -> tuple[Filters, list[tuple[int, str]], list[tuple[int, str]] | None]:
    """The supplier list's client and job order filters: (filters, clients, job orders or None).

    Clients: those the supplier has submitted to. Job orders: those it has submitted to, all of
    them when there are at most JOB_CHOICES_AT_ONCE, else the chosen client's (None, "Choose a
    client first", until one is: a supplier of a large program has submitted to hundreds). A job
    named without any client argument (a link) brings its client; a client or job not among its
    own is dropped, and so is a job that "All clients" leaves without a list to be chosen from."""
    own = Submission.supplier_org_id == viewer.org_id
    clients = [tuple(row) for row in db.session.execute(
        select(_orgs.c.id, _orgs.c.name).where(_orgs.c.id.in_(select(Submission.client_org_id).where(own)))
        .order_by(_orgs.c.name)).all()]
    if f.client and f.client not in {cid for cid, _ in clients}:
        f = replace(f, client=None)
    chosen = None
    if f.job:
        row = db.session.execute(
            select(Submission.client_org_id, JobOrder.reference, JobOrder.title)
            .join(JobOrder, JobOrder.id == Submission.job_order_id)
            .where(own, Submission.job_order_id == f.job).limit(1)).first()
        if row is None or (f.client and row[0] != f.client):
            f = replace(f, job=None)
        else:
            chosen = (f.job, f"{row[1]} · {row[2]}")
            if not f.client and not client_sent:
                f = replace(f, client=row[0])
    mine = select(Submission.job_order_id).where(own)
    if f.client:
        mine = mine.where(Submission.client_org_id == f.client)
    else:
        # Whether there are more than JOB_CHOICES_AT_ONCE needs only one more than that: the distinct
        # job orders from the supplier's own index, stopping there (not all its job orders, sorted).
        mine = mine.distinct().limit(written(JOB_CHOICES_AT_ONCE + 1))
    rows = db.session.execute(
        select(JobOrder.id, JobOrder.reference, JobOrder.title).where(JobOrder.id.in_(mine))
        .order_by(JobOrder.reference).limit(MAX_JOB_CHOICES if f.client else JOB_CHOICES_AT_ONCE + 1)).all()
    if not f.client and len(rows) > JOB_CHOICES_AT_ONCE:
        return replace(f, job=None), clients, None
    return f, clients, _keep_chosen([(jid, f"{ref} · {title}") for jid, ref, title in rows], chosen)


# --- the staff's list --------------------------------------------------------------------------

@dataclass
class StaffRow(_ListRow):
    client_name: str
    supplier_name: str
    candidate_name: str
    duplicate_elsewhere: bool


def _elsewhere(sub=Submission):
    """SQL: the same person (e-mail or phone key) is submitted to another job order too."""
    other = Submission.__table__.alias("other_submission")
    return exists(select(other.c.id).where(
        other.c.job_order_id != sub.job_order_id,
        or_(other.c.email_key == sub.email_key, other.c.phone_key == sub.phone_key)))


def staff_page(f: Filters, *, viewer: User) -> tuple[list[StaffRow], int]:
    """A page of every client's submissions (or those of the viewer's clients), with the
    cross-job duplicate flag: two queries."""
    client_org, supplier_org = _orgs.alias("client_org"), _orgs.alias("supplier_org")
    elsewhere = _elsewhere()
    stmt = (_list_select(client_org.c.name, supplier_org.c.name, _candidate_name(), elsewhere)
            .join(client_org, client_org.c.id == Submission.client_org_id)
            .join(supplier_org, supplier_org.c.id == Submission.supplier_org_id))
    if f.mine:
        stmt = stmt.where(Submission.client_org_id.in_(
            select(ClientAccountManager.client_org_id).where(ClientAccountManager.user_id == viewer.id)))
    for value, column in ((f.client, Submission.client_org_id), (f.supplier, Submission.supplier_org_id),
                          (f.job, Submission.job_order_id), (f.stage, Submission.stage)):
        if value:
            stmt = stmt.where(column == value)
    if f.duplicates:
        stmt = stmt.where(elsewhere)
    stmt = _search(stmt, f.q)
    # The screening queue reads oldest first (first in, first screened); everything else newest change first.
    order = ((Submission.submitted_at.asc(), Submission.id.asc()) if f.stage == Stage.SUBMITTED.value
             else (Submission.stage_changed_at.desc(), Submission.id.desc()))
    rows, total = _page(stmt, f, order)
    return [StaffRow(*row[:10], bool(row[10])) for row in rows], total


def staff_job_filter(f: Filters, *, client_sent: bool) -> tuple[Filters, list[tuple[int, str]] | None]:
    """The staff list's job filter: the chosen client's job orders that have submissions, or None
    (no client chosen: every client's job orders would be tens of thousands of options).

    A job named without any client argument (the job panel's "Open in the submissions list")
    brings its client. A job of another client than the one chosen, or of none, is dropped, and so
    is a job when "All clients" is chosen: changing the client starts again from "Any job order"."""
    chosen = None
    if f.job:
        row = db.session.execute(select(JobOrder.client_org_id, JobOrder.reference, JobOrder.title)
                                 .where(JobOrder.id == f.job)).first()
        if row is None or (f.client and row[0] != f.client) or (not f.client and client_sent):
            f = replace(f, job=None)
        else:
            chosen = (f.job, f"{row[1]} · {row[2]}")
            if not f.client:
                f = replace(f, client=row[0])
    if not f.client:
        return f, None
    # The tally's first submission time says "has submissions" without reading them.
    rows = db.session.execute(
        select(JobOrder.id, JobOrder.reference, JobOrder.title)
        .where(JobOrder.client_org_id == f.client, JobOrder.first_submitted_at.is_not(None))
        .order_by(JobOrder.reference).limit(MAX_JOB_CHOICES)).all()
    return f, _keep_chosen([(jid, f"{ref} · {title}") for jid, ref, title in rows], chosen)


# --- one submission ----------------------------------------------------------------------------

@dataclass
class Match:
    """Another submission of the same person, on another job order (staff only)."""

    id: int
    stage: str
    submitted_at: datetime
    reference: str
    title: str
    client_name: str
    supplier_name: str
    candidate_name: str
    same: str  # "e-mail", "phone" or "e-mail and phone"


def cross_job_matches(sub: Submission) -> list[Match]:
    """Submissions of the same person (e-mail or phone) to other job orders, by any supplier."""
    if sub.email_key is None and sub.phone_key is None:
        return []
    client_org, supplier_org = _orgs.alias("client_org"), _orgs.alias("supplier_org")
    rows = db.session.execute(
        select(Submission.id, Submission.stage, Submission.submitted_at, JobOrder.reference, JobOrder.title,
               client_org.c.name, supplier_org.c.name, _candidate_name(), Submission.email_key == sub.email_key, Submission.phone_key == sub.phone_key)
        .join(JobOrder, JobOrder.id == Submission.job_order_id)
        .join(Candidate, Candidate.id == Submission.candidate_id)
        .join(client_org, client_org.c.id == Submission.client_org_id)
        .join(supplier_org, supplier_org.c.id == Submission.supplier_org_id)
        .where(Submission.job_order_id != sub.job_order_id,
               or_(Submission.email_key == sub.email_key, Submission.phone_key == sub.phone_key))
        .order_by(Submission.submitted_at.desc(), Submission.id.desc()).limit(50)).all()
    out = []
    for *head, same_email, same_phone in rows:
        same = " and ".join(w for w, hit in (("e-mail", same_email), ("phone", same_phone)) if hit)
        out.append(Match(*head, same=same))
    return out


def org_name(org_id: int) -> str:
    return db.session.scalar(select(_orgs.c.name).where(_orgs.c.id == org_id))


def for_staff(submission_id: int) -> Submission | None:
    """One submission with its job, candidate (with skills) and résumé (staff see every field)."""
    return db.session.scalar(select(Submission).options(
        joinedload(Submission.job), joinedload(Submission.candidate), joinedload(Submission.resume),
        joinedload(Submission.submitted_by)).where(Submission.id == submission_id))


@dataclass
class SupplierView:
    """What a supplier sees of its own submission: its fields, and of the job only the supplier's part."""

    sub: Submission
    job_id: int
    reference: str
    title: str
    client_name: str
    job_status: str
    candidate_name: str
    resume_name: str
    submitted_by: str | None


def for_supplier(sub: Submission) -> SupplierView:
    row = db.session.execute(
        select(JobOrder.id, JobOrder.reference, JobOrder.title, _orgs.c.name, JobOrder.status, _candidate_name(),
               Resume.original_name, User.name)
        .select_from(Submission)
        .join(JobOrder, JobOrder.id == Submission.job_order_id)
        .join(_orgs, _orgs.c.id == Submission.client_org_id)
        .join(Candidate, Candidate.id == Submission.candidate_id)
        .join(Resume, Resume.id == Submission.resume_id)
        .outerjoin(User, User.id == Submission.submitted_by_id)
        .where(Submission.id == sub.id)).one()
    return SupplierView(sub, *row)


def events_of(sub: Submission, limit: int = 50) -> list[Event]:
    """What happened to a submission, newest first, as the viewer may see it."""
    return list(db.session.scalars(
        select(Event).where(Event.subject_type == Submission.__tablename__, Event.subject_id == sub.id)
        .order_by(Event.id.desc()).limit(limit)))


# --- a job order's submissions (client and staff job pages) -------------------------------------

@dataclass
class JobSubmissionRow:
    id: int
    stage: str
    submitted_at: datetime
    client_visible_at: datetime | None
    rate: Decimal
    currency: str
    rate_unit: str
    rate_type: str
    available_from: date
    note: str | None
    candidate_name: str
    current_title: str | None
    location: str | None
    supplier_name: str


def job_submissions(job: JobOrder, limit: int = 100) -> list[JobSubmissionRow]:
    """A job order's submissions as the viewer sees them (a client: those visible to it), newest first."""
    rows = db.session.execute(
        select(Submission.id, Submission.stage, Submission.submitted_at, Submission.client_visible_at,
               Submission.rate, Submission.currency, Submission.rate_unit, Submission.rate_type,
               Submission.available_from, Submission.note, _candidate_name(), Candidate.current_title, Candidate.location, _orgs.c.name)
        .join(Candidate, Candidate.id == Submission.candidate_id)
        .join(_orgs, _orgs.c.id == Submission.supplier_org_id)
        .where(Submission.job_order_id == job.id)
        .order_by(Submission.submitted_at.desc(), Submission.id.desc()).limit(limit)).all()
    return [JobSubmissionRow(*row) for row in rows]


def submitted_candidate_ids(job_id: int, supplier_org_id: int) -> set[int]:
    """Which of the supplier's candidates it has already submitted to a job."""
    return set(db.session.scalars(select(Submission.candidate_id).where(
        Submission.job_order_id == job_id, Submission.supplier_org_id == supplier_org_id)))


@dataclass
class OpenJob:
    id: int
    reference: str
    title: str
    client_name: str
    location: str | None
    rate_min: Decimal | None
    rate_max: Decimal | None
    currency: str
    rate_unit: str | None
    rate_type: str | None
    released_at: datetime
    submitted: bool


def open_jobs_for(viewer: User, candidate: Candidate, *, q: str | None, page: int) -> tuple[list[OpenJob], int]:
    """Open job orders released to the viewer's company (not pulled), for "Submit to a job", with
    whether this candidate is already submitted to each. Two queries."""
    rel = JobOrderRelease
    already = exists(select(Submission.id).where(Submission.job_order_id == JobOrder.id,
                                                 Submission.candidate_id == candidate.id))
    stmt = (select(JobOrder.id, JobOrder.reference, JobOrder.title, _orgs.c.name, JobOrder.location,
                   JobOrder.rate_min, JobOrder.rate_max, JobOrder.currency, JobOrder.rate_unit, JobOrder.rate_type,
                   rel.released_at, already)
            .join(rel, and_(rel.job_order_id == JobOrder.id, rel.supplier_org_id == viewer.org_id,
                            rel.released_at.is_not(None), rel.withdrawn_at.is_(None)))
            .join(_orgs, _orgs.c.id == JobOrder.client_org_id)
            .where(JobOrder.status == JobStatus.OPEN.value))
    for word in (q or "").lower().split()[:6]:
        stmt = stmt.where(or_(*(func.lower(col).contains(word, autoescape=True)
                                for col in (JobOrder.reference, JobOrder.title, JobOrder.location, JobOrder.skills))))
    total = db.session.scalar(select(func.count()).select_from(stmt.with_only_columns(JobOrder.id).subquery()))
    rows = db.session.execute(stmt.order_by(rel.released_at.desc(), JobOrder.id.desc())
                              .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return [OpenJob(*row[:11], submitted=bool(row[11])) for row in rows], total


# --- the supplier's dashboard ------------------------------------------------------------------

AT_RISK = 0.75
NEW_DAYS = 7


@dataclass
class Clock:
    """A released job's time to first submission for one supplier (its release → its first submission)."""

    job_id: int
    reference: str
    title: str
    client_name: str
    released_at: datetime
    hours: int
    now: datetime
    #: The SLA module's clock of the same job for this supplier (hold time excluded); when present it
    #: decides the state and the words, so the dashboard and the job list never disagree.
    sla: object | None = None

    @property
    def deadline(self) -> datetime:
        if self.sla is not None:
            return self.sla.now + self.sla.left
        return self.released_at + timedelta(hours=self.hours)

    @property
    def state(self) -> str:
        if self.sla is not None:
            return self.sla.status.value
        elapsed = (self.now - self.released_at).total_seconds() / (self.hours * 3600)
        return "breached" if elapsed >= 1 else ("at_risk" if elapsed >= AT_RISK else "on_track")

    @property
    def label(self) -> str:
        return {"breached": "Breached", "at_risk": "At risk", "on_track": "On track"}.get(self.state, self.state)

    @property
    def remaining(self) -> str:
        """"5 h 10 min left" or "overdue by 2 h"."""
        if self.sla is not None:
            return self.sla.text
        seconds = int((self.deadline - self.now).total_seconds())
        text = _duration(abs(seconds))
        return f"{text} left" if seconds > 0 else f"overdue by {text}"


def _duration(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{max(minutes, 1)} min"


@dataclass
class NewJob:
    id: int
    reference: str
    title: str
    client_name: str
    released_at: datetime
    unopened: bool


@dataclass
class Waiting:
    """An action waiting on the supplier: a submission's next step, or a job to submit to."""

    text: str
    endpoint: str
    args: dict
    urgent: bool = False


@dataclass
class SupplierDashboard:
    new_jobs: list[NewJob] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    clocks: list[Clock] = field(default_factory=list)
    covered: int = 0
    waiting: list[Waiting] = field(default_factory=list)
    #: The job orders panel: open job orders released to the supplier, and those of them the viewer
    #: has never opened (read with the clocks' job orders: one query for both).
    job_counts: dict[str, int] = field(default_factory=lambda: {"open": 0, "new": 0})

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def supplier_dashboard(viewer: User, *, show: int = 10) -> SupplierDashboard:
    """The supplier's panels: new jobs, the open job orders and those the viewer never opened,
    submissions by stage, time-to-first-submission clocks of its open jobs without a submission
    from it, and what waits on it. Three queries (five with clocks)."""
    now = clock.now()
    out = SupplierDashboard(counts=dict(db.session.execute(
        select(Submission.stage, func.count(Submission.id)).where(Submission.supplier_org_id == viewer.org_id)
        .group_by(Submission.stage)).all()))
    # The job orders it has submitted to, from its own index alone (0014_supplier_jobs).
    covered = (select(Submission.job_order_id).where(Submission.supplier_org_id == viewer.org_id)
               .distinct().subquery())
    settings = ClientJobSettings.__table__  # the client's target, past the ORM (suppliers can't read settings rows)
    rel, seen = JobOrderRelease, JobOrderView
    jobs = db.session.execute(
        select(JobOrder.id, JobOrder.reference, JobOrder.title, _orgs.c.name, JobOrder.status, rel.released_at,
               settings.c.first_submission_hours, covered.c.job_order_id, seen.seen_at)
        .join(rel, and_(rel.job_order_id == JobOrder.id, rel.supplier_org_id == viewer.org_id,
                        rel.released_at.is_not(None), rel.withdrawn_at.is_(None)))
        .join(_orgs, _orgs.c.id == JobOrder.client_org_id)
        .outerjoin(settings, settings.c.client_org_id == JobOrder.client_org_id)
        .outerjoin(covered, covered.c.job_order_id == JobOrder.id)
        .outerjoin(seen, and_(seen.job_order_id == JobOrder.id, seen.user_id == viewer.id))
        .where(JobOrder.status.in_([JobStatus.OPEN.value, JobStatus.ON_HOLD.value]))
        .order_by(rel.released_at.desc(), JobOrder.id.desc())).all()
    clocks = []
    for jid, ref, title, client, status, released_at, hours, submitted_to, seen_at in jobs:
        if released_at >= now - timedelta(days=NEW_DAYS) and len(out.new_jobs) < 5:
            out.new_jobs.append(NewJob(jid, ref, title, client, released_at, seen_at is None))
        if status != JobStatus.OPEN.value:
            continue
        out.job_counts["open"] += 1
        out.job_counts["new"] += seen_at is None
        if submitted_to is not None:
            out.covered += 1
            continue
        clocks.append(Clock(jid, ref, title, client, released_at, hours or DEFAULT_FIRST_SUBMISSION_HOURS, now))
    if clocks:  # the SLA module's clocks of these jobs (hold time excluded): two queries
        from portal.sla.queries import for_jobs

        own = for_jobs([c.job_id for c in clocks], viewer)
        for c in clocks:
            c.sla = next((k for k in own.get(c.job_id, []) if k.running), None)
    clocks.sort(key=lambda c: c.deadline)
    out.clocks = clocks[:show]
    # The ids from the submissions' own index (supplier, last change), then the joins: joined in one
    # statement, the planner started from the supplier's candidates and sorted ~300 rows for 10.
    waiting_ids = (select(Submission.id)
                   .where(Submission.supplier_org_id == viewer.org_id, Submission.stage.in_(ACTING_STAGES))
                   .order_by(Submission.stage_changed_at, Submission.id).limit(written(show)))
    acting = db.session.execute(
        select(Submission.id, Submission.stage, _candidate_name(), JobOrder.reference)
        .join(Candidate, Candidate.id == Submission.candidate_id)
        .join(JobOrder, JobOrder.id == Submission.job_order_id)
        .where(Submission.id.in_(waiting_ids))
        .order_by(Submission.stage_changed_at, Submission.id)).all()
    for sid, stage, name, ref in acting:
        out.waiting.append(Waiting(f"{name} on {ref}: {NEXT_STEP[Stage(stage)][0].lower()}",
                                   "submissions.supplier_detail", {"submission_id": sid}, urgent=True))
    for c in clocks:
        if c.state != "on_track" and len(out.waiting) < show:
            out.waiting.append(Waiting(f"Submit a candidate to {c.reference} {c.title}: {c.remaining}",
                                       "submissions.new", {"job_id": c.job_id}, urgent=c.state == "breached"))
    return out
