"""Job orders, their per-client numbering, releases to suppliers, questions, staff notes and visits."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    and_,
    false,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Organisation, User
from portal.db.base import Base, UTCDateTime, utcnow
from portal.db.tenancy import Scope, Tenanted


class JobStatus(StrEnum):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    OPEN = "open"
    ON_HOLD = "on_hold"
    FILLED = "filled"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    JobStatus.DRAFT: "Draft",
    JobStatus.PENDING_REVIEW: "Pending review",
    JobStatus.OPEN: "Open",
    JobStatus.ON_HOLD: "On hold",
    JobStatus.FILLED: "Filled",
    JobStatus.CLOSED: "Closed",
}


class ExperienceLevel(StrEnum):
    ENTRY = "entry"
    EXPERIENCED = "experienced"
    SENIOR = "senior"
    EXECUTIVE = "executive"


class PositionType(StrEnum):
    CONTRACT = "contract"
    CONTRACT_TO_HIRE = "contract_to_hire"
    DIRECT_HIRE = "direct_hire"


class LocationType(StrEnum):
    ONSITE = "onsite"
    HYBRID = "hybrid"
    REMOTE = "remote"


class EducationLevel(StrEnum):
    NONE = "none"
    HIGH_SCHOOL = "high_school"
    ASSOCIATE = "associate"
    BACHELOR = "bachelor"
    MASTER = "master"
    DOCTORATE = "doctorate"


class RateType(StrEnum):
    BILL_RATE = "bill_rate"
    PAY_RATE = "pay_rate"
    SALARY = "salary"


class RateUnit(StrEnum):
    HOUR = "hour"
    YEAR = "year"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class CloseReason(StrEnum):
    CANCELLED = "cancelled"
    FILLED_ELSEWHERE = "filled_elsewhere"
    BUDGET = "budget"
    OTHER = "other"


#: value -> label for every choice a job order field can hold (the form, lists and diffs).
LABELS: dict[type[StrEnum], dict[str, str]] = {
    JobStatus: {s.value: label for s, label in STATUS_LABELS.items()},
    ExperienceLevel: {"entry": "Entry level", "experienced": "Experienced", "senior": "Senior",
                      "executive": "Executive"},
    PositionType: {"contract": "Contract", "contract_to_hire": "Contract-to-hire",
                   "direct_hire": "Direct hire"},
    LocationType: {"onsite": "Onsite", "hybrid": "Hybrid", "remote": "Remote"},
    EducationLevel: {"none": "No formal requirement", "high_school": "High school",
                     "associate": "Associate degree", "bachelor": "Bachelor's degree",
                     "master": "Master's degree", "doctorate": "Doctorate"},
    RateType: {"bill_rate": "Bill rate", "pay_rate": "Pay rate", "salary": "Salary"},
    RateUnit: {"hour": "hour", "year": "year"},
    Priority: {"low": "Low", "normal": "Normal", "high": "High", "urgent": "Urgent"},
    CloseReason: {"cancelled": "Cancelled", "filled_elsewhere": "Filled elsewhere",
                  "budget": "Budget", "other": "Other"},
}

CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "CHF")


def released_job_ids(supplier_org_id: int):
    """SQL: ids of the job orders released to a supplier (Core table, so no tenancy recursion)."""
    rel = JobOrderRelease.__table__.c
    return select(rel.job_order_id).where(rel.supplier_org_id == supplier_org_id, rel.released_at.is_not(None))


class JobOrder(Tenanted, Base):
    """A request for N people for one role at one client; `reference` is its display id."""

    __tablename__ = "job_order"
    __table_args__ = (
        UniqueConstraint("client_org_id", "number"),
        UniqueConstraint("client_org_id", "create_key"),
        CheckConstraint("openings >= 1", name="openings_positive"),
        CheckConstraint("submission_limit >= 1", name="submission_limit_positive"),
        CheckConstraint("rate_min IS NULL OR rate_max IS NULL OR rate_min <= rate_max", name="rate_range"),
        Index("ix_job_order_client_status", "client_org_id", "status"),
        # The coverage board's "no submission yet" and "below coverage": index range scans on the tally
        # below instead of probing the submissions of every open job (migration 0011_tally).
        Index("ix_job_order_status_first_submitted", "status", "first_submitted_at", "released_at"),
        Index("ix_job_order_status_live", "status", "live_submissions", "released_at"),
        # Dashboards count job orders by status (and client): index-only scans (0011_tally).
        Index("ix_job_order_status_client", "status", "client_org_id"),
        # The staff review queue: pending job orders, the longest waiting first (0013_review_queue;
        # partial: a full (status, submitted_at) index misled the coverage board's plans).
        Index("ix_job_order_pending_submitted", "submitted_at", "id",
              postgresql_where=text("status = 'pending_review'"), sqlite_where=text("status = 'pending_review'")),
        # PostgreSQL also has trigram (pg_trgm) indexes on lower() of the searched columns, for the
        # lists' search as you type: declared in migration 0011_tally only (no SQLite equivalent).
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    #: Per-client number from `job_order_counter`; never reused.
    number: Mapped[int] = mapped_column(Integer)
    #: `<CLIENT CODE>-<number>`, e.g. ACME-0042 (client codes never change).
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    #: Idempotency key of the form that created it: a double submit creates one job order.
    create_key: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.DRAFT.value, index=True)
    #: Bumped by every change, so an edit made on a stale form is refused (409).
    version: Mapped[int] = mapped_column(Integer, default=1)

    title: Mapped[str] = mapped_column(String(200))
    hiring_manager_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    industry: Mapped[str | None] = mapped_column(String(120))
    category: Mapped[str | None] = mapped_column(String(120))
    experience_level: Mapped[str | None] = mapped_column(String(16))
    position_type: Mapped[str | None] = mapped_column(String(24))
    openings: Mapped[int] = mapped_column(Integer, default=1)
    location: Mapped[str | None] = mapped_column(String(200))
    location_type: Mapped[str | None] = mapped_column(String(16))
    work_from_anywhere: Mapped[bool] = mapped_column(Boolean, default=False)
    shift: Mapped[str | None] = mapped_column(String(120))
    travel_percent: Mapped[int | None] = mapped_column(Integer)
    education_level: Mapped[str | None] = mapped_column(String(24))
    start_date: Mapped[date | None] = mapped_column(Date)
    duration_weeks: Mapped[int | None] = mapped_column(Integer)
    rate_type: Mapped[str | None] = mapped_column(String(16))
    rate_min: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    rate_max: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    rate_unit: Mapped[str | None] = mapped_column(String(8))
    summary: Mapped[str | None] = mapped_column(Text)
    responsibilities: Mapped[str | None] = mapped_column(Text)
    requirements: Mapped[str | None] = mapped_column(Text)
    #: Comma-separated tags, normalised ("Python, SQL").
    skills: Mapped[str | None] = mapped_column(String(1000))
    priority: Mapped[str] = mapped_column(String(12), default=Priority.NORMAL.value)
    submission_limit: Mapped[int] = mapped_column(Integer, default=3)

    return_comment: Mapped[str | None] = mapped_column(String(2000))
    close_reason: Mapped[str | None] = mapped_column(String(20))
    close_note: Mapped[str | None] = mapped_column(String(500))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Last change a released supplier sees (spec edit, status, answer): drives "updated" marks.
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: First release to any supplier: the clock of time-to-first-submission.
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The tally of the job's submissions, kept by the submission services in the transaction that
    #: changes them (`portal.submissions.tally`): when the first one was made (any supplier, any
    #: stage), and how many are live (not ended). Read by the SLA selections; never edited by hand.
    first_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    live_submissions: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    #: Suppliers cannot load client organisations through the ORM (tenancy): their queries
    #: select the client's name explicitly instead of walking this relationship.
    client: Mapped[Organisation] = relationship(foreign_keys=[client_org_id])
    hiring_manager: Mapped[User | None] = relationship(foreign_keys=[hiring_manager_id])

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        if scope.kind == "client":
            return cls.client_org_id == scope.org_id
        if scope.kind == "supplier":
            return cls.id.in_(released_job_ids(scope.org_id))
        return false()

    @property
    def skill_list(self) -> list[str]:
        return [s for s in (self.skills or "").split(", ") if s]

    def __repr__(self) -> str:
        return f"<JobOrder {self.reference} {self.status}>"


class JobOrderCounter(Tenanted, Base):
    """The last number given to a client's job order: incremented under a row lock, never reused."""

    __tablename__ = "job_order_counter"

    client_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        return cls.client_org_id == scope.org_id if scope.kind == "client" else false()


