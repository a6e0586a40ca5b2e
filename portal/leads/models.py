"""Leads, opportunities, their activities and follow-ups, and the round-robin routing state.

Every table here is staff-only: `tenant_criteria` is false for clients and suppliers, so a
party's query of them returns nothing (and the anonymous public form writes under a named
system scope).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Organisation, User
from portal.db.base import Base, UTCDateTime, utcnow
from portal.db.tenancy import Scope, Tenanted


class StaffOnly(Tenanted):
    """Rows that no client or supplier may ever read."""

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        return false()


class LeadSource(StrEnum):
    WEB_FORM = "web_form"
    PHONE = "phone"
    EMAIL = "email"
    EVENT = "event"
    REFERRAL = "referral"
    OTHER = "other"


class LeadStatus(StrEnum):
    NEW = "new"                    # nobody has acted on it yet: its response clock runs
    WORKING = "working"            # an account manager has been in touch
    QUALIFIED = "qualified"        # became an opportunity
    DISQUALIFIED = "disqualified"  # spam, duplicate, not a fit…


class RoutedBy(StrEnum):
    ROUND_ROBIN = "round_robin"
    CLIENT_RULE = "client_rule"
    MANUAL = "manual"
    UNROUTED = "unrouted"


class DisqualifyReason(StrEnum):
    SPAM = "spam"
    DUPLICATE = "duplicate"
    NOT_A_FIT = "not_a_fit"
    NO_RESPONSE = "no_response"
    OTHER = "other"


class Stage(StrEnum):
    NEW = "new"
    CONTACTED = "contacted"
    MEETING = "meeting"
    PROPOSAL = "proposal"
    WON = "won"
    LOST = "lost"


OPEN_STAGES = (Stage.NEW, Stage.CONTACTED, Stage.MEETING, Stage.PROPOSAL)


class LostReason(StrEnum):
    PRICE = "price"
    TIMING = "timing"
    COMPETITOR = "competitor"
    NO_BUDGET = "no_budget"
    NO_RESPONSE = "no_response"
    NOT_A_FIT = "not_a_fit"
    OTHER = "other"


class ActivityKind(StrEnum):
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    NOTE = "note"


#: value -> label of every choice (forms, lists, the CSV export).
LABELS: dict[type[StrEnum], dict[str, str]] = {
    LeadSource: {"web_form": "Request form", "phone": "Phone call", "email": "E-mail", "event": "Event",
                 "referral": "Referral", "other": "Other"},
    LeadStatus: {"new": "New", "working": "Working", "qualified": "Qualified", "disqualified": "Disqualified"},
    RoutedBy: {"round_robin": "Round robin", "client_rule": "Client's account manager",
               "manual": "Assigned by hand", "unrouted": "Nobody is taking new leads"},
    DisqualifyReason: {"spam": "Spam", "duplicate": "Duplicate", "not_a_fit": "Not a fit",
                       "no_response": "No response", "other": "Other"},
    Stage: {"new": "New", "contacted": "Contacted", "meeting": "Meeting", "proposal": "Proposal",
            "won": "Won", "lost": "Lost"},
    LostReason: {"price": "Price", "timing": "Timing", "competitor": "Went with a competitor",
                 "no_budget": "No budget", "no_response": "Stopped responding", "not_a_fit": "Not a fit",
                 "other": "Other"},
    ActivityKind: {"call": "Call", "email": "E-mail", "meeting": "Meeting", "note": "Note"},
}

CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "CHF")


def label(enum: type[StrEnum], value: str | None) -> str:
    return LABELS[enum].get(value or "", "—")


class Lead(StaffOnly, Base):
    """A company asking for talent: from the public form or entered by an account manager."""

    __tablename__ = "lead"
    __table_args__ = (
        CheckConstraint("headcount IS NULL OR headcount >= 1", name="headcount_positive"),
        Index("ix_lead_status_respond_by", "status", "respond_by"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Idempotency key of the form that created it: a double submit makes one lead.
    create_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=LeadStatus.NEW.value, index=True)

    company_name: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    #: What the request said: roles, how many, where, when, anything else.
    roles: Mapped[str] = mapped_column(String(200))
    headcount: Mapped[int | None] = mapped_column(Integer)
    location: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[date | None] = mapped_column(Date)
    details: Mapped[str | None] = mapped_column(Text)

    #: An existing client this lead came from (matched by e-mail domain): an upsell.
    client_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    routed_by: Mapped[str] = mapped_column(String(16), default=RoutedBy.UNROUTED.value)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The response target (created + N business days); untouched past it = flagged.
    respond_by: Mapped[datetime] = mapped_column(UTCDateTime())
    first_touched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disqualify_reason: Mapped[str | None] = mapped_column(String(16))
    disqualify_note: Mapped[str | None] = mapped_column(String(500))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    client: Mapped[Organisation | None] = relationship(foreign_keys=[client_org_id])
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])
    opportunity: Mapped["Opportunity | None"] = relationship(back_populates="lead", uselist=False)

    @property
    def reference(self) -> str:
        return f"L-{self.id:05d}"

    @property
    def is_open(self) -> bool:
        return self.status in (LeadStatus.NEW.value, LeadStatus.WORKING.value)

    @property
    def overdue(self) -> bool:
        """Untouched past its response target (the dashboard flags it)."""
        from portal import clock

        return self.status == LeadStatus.NEW.value and self.respond_by < clock.now()

    @property
    def email_domain(self) -> str | None:
        if not self.email or "@" not in self.email:
            return None
        return self.email.rsplit("@", 1)[1].lower()

    def __repr__(self) -> str:
        return f"<Lead {self.id} {self.company_name!r} {self.status}>"


class Opportunity(StaffOnly, Base):
    """A chance of business with a prospect company or an existing client (an upsell)."""

    __tablename__ = "opportunity"
    __table_args__ = (
        CheckConstraint("expected_value IS NULL OR expected_value >= 0", name="value_not_negative"),
        CheckConstraint("headcount IS NULL OR headcount >= 1", name="headcount_positive"),
        CheckConstraint("client_org_id IS NOT NULL OR prospect_name IS NOT NULL", name="client_or_prospect"),
        Index("ix_opportunity_stage_owner", "stage", "owner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    create_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: The lead it was qualified from (at most one opportunity per lead).
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    client_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    prospect_name: Mapped[str | None] = mapped_column(String(200))
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    stage: Mapped[str] = mapped_column(String(16), default=Stage.NEW.value)
    expected_value: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    close_date: Mapped[date | None] = mapped_column(Date)
    roles: Mapped[str | None] = mapped_column(String(200))
    headcount: Mapped[int | None] = mapped_column(Integer)
    location: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[date | None] = mapped_column(Date)
    details: Mapped[str | None] = mapped_column(Text)
    lost_reason: Mapped[str | None] = mapped_column(String(16))
    lost_note: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    won_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    #: Won or lost (cleared when reopened).
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    converted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    converted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: The draft job order made at conversion. No foreign key: the job order tables belong to
    #: another migration branch; the id is only used to link to it.
    job_order_id: Mapped[int | None] = mapped_column(Integer)

    lead: Mapped[Lead | None] = relationship(back_populates="opportunity")
    client: Mapped[Organisation | None] = relationship(foreign_keys=[client_org_id])
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])

    @property
    def reference(self) -> str:
        return f"OP-{self.id:05d}"

    @property
    def company(self) -> str:
        return self.client.name if self.client is not None else (self.prospect_name or "—")

    @property
    def is_open(self) -> bool:
        return self.stage in {s.value for s in OPEN_STAGES}

    def __repr__(self) -> str:
        return f"<Opportunity {self.id} {self.name!r} {self.stage}>"


class Activity(StaffOnly, Base):
    """A call, e-mail, meeting or note on a lead and/or its opportunity (carried over on qualifying)."""

    __tablename__ = "crm_activity"
    __table_args__ = (
        CheckConstraint("lead_id IS NOT NULL OR opportunity_id IS NOT NULL", name="has_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    create_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id"), index=True)
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunity.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    occurred_on: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(String(2000))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])


class FollowUp(StaffOnly, Base):
    """Something to do by a date on a lead or opportunity; marked done once."""

    __tablename__ = "crm_follow_up"
    __table_args__ = (
        CheckConstraint("lead_id IS NOT NULL OR opportunity_id IS NOT NULL", name="has_subject"),
        Index("ix_crm_follow_up_owner_open", "owner_id", "done_at", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    create_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id"), index=True)
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunity.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500))
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    lead: Mapped[Lead | None] = relationship(foreign_keys=[lead_id])
    opportunity: Mapped[Opportunity | None] = relationship(foreign_keys=[opportunity_id])


class StaffLeadSettings(StaffOnly, Base):
    """Per staff user: whether they take new leads, and when they last got one by round robin."""

    __tablename__ = "staff_lead_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    takes_new_leads: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The routing sequence number of the last round-robin lead they got (0 = never).
    last_assigned_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LeadRoutingCounter(StaffOnly, Base):
    """One row: the round-robin sequence. Incrementing it (a row lock until commit) serialises routers."""

    __tablename__ = "lead_routing_counter"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
