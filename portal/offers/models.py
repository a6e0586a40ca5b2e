"""Offers (one per submission) and placements (one per submission, each filling one opening)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base, UTCDateTime, utcnow
from portal.db.tenancy import Scope, Tenanted
from portal.review.models import party_rule


class OfferStatus(StrEnum):
    EXTENDED = "extended"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    #: Taken back: the client rejected the candidate, or the position was filled by someone else.
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return OFFER_LABELS[self]


OFFER_LABELS = {
    OfferStatus.EXTENDED: "Waiting for the candidate's answer",
    OfferStatus.ACCEPTED: "Accepted",
    OfferStatus.DECLINED: "Declined",
    OfferStatus.WITHDRAWN: "Withdrawn",
}


class Terms:
    """The terms of an offer, kept as they were accepted on its placement."""

    rate: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    rate_type: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    rate_unit: Mapped[str] = mapped_column(String(8))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)

    def terms(self) -> dict:
        return {name: getattr(self, name) for name in TERM_FIELDS}


TERM_FIELDS = ("rate", "rate_type", "currency", "rate_unit", "start_date", "end_date")


class Offer(Terms, Tenanted, Base):
    """The client's offer to a submitted candidate: rate, start and (contracts) end date."""

    __tablename__ = "offer"
    __table_args__ = (
        CheckConstraint("rate > 0", name="rate_positive"),
        CheckConstraint("end_date IS NULL OR end_date > start_date", name="date_order"),
        CheckConstraint("status IN ('extended', 'accepted', 'declined', 'withdrawn')", name="status"),
        Index("ix_offer_client_status", "client_org_id", "status"),
        # Coverage board: unanswered offers, the oldest first (migration 0010_performance).
        Index("ix_offer_status_extended", "status", "extended_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: One offer per submission: an extended offer is answered, never replaced.
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), unique=True)
    job_order_id: Mapped[int] = mapped_column(ForeignKey("job_order.id"), index=True)
    client_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    supplier_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    #: The hiring manager's note to the supplier with the offer.
    note: Mapped[str | None] = mapped_column(String(1000))
    extended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    extended_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decline_reason: Mapped[str | None] = mapped_column(String(500))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        return party_rule(cls, scope)

    @property
    def status_label(self) -> str:
        return OfferStatus(self.status).label


class Placement(Terms, Tenanted, Base):
    """A hire: one accepted offer turned into one filled opening of the job order.

    UNIQUE submission_id: a double click or two people at once never place one person twice; the
    count against the job's openings is taken under a lock on the job order row (offers.services).
    """

    __tablename__ = "placement"
    __table_args__ = (
        Index("uq_placement_job_order_id_create_key", "job_order_id", "create_key", unique=True,
              sqlite_where=text("create_key IS NOT NULL"), postgresql_where=text("create_key IS NOT NULL")),
        CheckConstraint("rate > 0", name="rate_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), unique=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id"), unique=True)
    job_order_id: Mapped[int] = mapped_column(ForeignKey("job_order.id"), index=True)
    client_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    supplier_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    create_key: Mapped[str | None] = mapped_column(String(64))
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        return party_rule(cls, scope)