class ClientJobSettings(Tenanted, Base):
    """Per-client release settings; NULL means the portal's default (24 h each)."""

    __tablename__ = "client_job_settings"
    __table_args__ = (
        CheckConstraint("tier2_delay_hours IS NULL OR tier2_delay_hours >= 0", name="tier2_delay_hours"),
        CheckConstraint("first_submission_hours IS NULL OR first_submission_hours >= 1",
                        name="first_submission_hours"),
    )

    client_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    #: Hours after the first release before tier-2 suppliers see a job.
    tier2_delay_hours: Mapped[int | None] = mapped_column(Integer)
    #: Time-to-first-submission target: with no submission by then, tier 2 is released at once.
    first_submission_hours: Mapped[int | None] = mapped_column(Integer)
    #: Staff screen this client's submissions before it sees them (column owned by submissions).
    screen_submissions: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        return cls.client_org_id == scope.org_id if scope.kind == "client" else false()


class JobOrderRelease(Tenanted, Base):
    """A job order made visible to one supplier, in a tier; tier 2 waits until `scheduled_at`.

    `released_at` is NULL until the supplier may see the job; `withdrawn_at` marks a supplier
    pulled from the job (it keeps seeing the job, closed to it, with its own submissions).
    """

    __tablename__ = "job_order_release"
    __table_args__ = (
        UniqueConstraint("job_order_id", "supplier_org_id"),
        CheckConstraint("tier IN (1, 2)", name="tier"),
        Index("ix_job_order_release_supplier_released", "supplier_org_id", "released_at"),
        Index("ix_job_order_release_pending", "released_at", "scheduled_at"),
        # A supplier's clients and its released job orders per client, from the index alone: its job
        # list's client filter and count (0015_supplier_releases).
        Index("ix_job_order_release_supplier_client", "supplier_org_id", "client_org_id", "released_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_order_id: Mapped[int] = mapped_column(ForeignKey("job_order.id"), index=True)
    client_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    supplier_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    tier: Mapped[int] = mapped_column(Integer)
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    supplier: Mapped[Organisation] = relationship(foreign_keys=[supplier_org_id])

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        if scope.kind == "client":
            return cls.client_org_id == scope.org_id
        if scope.kind == "supplier":
            return and_(cls.supplier_org_id == scope.org_id, cls.released_at.is_not(None))
        return false()


class JobOrderQuestion(Tenanted, Base):
    """A supplier's question on a released job order and its single answer.

    Every supplier the job is released to sees answered questions; which supplier asked is
    known to staff and the client only (queries for suppliers never select it).
    """

    __tablename__ = "job_order_question"
    __table_args__ = (UniqueConstraint("job_order_id", "create_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_order_id: Mapped[int] = mapped_column(ForeignKey("job_order.id"), index=True)
    client_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    supplier_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    create_key: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(String(2000))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answer: Mapped[str | None] = mapped_column(String(4000))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        if scope.kind == "client":
            return cls.client_org_id == scope.org_id
        if scope.kind == "supplier":
            # Answered questions are shared with every released supplier; an unanswered one
            # stays with the supplier that asked it.
            return and_(cls.job_order_id.in_(released_job_ids(scope.org_id)),
                        or_(cls.answer.is_not(None), cls.supplier_org_id == scope.org_id))
        return false()


class JobOrderNote(Tenanted, Base):
    """An internal note on a job order: the agency's staff only, never a client or supplier."""

    __tablename__ = "job_order_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_order_id: Mapped[int] = mapped_column(ForeignKey("job_order.id"), index=True)
    client_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(String(4000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User] = relationship()

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        return false()


class JobOrderView(Tenanted, Base):
    """When a person last opened a job order: what changed since is marked new for them."""

    __tablename__ = "job_order_view"
    __table_args__ = (UniqueConstraint("user_id", "job_order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    job_order_id: Mapped[int] = mapped_column(ForeignKey("job_order.id"), index=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime())

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        return cls.org_id == scope.org_id
