"""Submissions: one candidate put forward to one job order by one supplier, with its stage, rate,
résumé, right-to-represent time, and the normalised keys that make duplicates impossible.

Ownership rule: a submission row owns its person (normalised e-mail and phone) for its job order
for good, whatever its stage: a withdrawn or rejected candidate is not resubmitted to the same job
by anyone, so the first supplier keeps credit and the client never reviews one person twice.
UNIQUE (job_order_id, email_key), (job_order_id, phone_key) and (job_order_id, candidate_id)
hold it even when two suppliers submit at the same instant.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
    and_,
    false,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.candidates.models import Candidate, Resume
from portal.db.base import Base, UTCDateTime, utcnow
from portal.db.tenancy import Scope, Tenanted
from portal.job_orders.models import JobOrder


class Stage(StrEnum):
    """The whole life cycle; which moves exist is `services.TRANSITIONS`."""

    SUBMITTED = "submitted"
    CLIENT_REVIEW = "client_review"
    SHORTLISTED = "shortlisted"
    INTERVIEW = "interview"
    OFFER = "offer"
    PLACED = "placed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    OFFER_DECLINED = "offer_declined"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]


STAGE_LABELS = {
    Stage.SUBMITTED: "Awaiting screening",
    Stage.CLIENT_REVIEW: "Client review",
    Stage.SHORTLISTED: "Shortlisted",
    Stage.INTERVIEW: "Interview",
    Stage.OFFER: "Offer",
    Stage.PLACED: "Placed",
    Stage.REJECTED: "Rejected",
    Stage.WITHDRAWN: "Withdrawn",
    Stage.OFFER_DECLINED: "Offer declined",
    Stage.CLOSED: "Closed (position filled)",
}

#: Stages after which a submission no longer counts against the supplier's limit or the job's
#: coverage: the person is out of the running (rejected, withdrawn, declined) or the job is done.
ENDED = frozenset({Stage.REJECTED, Stage.WITHDRAWN, Stage.OFFER_DECLINED, Stage.CLOSED})
LIVE = tuple(s for s in Stage if s not in ENDED)
#: The values of LIVE, for SQL (`stage IN LIVE_VALUES`).
LIVE_VALUES = tuple(s.value for s in LIVE)


class RejectReason(StrEnum):
    SKILLS = "skills"
    EXPERIENCE = "experience"
    RATE = "rate"
    LOCATION = "location"
    AVAILABILITY = "availability"
    DUPLICATE = "duplicate"
    OTHER = "other"

    @property
    def label(self) -> str:
        return REJECT_LABELS[self]


REJECT_LABELS = {
    RejectReason.SKILLS: "Skills don't match",
    RejectReason.EXPERIENCE: "Not enough experience",
    RejectReason.RATE: "Rate too high",
    RejectReason.LOCATION: "Location",
    RejectReason.AVAILABILITY: "Availability",
    RejectReason.DUPLICATE: "Duplicate",
    RejectReason.OTHER: "Other",
}

RATE_TYPES = ("bill_rate", "salary")


def _where_set(column: str):
    """Partial-index condition (both dialects): only rows where `column` has a value."""
    return {"sqlite_where": text(f"{column} IS NOT NULL"), "postgresql_where": text(f"{column} IS NOT NULL")}


class Submission(Tenanted, Base):
    __tablename__ = "submission"
    __table_args__ = (
        # One person per job order, whoever submits: the first submission owns it.
        Index("uq_submission_job_order_id_email_key", "job_order_id", "email_key", unique=True,
              **_where_set("email_key")),
        Index("uq_submission_job_order_id_phone_key", "job_order_id", "phone_key", unique=True,
              **_where_set("phone_key")),
        UniqueConstraint("job_order_id", "candidate_id"),
        # The submit form's idempotency key: a double click or a resubmitted form makes one.
        Index("uq_submission_supplier_org_id_create_key", "supplier_org_id", "create_key", unique=True,
              **_where_set("create_key")),
        # Cross-job matching (the staff's duplicate flag) looks people up by key alone.
        Index("ix_submission_email_key", "email_key"),
        Index("ix_submission_phone_key", "phone_key"),
        Index("ix_submission_job_supplier_stage", "job_order_id", "supplier_org_id", "stage"),
        Index("ix_submission_supplier_changed", "supplier_org_id", "stage_changed_at"),
        # A supplier's job orders and clients among its own submissions (its list's filters, its
        # dashboard's "covered"), read from the index alone (0014_supplier_jobs).
        Index("ix_submission_supplier_job_client", "supplier_org_id", "job_order_id", "client_org_id"),
        Index("ix_submission_client_visible", "client_org_id", "client_visible_at"),
        # Staff list, newest change first: read in index order (migration 0010_performance).
        Index("ix_submission_stage_changed_at_id", "stage_changed_at", "id"),
        # Coverage board and SLA tick: submissions in a stage, the longest visible first (0010_performance).
        Index("ix_submission_stage_visible", "stage", "client_visible_at", "id"),
        # A client's own worklists (dashboard, review queue): its submissions in a stage, the longest
        # visible first, read in index order up to the page's limit (0012_client_worklists).
        Index("ix_submission_client_stage_visible", "client_org_id", "stage", "client_visible_at", "id"),
        CheckConstraint("rate > 0", name="rate_positive"),
        CheckConstraint("rate_type IN ('bill_rate', 'salary')", name="rate_type"),
        CheckConstraint("stage IN (" + ", ".join(f"'{s.value}'" for s in Stage) + ")", name="stage"),
        CheckConstraint("email_key IS NOT NULL OR phone_key IS NOT NULL", name="person_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_order_id: Mapped[int] = mapped_column(ForeignKey("job_order.id"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"), index=True)
    #: The résumé sent with this submission (a later résumé of the candidate does not replace it).
    resume_id: Mapped[int] = mapped_column(ForeignKey("resume.id"))
    client_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    supplier_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    stage: Mapped[str] = mapped_column(String(20), index=True)

    #: Bill rate per hour (or the job's unit), or expected salary for salary jobs (`rate_type`).
    rate: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    rate_type: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    rate_unit: Mapped[str] = mapped_column(String(8))
    available_from: Mapped[date] = mapped_column(Date)
    #: The supplier's note to the hiring manager.
    note: Mapped[str | None] = mapped_column(String(2000))
    #: When the supplier confirmed it has the candidate's right to represent them for this job.
    right_to_represent_at: Mapped[datetime] = mapped_column(UTCDateTime())

    #: The candidate's normalised e-mail and phone when submitted: what duplicates are matched on.
    email_key: Mapped[str | None] = mapped_column(String(254))
    phone_key: Mapped[str | None] = mapped_column(String(20))
    create_key: Mapped[str | None] = mapped_column(String(64))

    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The last move of the stage (the "last change" of lists).
    stage_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: From when the client sees it (forwarded by staff, or at once when the client is not screened).
    client_visible_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    forwarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejected_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reject_reason: Mapped[str | None] = mapped_column(String(16))
    #: The reason in words for the supplier.
    reject_note: Mapped[str | None] = mapped_column(String(1000))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    withdraw_reason: Mapped[str | None] = mapped_column(String(500))

    job: Mapped[JobOrder] = relationship(foreign_keys=[job_order_id])
    candidate: Mapped[Candidate] = relationship(foreign_keys=[candidate_id])
    resume: Mapped[Resume] = relationship(foreign_keys=[resume_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        if scope.kind == "supplier":
            return cls.supplier_org_id == scope.org_id
        if scope.kind == "client":
            # A client sees a submission to its job orders only once it was made visible to it.
            return and_(cls.client_org_id == scope.org_id, cls.client_visible_at.is_not(None))
        return false()

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label

    def __repr__(self) -> str:
        return f"<Submission {self.id} job={self.job_order_id} candidate={self.candidate_id} {self.stage}>"


def client_visible_candidate_ids(client_org_id: int):
    """SQL: ids of the candidates a client sees (through a submission visible to it).

    Core columns, so that the candidates' tenancy rule does not recurse into this table's.
    """
    c = Submission.__table__.c
    return select(c.candidate_id).where(c.client_org_id == client_org_id, c.client_visible_at.is_not(None))


def client_visible_resume_ids(client_org_id: int):
    """SQL: ids of the résumés a client sees: those sent with a submission visible to it."""
    c = Submission.__table__.c
    return select(c.resume_id).where(c.client_org_id == client_org_id, c.client_visible_at.is_not(None))
