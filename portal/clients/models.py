"""The staff account log of a client company (notes, calls, e-mails, meetings) and its follow-ups.

Both tables are staff-only: `tenant_criteria` is false for clients and suppliers, so a party's
query of them returns nothing, even for rows about its own company.

Why not the CRM's `crm_activity` / `crm_follow_up` (portal/leads)? Those rows must hang off a
lead or an opportunity (a check constraint), their "done" view and templates assume one, and
widening them would rebuild another domain's tables in this migration. An account's log is
about a client company, not a sale: its own two small tables keep both domains simple. The
kinds and their labels are shared with the CRM (`ActivityKind`).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Organisation, User
from portal.db.base import Base, UTCDateTime, utcnow
from portal.db.tenancy import Scope, Tenanted
from portal.leads.models import LABELS, ActivityKind

#: value -> label of the kinds of log entry (the CRM's activity kinds: note, call, e-mail, meeting).
ENTRY_KINDS: dict[str, str] = {k: LABELS[ActivityKind][k] for k in ("note", "call", "email", "meeting")}


class StaffOnlyAccount(Tenanted):
    """Rows that no client or supplier may ever read (not even about their own company)."""

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        return false()


class AccountEntry(StaffOnlyAccount, Base):
    """One line of a client's account log: a note, or a call, e-mail or meeting with its people."""

    __tablename__ = "account_entry"
    __table_args__ = (
        #: A double submit of the same form adds one entry (the form's idempotency key).
        UniqueConstraint("client_org_id", "create_key"),
        CheckConstraint("kind IN ('note', 'call', 'email', 'meeting')", name="kind"),
        Index("ix_account_entry_client_occurred", "client_org_id", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    create_key: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    occurred_on: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(String(2000))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    client: Mapped[Organisation] = relationship(foreign_keys=[client_org_id])
    author: Mapped[User] = relationship(foreign_keys=[author_id])

    @property
    def kind_label(self) -> str:
        return ENTRY_KINDS.get(self.kind, self.kind)


class AccountFollowUp(StaffOnlyAccount, Base):
    """Something to do for a client by a date, given to an account manager; marked done once."""

    __tablename__ = "account_follow_up"
    __table_args__ = (
        UniqueConstraint("client_org_id", "create_key"),
        #: The dashboard's "due for me" and the list's "next due" read this index.
        Index("ix_account_follow_up_assignee_open", "assignee_id", "done_at", "due_on"),
        Index("ix_account_follow_up_client_open", "client_org_id", "done_at", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    create_key: Mapped[str | None] = mapped_column(String(64))
    due_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500))
    assignee_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    client: Mapped[Organisation] = relationship(foreign_keys=[client_org_id])
    assignee: Mapped[User] = relationship(foreign_keys=[assignee_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
