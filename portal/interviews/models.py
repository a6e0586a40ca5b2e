"""Interviews of a submission (one per round) and the times proposed for them by either side."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db.base import Base, UTCDateTime, utcnow
from portal.db.tenancy import Scope, Tenanted
from portal.review.models import party_rule


class InterviewKind(StrEnum):
    PHONE = "phone"
    VIDEO = "video"
    ONSITE = "onsite"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {InterviewKind.PHONE: "Phone", InterviewKind.VIDEO: "Video", InterviewKind.ONSITE: "Onsite"}


class InterviewStatus(StrEnum):
    #: The client proposed times; the supplier confirms one or proposes others.
    REQUESTED = "requested"
    #: The supplier proposed other times; back with the client.
    TIMES_PROPOSED = "times_proposed"
    CONFIRMED = "confirmed"
    #: Feedback recorded after it took place.
    COMPLETED = "completed"
    #: The submission ended (rejected, withdrawn, offer made, position filled) before it was held.
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    InterviewStatus.REQUESTED: "Waiting for the supplier to confirm a time",
    InterviewStatus.TIMES_PROPOSED: "Other times proposed by the supplier",
    InterviewStatus.CONFIRMED: "Confirmed",
    InterviewStatus.COMPLETED: "Feedback recorded",
    InterviewStatus.CANCELLED: "Cancelled",
}
#: An interview still being arranged or held (a submission has at most one at a time).
OPEN = (InterviewStatus.REQUESTED.value, InterviewStatus.TIMES_PROPOSED.value, InterviewStatus.CONFIRMED.value)



class Interview(Tenanted, Base):
    """One interview round of a submission: its type, place or link, interviewers, the proposal
    being answered (`proposal` numbers the rounds of proposed times), the confirmed time, feedback."""

    __tablename__ = "interview"
    __table_args__ = (
        UniqueConstraint("submission_id", "round"),
        # The request form's idempotency key: a double click asks for one interview.
        Index("uq_interview_submission_id_create_key", "submission_id", "create_key", unique=True,
              sqlite_where=text("create_key IS NOT NULL"), postgresql_where=text("create_key IS NOT NULL")),
        Index("ix_interview_client_status", "client_org_id", "status"),
        # The coverage board's "interviews without feedback": confirmed ones by end time (0011_tally).
        Index("ix_interview_status_ends", "status", "ends_at"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_range"),
        CheckConstraint("kind IN ('phone', 'video', 'onsite')", name="kind"),
        CheckConstraint("status IN ('requested', 'times_proposed', 'confirmed', 'completed', 'cancelled')",
                        name="status"),
        CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="time_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    job_order_id: Mapped[int] = mapped_column(ForeignKey("job_order.id"), index=True)
    client_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    supplier_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    round: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(8))
    #: The address (onsite), the number to call (phone) or the meeting link (video).
    location: Mapped[str] = mapped_column(String(500))
    #: [{"name": …, "email": …}] as the hiring manager gave them (shared with the supplier).
    interviewers: Mapped[list] = mapped_column(JSON, default=list)
    #: The hiring manager's note to the supplier with the request.
    note: Mapped[str | None] = mapped_column(String(1000))
    #: The supplier's message with the times it proposed instead.
    supplier_message: Mapped[str | None] = mapped_column(String(1000))
    #: Which proposal of times is being answered (1 for the request, +1 for each counter-proposal).
    proposal: Mapped[int] = mapped_column(Integer, default=1)
    create_key: Mapped[str | None] = mapped_column(String(64))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The last change of status (the review queue's "waiting since").
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rating: Mapped[int | None] = mapped_column(Integer)
    feedback: Mapped[str | None] = mapped_column(String(2000))
    feedback_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(String(200))

    slots: Mapped[list["InterviewSlot"]] = relationship(
        back_populates="interview", order_by=lambda: [InterviewSlot.proposal, InterviewSlot.starts_at],
        viewonly=True)

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        return party_rule(cls, scope)

    @property
    def kind_label(self) -> str:
        return InterviewKind(self.kind).label

    @property
    def status_label(self) -> str:
        return InterviewStatus(self.status).label

    @property
    def current_slots(self) -> list["InterviewSlot"]:
        """The times of the proposal being answered."""
        return [s for s in self.slots if s.proposal == self.proposal]

    @property
    def feedback_recorded(self) -> bool:
        return self.feedback_at is not None

    def __repr__(self) -> str:
        return f"<Interview {self.id} submission={self.submission_id} {self.status}>"


class InterviewSlot(Tenanted, Base):
    """One proposed time: a start and an end, by the client or the supplier, in one proposal."""

    __tablename__ = "interview_slot"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="time_order"),
        CheckConstraint("proposed_by IN ('client', 'supplier')", name="proposed_by"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interview.id"), index=True)
    client_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    supplier_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    proposal: Mapped[int] = mapped_column(Integer)
    proposed_by: Mapped[str] = mapped_column(String(8))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    interview: Mapped[Interview] = relationship(back_populates="slots")

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        return party_rule(cls, scope)

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)
