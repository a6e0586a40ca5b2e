"""Reads of the review: the board of one job order, the queue of what waits on a hiring manager, one
submission's page, and the supplier's and staff's view of the decisions — always through the
caller's scope (a client sees the submissions visible to it, a supplier its own, staff all).

The board and the queue cost a fixed number of queries whatever their size: whole cards in one
statement (candidate and skills, supplier's name, the viewer's "seen" mark, the job order's owners,
the latest interview with its times, the offer and the placement joined in); the queue reads its
page of waiting items and the count of each kind in one statement before that.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import NamedTuple

from sqlalchemy import String, and_, bindparam, cast, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased, joinedload, selectinload

from portal import clock
from portal.accounts.models import Organisation, User
from portal.candidates.models import Candidate, CandidateSkill, Resume
from portal.events.models import Event
from portal.extensions import db
from portal.interviews.models import Interview, InterviewStatus
from portal.job_orders.models import JobOrder
from portal.offers.models import Offer, OfferStatus, Placement
from portal.review.models import SubmissionView
from portal.submissions.models import Stage, Submission

PAGE_SIZE = 25
#: The board's columns, in life-cycle order, and the stages folded into its "closed" group.
COLUMNS = (Stage.CLIENT_REVIEW, Stage.SHORTLISTED, Stage.INTERVIEW, Stage.OFFER, Stage.PLACED)
COLUMN_LABELS = {Stage.CLIENT_REVIEW: "To review", Stage.SHORTLISTED: "Shortlisted", Stage.INTERVIEW: "Interview",
                 Stage.OFFER: "Offer", Stage.PLACED: "Placed"}
CLOSED = (Stage.REJECTED, Stage.WITHDRAWN, Stage.OFFER_DECLINED, Stage.CLOSED)
#: Suppliers' names (a client sees who submitted), read past the ORM's organisation scope on purpose.
_orgs = Organisation.__table__


@dataclass
class Card:
    """One submission as a hiring manager sees it: the candidate's supplier-independent facts, the
    terms, where it stands (its latest interview, offer, placement) and whether the viewer opened it."""

    id: int
    stage: str
    rate: Decimal
    currency: str
    rate_unit: str
    rate_type: str
    available_from: date
    note: str | None
    client_visible_at: datetime | None
    stage_changed_at: datetime
    reject_reason: str | None
    reject_note: str | None
    job_order_id: int
    reference: str
    job_title: str
    candidate_id: int
    first_name: str
    last_name: str
    current_title: str | None
    years_experience: int | None
    location: str | None
    work_authorisation: str | None
    work_authorisation_other: str | None
    supplier_name: str
    seen_at: datetime | None
    skills: list[str] = field(default_factory=list)
    interview: Interview | None = None
    offer: Offer | None = None
    placement: Placement | None = None
    owners: "JobOwners | None" = None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def headline(self) -> str | None:
        """ "Senior Controls Engineer · 8 years of experience"."""
        parts = [self.current_title] if self.current_title else []
        if self.years_experience is not None:
            parts.append(f"{self.years_experience} year{'s' if self.years_experience != 1 else ''} of experience")
        return " · ".join(parts) or None

    #: The candidate's own wording of it (the card has the same two fields).
    work_authorisation_label = Candidate.work_authorisation_label

    @property
    def new(self) -> bool:
        """Not yet opened by the viewer."""
        return self.seen_at is None

    @property
    def updated(self) -> bool:
        """Moved since the viewer last opened it."""
        return self.seen_at is not None and self.stage_changed_at > self.seen_at

    @property
    def closed(self) -> bool:
        return Stage(self.stage) in CLOSED

    @property
    def feedback_due(self) -> bool:
        i = self.interview
        return (i is not None and i.status == InterviewStatus.CONFIRMED.value and i.ends_at is not None
                and i.ends_at <= clock.now())


class JobOwners(NamedTuple):
    """What deciding on a card needs of its job order (`owns()` and `client_actions()` read these)."""

    id: int
    client_org_id: int
    hiring_manager_id: int | None
    created_by_id: int | None


#: Separates the skills aggregated into one column ("0:PLC␟1:SCADA"); never in a skill's name.
_SKILL_SEP = "\x1f"
#: The bound parameter of the viewer's id in the card statement (their "seen" marks).
_VIEWER = "review_viewer_id"


def _skills_column():
    """The candidate's skills in one column, each prefixed by its position (SQLite before 3.44 can't
    order inside an aggregate): a correlated subquery, so the cards need no query of their own."""
    item = cast(CandidateSkill.position, String) + literal(":") + CandidateSkill.name
    return (select(func.aggregate_strings(item, _SKILL_SEP)).where(CandidateSkill.candidate_id == Candidate.id)
            .scalar_subquery())


def _split_skills(text: str | None) -> list[str]:
    if not text:
        return []
    pairs = (part.split(":", 1) for part in text.split(_SKILL_SEP))
    return [name for _, name in sorted(((int(pos), name) for pos, name in pairs), key=lambda p: p[0])]


@cache
def _card_statement():
    """One statement for whole cards: the submission, its job order's owners, the candidate and their
    skills, the supplier's name, the viewer's "seen" mark (bound at execution: `_VIEWER`), the latest
    interview (its times joined in), the offer and the placement. Built once: statements are
    immutable, and building this one costs more than compiling it from SQLAlchemy's cache."""
    seen = and_(SubmissionView.submission_id == Submission.id, SubmissionView.user_id == bindparam(_VIEWER))
    later = aliased(Interview)
    latest_round = (select(func.max(later.round)).where(later.submission_id == Submission.id).scalar_subquery())
    return (select(Submission.id, Submission.stage, Submission.rate, Submission.currency, Submission.rate_unit,
                   Submission.rate_type, Submission.available_from, Submission.note, Submission.client_visible_at,
                   Submission.stage_changed_at, Submission.reject_reason, Submission.reject_note, JobOrder.id,
                   JobOrder.reference, JobOrder.title, Candidate.id, Candidate.first_name, Candidate.last_name,
                   Candidate.current_title, Candidate.years_experience, Candidate.location,
                   Candidate.work_authorisation, Candidate.work_authorisation_other, _orgs.c.name,
                   SubmissionView.seen_at, JobOrder.client_org_id, JobOrder.hiring_manager_id,
                   JobOrder.created_by_id, _skills_column().label("skills"), Interview, Offer, Placement)
            .join(JobOrder, JobOrder.id == Submission.job_order_id)
            .join(Candidate, Candidate.id == Submission.candidate_id)
            .join(_orgs, _orgs.c.id == Submission.supplier_org_id)
            .outerjoin(SubmissionView, seen)
            .outerjoin(Interview, and_(Interview.submission_id == Submission.id, Interview.round == latest_round))
            .outerjoin(Offer, Offer.submission_id == Submission.id)
            .outerjoin(Placement, Placement.submission_id == Submission.id)
            .options(joinedload(Interview.slots)))


