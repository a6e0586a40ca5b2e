"""Per-client SLA targets and the clock crossings already announced (each one once, ever)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base, UTCDateTime, utcnow
from portal.db.tenancy import Scope, Tenanted

#: PRODUCT.md's defaults, used for every client without its own row (or with an empty column).
DEFAULT_COVERAGE_COUNT = 3
DEFAULT_COVERAGE_HOURS = 48
DEFAULT_REVIEW_HOURS = 48
DEFAULT_FEEDBACK_HOURS = 24
MAX_HOURS = 24 * 30
MAX_COVERAGE_COUNT = 50


class SlaPolicy(Tenanted, Base):
    """A client's own SLA targets; NULL columns mean PRODUCT.md's default.

    The time-to-first-submission target is not here: it is the client's release setting
    (`ClientJobSettings.first_submission_hours`), which also releases tier 2 early, so both
    read one number.
    """

    __tablename__ = "sla_policy"
    __table_args__ = (
        CheckConstraint("coverage_count IS NULL OR coverage_count >= 1", name="coverage_count"),
        CheckConstraint("coverage_hours IS NULL OR coverage_hours >= 1", name="coverage_hours"),
        CheckConstraint("review_hours IS NULL OR review_hours >= 1", name="review_hours"),
        CheckConstraint("feedback_hours IS NULL OR feedback_hours >= 1", name="feedback_hours"),
    )

    client_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    coverage_count: Mapped[int | None] = mapped_column(Integer)
    coverage_hours: Mapped[int | None] = mapped_column(Integer)
    review_hours: Mapped[int | None] = mapped_column(Integer)
    feedback_hours: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        # Clients see their own targets; clocks read them past the ORM for everyone else.
        return cls.client_org_id == scope.org_id if scope.kind == "client" else false()


class SlaCrossing(Tenanted, Base):
    """One clock crossing into a level ("at_risk", "breached"), claimed once by a guarded insert.

    UNIQUE (clock, subject_id, party_org_id, level): two tick runners, or a rerun, cannot announce
    the same crossing twice. `party_org_id` is the supplier of a per-supplier clock, 0 otherwise
    (0, not NULL: NULLs are distinct in a unique key).
    """

    __tablename__ = "sla_crossing"
    __table_args__ = (
        UniqueConstraint("clock", "subject_id", "party_org_id", "level"),
        CheckConstraint("level IN ('at_risk', 'breached')", name="level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clock: Mapped[str] = mapped_column(String(24))
    subject_id: Mapped[int] = mapped_column(Integer)
    party_org_id: Mapped[int] = mapped_column(Integer, default=0)
    level: Mapped[str] = mapped_column(String(12))
    client_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    crossed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The event that announced it (NULL when claimed silently: a clock first seen breached
    #: also claims "at risk", which is then never announced after the fact).
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id"))

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        return false()
