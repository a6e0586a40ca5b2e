"""Organisations (agency, clients, suppliers), their users, and single-use account tokens."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db.base import Base, UTCDateTime, utcnow
from portal.db.tenancy import Scope, Tenanted


class OrgKind(StrEnum):
    AGENCY = "agency"
    CLIENT = "client"
    SUPPLIER = "supplier"


#: The portal each kind of organisation signs in at.
PORTAL_OF_KIND = {OrgKind.AGENCY: "staff", OrgKind.CLIENT: "client", OrgKind.SUPPLIER: "supplier"}
PORTALS = ("client", "supplier", "staff")


class Role(StrEnum):
    ACCOUNT_MANAGER = "account_manager"
    STAFF_ADMIN = "staff_admin"
    HIRING_MANAGER = "hiring_manager"
    CLIENT_ADMIN = "client_admin"
    RECRUITER = "recruiter"
    SUPPLIER_ADMIN = "supplier_admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ACCOUNT_MANAGER: "Account manager",
    Role.STAFF_ADMIN: "Staff administrator",
    Role.HIRING_MANAGER: "Hiring manager",
    Role.CLIENT_ADMIN: "Client administrator",
    Role.RECRUITER: "Recruiter",
    Role.SUPPLIER_ADMIN: "Supplier administrator",
}

#: Roles a user of each kind of organisation may hold.
ROLES_OF_KIND = {
    OrgKind.AGENCY: (Role.ACCOUNT_MANAGER, Role.STAFF_ADMIN),
    OrgKind.CLIENT: (Role.HIRING_MANAGER, Role.CLIENT_ADMIN),
    OrgKind.SUPPLIER: (Role.RECRUITER, Role.SUPPLIER_ADMIN),
}


class UserStatus(StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    DEACTIVATED = "deactivated"


class Organisation(Tenanted, Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Short upper-case code of a client, used in job order display ids (ACME-0042).
    code: Mapped[str | None] = mapped_column(String(12), unique=True)
    email_domain: Mapped[str | None] = mapped_column(String(120))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    users: Mapped[list["User"]] = relationship(back_populates="org", order_by="User.name")
    account_managers: Mapped[list["User"]] = relationship(
        secondary="client_account_manager", order_by="User.name", viewonly=True
    )

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        # A party sees its own organisation and the agency that serves it.
        return or_(cls.id == scope.org_id, cls.kind == OrgKind.AGENCY.value)

    @property
    def portal(self) -> str:
        return PORTAL_OF_KIND[OrgKind(self.kind)]

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.kind} {self.name!r}>"


class User(UserMixin, Tenanted, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    #: The portal this user signs in at; fixed by the organisation's kind.
    portal: Mapped[str] = mapped_column(String(16))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    title: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=UserStatus.INVITED.value)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    #: Bumped on deactivation, password change and "sign out everywhere": old cookies die.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    org: Mapped[Organisation] = relationship(back_populates="users", lazy="joined")

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        # A party sees its colleagues and the agency's staff (its account managers).
        return or_(cls.org_id == scope.org_id, cls.portal == "staff")

    # Flask-Login: the id in the cookie carries the session version.
    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.status == UserStatus.ACTIVE.value

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class ClientAccountManager(Tenanted, Base):
    """An account manager of the agency assigned to a client company."""

    __tablename__ = "client_account_manager"
    __table_args__ = (UniqueConstraint("client_org_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        return cls.client_org_id == scope.org_id


class ClientSupplier(Tenanted, Base):
    """A supplier on a client's panel, with the tier it is released in by default."""

    __tablename__ = "client_supplier"
    __table_args__ = (UniqueConstraint("client_org_id", "supplier_org_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    supplier_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    default_tier: Mapped[int] = mapped_column(Integer, default=1)

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        if scope.kind == "client":
            return cls.client_org_id == scope.org_id
        return cls.supplier_org_id == scope.org_id


class TokenPurpose(StrEnum):
    INVITE = "invite"
    RESET = "reset"


class AccountToken(Tenanted, Base):
    """A single-use, expiring link to set a password (invitation or reset).

    Only a SHA-256 of the random token is stored, so a database leak yields no usable link.
    """

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        return cls.org_id == scope.org_id