def _run(viewer: User, stmt):
    return db.session.execute(stmt, {_VIEWER: viewer.id}).unique()


def _card(row) -> Card:
    card = Card(*row[:25])
    client_org_id, hiring_manager_id, created_by_id, skills, interview, offer, placement = row[25:32]
    card.owners = JobOwners(card.job_order_id, client_org_id, hiring_manager_id, created_by_id)
    card.skills = _split_skills(skills)
    card.interview, card.offer, card.placement = interview, offer, placement
    return card


def cards(viewer: User, *where, order=None) -> list[Card]:
    """The cards the viewer may see among `where`, in one query whatever their number."""
    stmt = _card_statement().where(*where).order_by(*(order or (Submission.stage_changed_at, Submission.id)))
    return [_card(row) for row in _run(viewer, stmt)]


# --- the board -----------------------------------------------------------------------------------

@dataclass
class Column:
    stage: str
    label: str
    cards: list[Card]


@dataclass
class Board:
    columns: list[Column]
    closed: list[Card]

    @property
    def total(self) -> int:
        return sum(len(c.cards) for c in self.columns) + len(self.closed)

    @property
    def new(self) -> int:
        return sum(1 for col in self.columns for c in col.cards if c.new)


def board(job: JobOrder, viewer: User) -> Board:
    """The job's visible submissions by stage (longest in its stage first), the ended ones apart."""
    everything = cards(viewer, Submission.job_order_id == job.id, Submission.stage != Stage.SUBMITTED.value)
    by_stage: dict[str, list[Card]] = {}
    for card in everything:
        by_stage.setdefault(card.stage, []).append(card)
    columns = [Column(s.value, COLUMN_LABELS[s], by_stage.get(s.value, [])) for s in COLUMNS]
    closed = sorted((c for c in everything if c.closed), key=lambda c: c.stage_changed_at, reverse=True)
    return Board(columns, closed)


# --- the review queue ------------------------------------------------------------------------------

#: What can wait on a hiring manager, in the queue's words.
WAITING = {
    "review": "Decide: shortlist or reject",
    "feedback": "Record the interview feedback",
    "placement": "The offer was accepted: record the placement",
    "times": "The supplier proposed other times",
}


@dataclass
class QueueItem:
    kind: str
    since: datetime
    card: Card

    @property
    def what(self) -> str:
        return WAITING[self.kind]


def _own_jobs(viewer: User):
    return or_(JobOrder.hiring_manager_id == viewer.id, JobOrder.created_by_id == viewer.id)


