"""A person's notifications and their delivery preference per kind."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base, UTCDateTime, utcnow
from portal.db.tenancy import Scope, Tenanted


class Notification(Tenanted, Base):
    """One thing one person should know about, with a deep link; read once opened or marked.

    Tenancy stamps the recipient's organisation; every read also filters on the recipient, since
    staff scopes are unrestricted and a notification is personal.
    """

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        Index("ix_notification_user_id_read_at_id", "user_id", "read_at", "id"),
        Index("ix_notification_pending_digest", "delivery", "emailed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(String(500))
    link: Mapped[str] = mapped_column(String(500))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id"))
    #: De-duplicates: one notification per person and key ("event:<id>", "sla:…").
    key: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The person's preference for this kind when it was created: immediate, digest or off.
    delivery: Mapped[str] = mapped_column(String(16))
    #: When its e-mail was queued (alone or in a digest); None while a digest is pending.
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The digest run that claimed it (a guarded update, so two runners never send it twice).
    digest_batch: Mapped[str | None] = mapped_column(String(32), index=True)

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        return cls.org_id == scope.org_id if scope.org_id is not None else false()


class NotificationPreference(Tenanted, Base):
    """How a person wants one kind delivered by e-mail; no row means the kind's default."""

    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    kind: Mapped[str] = mapped_column(String(32))
    delivery: Mapped[str] = mapped_column(String(16))

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        return cls.org_id == scope.org_id if scope.org_id is not None else false()
