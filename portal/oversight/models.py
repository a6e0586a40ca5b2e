"""The last nudge sent about one item of the coverage board (one row per item, guarded updates)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base, UTCDateTime, utcnow
from portal.db.tenancy import Scope, Tenanted


class Nudge(Tenanted, Base):
    """When the item `(target, subject_id)` was last nudged, by whom, and how often.

    A repeat within the quiet period is refused: the row is claimed by an insert that ignores a
    conflict, or else by `UPDATE … WHERE last_sent_at <= now - quiet period` whose row count is
    checked, so two account managers clicking at once send one nudge.
    """

    __tablename__ = "nudge"
    __table_args__ = (UniqueConstraint("target", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target: Mapped[str] = mapped_column(String(24))
    subject_id: Mapped[int] = mapped_column(Integer)
    client_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    last_sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    count: Mapped[int] = mapped_column(Integer, default=1)

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        return false()
