"""Candidates (owned by one supplier), their skill tags, and their résumés (every version kept)."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Organisation, User
from portal.db.base import Base, UTCDateTime, utcnow
from portal.db.tenancy import Scope, Tenanted
from portal.files.sweep import owned_by


class WorkAuthorisation(StrEnum):
    CITIZEN = "citizen"
    PERMANENT_RESIDENT = "permanent_resident"
    WORK_VISA = "work_visa"
    WORK_PERMIT = "work_permit"
    NEEDS_SPONSORSHIP = "needs_sponsorship"
    OTHER = "other"

    @property
    def label(self) -> str:
        return WORK_AUTHORISATION_LABELS[self]


WORK_AUTHORISATION_LABELS = {
    WorkAuthorisation.CITIZEN: "Citizen",
    WorkAuthorisation.PERMANENT_RESIDENT: "Permanent resident (e.g. green card)",
    WorkAuthorisation.WORK_VISA: "Work visa (e.g. H-1B, TN, L-1)",
    WorkAuthorisation.WORK_PERMIT: "Work permit (e.g. EAD)",
    WorkAuthorisation.NEEDS_SPONSORSHIP: "Needs visa sponsorship",
    WorkAuthorisation.OTHER: "Other",
}


def candidate_rule(scope: Scope, supplier_org_id, candidate_id):
    """Who sees a candidate and everything hanging off it (skills, résumés).

    A supplier sees its own. A client sees only the candidates of submissions visible to it
    (never the supplier's whole pool). Staff and system scopes see all.
    """
    if scope.kind == "supplier":
        return supplier_org_id == scope.org_id
    if scope.kind == "client":
        from portal.submissions.models import client_visible_candidate_ids

        return candidate_id.in_(client_visible_candidate_ids(scope.org_id))
    return false()


class Candidate(Tenanted, Base):
    __tablename__ = "candidate"
    __table_args__ = (
        # Within one supplier a person is one candidate: the same e-mail or phone is refused.
        Index("uq_candidate_supplier_email", "supplier_org_id", "email_normalised", unique=True,
              sqlite_where=text("email_normalised IS NOT NULL"),
              postgresql_where=text("email_normalised IS NOT NULL")),
        Index("uq_candidate_supplier_phone", "supplier_org_id", "phone_normalised", unique=True,
              sqlite_where=text("phone_normalised IS NOT NULL"),
              postgresql_where=text("phone_normalised IS NOT NULL")),
        # A resubmitted "add candidate" form (double click, refresh) creates one candidate.
        Index("uq_candidate_supplier_request_key", "supplier_org_id", "request_key", unique=True,
              sqlite_where=text("request_key IS NOT NULL"),
              postgresql_where=text("request_key IS NOT NULL")),
        Index("ix_candidate_supplier_org_id_updated_at", "supplier_org_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    #: Lower-case, trimmed: what duplicates are matched on (here per supplier, later across suppliers).
    email_normalised: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    #: E.164 (a leading + and digits only), parsed in the configured PHONE_REGION.
    phone_normalised: Mapped[str | None] = mapped_column(String(20), index=True)
    location: Mapped[str | None] = mapped_column(String(120))
    current_title: Mapped[str | None] = mapped_column(String(120))
    years_experience: Mapped[int | None] = mapped_column(Integer)
    work_authorisation: Mapped[str | None] = mapped_column(String(32))
    work_authorisation_other: Mapped[str | None] = mapped_column(String(120))
    available_from: Mapped[date | None] = mapped_column(Date)
    #: Text of the current résumé, kept here so one column answers "whose résumé mentions X".
    resume_text: Mapped[str | None] = mapped_column(Text)
    request_key: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    supplier: Mapped[Organisation] = relationship(foreign_keys=[supplier_org_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    skills: Mapped[list["CandidateSkill"]] = relationship(
        back_populates="candidate", order_by="CandidateSkill.position", cascade="all, delete-orphan")
    resumes: Mapped[list["Resume"]] = relationship(
        back_populates="candidate", order_by="Resume.id.desc()", viewonly=True)
    current_resume: Mapped["Resume | None"] = relationship(
        primaryjoin="and_(Resume.candidate_id == Candidate.id, Resume.is_current.is_(True))",
        viewonly=True, uselist=False)

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        return candidate_rule(scope, cls.supplier_org_id, cls.id)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def skill_names(self) -> list[str]:
        return [s.name for s in self.skills]

    @property
    def work_authorisation_label(self) -> str | None:
        if not self.work_authorisation:
            return None
        if self.work_authorisation == WorkAuthorisation.OTHER and self.work_authorisation_other:
            return f"Other: {self.work_authorisation_other}"
        return WorkAuthorisation(self.work_authorisation).label

    def __repr__(self) -> str:
        return f"<Candidate {self.id} {self.full_name!r} supplier={self.supplier_org_id}>"


class CandidateSkill(Tenanted, Base):
    """One skill tag of a candidate; `key` is the lower-case form, unique per candidate."""

    __tablename__ = "candidate_skill"
    __table_args__ = (Index("uq_candidate_skill_candidate_id_key", "candidate_id", "key", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"))
    supplier_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    key: Mapped[str] = mapped_column(String(50), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    candidate: Mapped[Candidate] = relationship(back_populates="skills")

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        return candidate_rule(scope, cls.supplier_org_id, cls.candidate_id)


class Resume(Tenanted, Base):
    """One uploaded résumé file; the newest of a candidate is current (`is_current`), older ones stay."""

    __tablename__ = "resume"
    __table_args__ = (
        # At most one current résumé per candidate: two uploads at once cannot both win.
        Index("uq_resume_current_candidate_id", "candidate_id", unique=True,
              sqlite_where=text("is_current"), postgresql_where=text("is_current")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"), index=True)
    supplier_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    #: Random key in portal.files.storage; never derived from the uploader's file name.
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    text: Mapped[str] = mapped_column(Text, default="")
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)

    candidate: Mapped[Candidate] = relationship(foreign_keys=[candidate_id])
    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        if scope.kind == "client":
            # Only the résumé sent with a visible submission, not the candidate's other versions.
            from portal.submissions.models import client_visible_resume_ids

            return cls.id.in_(client_visible_resume_ids(scope.org_id))
        return candidate_rule(scope, cls.supplier_org_id, cls.candidate_id)


owned_by(Resume.storage_key)
