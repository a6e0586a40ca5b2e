"""The immutable event table (append-only, guarded in the ORM and by a database trigger)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, and_, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.db.base import Base, UTCDateTime, utcnow
from portal.db.tenancy import Scope, Tenanted


class Event(Tenanted, Base):
    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_client_org_id_id", "client_org_id", "id"),
        Index("ix_event_supplier_org_id_id", "supplier_org_id", "id"),
        Index("ix_event_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    #: Dotted name, e.g. "org.created", "user.invited", "job_order.released".
    verb: Mapped[str] = mapped_column(String(64), index=True)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int | None] = mapped_column()
    #: The parties this event concerns; a party sees it only if named here and not internal.
    client_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    supplier_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[str] = mapped_column(String(500))
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_user_id])

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        column = cls.client_org_id if scope.kind == "client" else cls.supplier_org_id
        return and_(column == scope.org_id, cls.internal.is_(False))


class ImmutableEventError(RuntimeError):
    """The event log is append-only."""


@event.listens_for(Event, "before_update")
def _no_update(mapper, connection, target):
    raise ImmutableEventError("events are never edited")


@event.listens_for(Event, "before_delete")
def _no_delete(mapper, connection, target):
    raise ImmutableEventError("events are never deleted")