def queue(viewer: User, *, mine: bool, page: int) -> tuple[list[QueueItem], int, dict[str, int]]:
    """Everything waiting on the viewer across the company's job orders (or only theirs), oldest
    first: submissions to decide, interviews over without feedback, accepted offers to place, times
    the suppliers proposed. Returns (a page of items, total, count per kind); two queries (three for a
    page past the end)."""
    now = clock.now()
    scope = [Submission.client_org_id == viewer.org_id, Submission.client_visible_at.is_not(None)]
    if mine:
        scope.append(_own_jobs(viewer))

    def part(kind, since, *where, joins=()):
        stmt = select(literal(kind).label("kind"), Submission.id.label("submission_id"), since.label("since"))
        for model, on in joins:
            stmt = stmt.join(model, on)
        return stmt.join(JobOrder, JobOrder.id == Submission.job_order_id).where(*scope, *where)

    on_interview = ((Interview, Interview.submission_id == Submission.id),)
    waiting = union_all(
        part("review", Submission.client_visible_at, Submission.stage == Stage.CLIENT_REVIEW.value),
        part("feedback", Interview.ends_at, Submission.stage == Stage.INTERVIEW.value,
             Interview.status == InterviewStatus.CONFIRMED.value, Interview.ends_at <= now, joins=on_interview),
        part("times", Interview.status_changed_at, Submission.stage == Stage.INTERVIEW.value,
             Interview.status == InterviewStatus.TIMES_PROPOSED.value, joins=on_interview),
        part("placement", Offer.answered_at, Submission.stage == Stage.OFFER.value,
             Offer.status == OfferStatus.ACCEPTED.value, joins=((Offer, Offer.submission_id == Submission.id),)),
    ).subquery("waiting")
    # The page, each row carrying the count of every kind (window aggregates run before the LIMIT):
    # one statement for both. Only a page past the end (no rows) counts apart.
    kinds = list(WAITING)
    totals = [func.count().filter(waiting.c.kind == k).over().label(f"n_{k}") for k in kinds]
    rows = db.session.execute(select(waiting.c.kind, waiting.c.submission_id, waiting.c.since, *totals)
                              .order_by(waiting.c.since, waiting.c.submission_id)
                              .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    if rows:
        counts = {k: n for k, n in zip(kinds, rows[0][3:]) if n}
    elif page > 1:
        counts = dict(db.session.execute(select(waiting.c.kind, func.count()).group_by(waiting.c.kind)).all())
    else:
        counts = {}
    total = sum(counts.values())
    # Whole cards for the page: one statement (by primary key, which every database plans well).
    by_id = {c.id: c for c in cards(viewer, Submission.id.in_({r.submission_id for r in rows}))} if rows else {}
    items = [QueueItem(r.kind, r.since, by_id[r.submission_id]) for r in rows if r.submission_id in by_id]
    return items, total, counts


# --- one submission ---------------------------------------------------------------------------------

@dataclass
class ResumeView:
    id: int
    original_name: str
    content_type: str
    text: str

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"


def card(viewer: User, sub: Submission) -> Card:
    return cards(viewer, Submission.id == sub.id)[0]


def interviews_of(sub: Submission) -> list[Interview]:
    """Every interview round of a submission, the latest first, with all the times proposed."""
    return list(db.session.scalars(select(Interview).options(selectinload(Interview.slots))
                                   .where(Interview.submission_id == sub.id).order_by(Interview.round.desc())))


def resume_of(sub: Submission) -> ResumeView | None:
    row = db.session.execute(select(Resume.id, Resume.original_name, Resume.content_type, Resume.text)
                             .where(Resume.id == sub.resume_id)).first()
    return ResumeView(*row) if row else None


def history(sub: Submission, limit: int = 100) -> list[Event]:
    """What happened to a submission (its decisions, interviews, offers, comments), newest first, as
    the viewer may see it."""
    return list(db.session.scalars(
        select(Event).where(Event.subject_type == Submission.__tablename__, Event.subject_id == sub.id)
        .order_by(Event.id.desc()).limit(limit)))


def user_names(ids) -> dict[int, str]:
    """Names of the client's and the agency's people (the viewer's scope decides who is visible)."""
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


# --- the supplier's (and staff's) view of the decisions -----------------------------------------------

@dataclass
class InterviewView:
    """An interview as a supplier may see it: no rating, no notes, not who asked."""

    id: int
    round: int
    status: str
    status_label: str
    kind_label: str
    location: str
    interviewers: list
    note: str | None
    supplier_message: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    slots: list
    proposal: int
    feedback_recorded: bool
    cancel_reason: str | None

    @property
    def current_slots(self) -> list:
        return [s for s in self.slots if s.proposal == self.proposal]


def for_supplier(interview: Interview) -> InterviewView:
    return InterviewView(interview.id, interview.round, interview.status, interview.status_label,
                         interview.kind_label, interview.location, interview.interviewers, interview.note,
                         interview.supplier_message, interview.starts_at, interview.ends_at, list(interview.slots),
                         interview.proposal, interview.feedback_at is not None, interview.cancel_reason)


def offer_of(sub: Submission) -> Offer | None:
    return db.session.scalar(select(Offer).where(Offer.submission_id == sub.id))


def placement_of(sub: Submission) -> Placement | None:
    return db.session.scalar(select(Placement).where(Placement.submission_id == sub.id))
