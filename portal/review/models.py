"""When a person of the client last opened a submission (the review board marks the others new), and
the tenancy rule of the review's rows that belong to one client and one supplier."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base, UTCDateTime
from portal.db.tenancy import Scope, Tenanted


def party_rule(cls, scope: Scope):
    """Rows of one submission's client and supplier (interviews, their times, offers, placements):
    the client sees its own, the supplier its own."""
    if scope.kind == "client":
        return cls.client_org_id == scope.org_id
    if scope.kind == "supplier":
        return cls.supplier_org_id == scope.org_id
    return false()


class SubmissionView(Tenanted, Base):
    """One person's last visit to one submission's page (one row per person and submission)."""

    __tablename__ = "submission_view"
    __table_args__ = (UniqueConstraint("user_id", "submission_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime())

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        return cls.org_id == scope.org_id
