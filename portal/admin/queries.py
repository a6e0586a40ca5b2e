"""Reads for the staff administration pages (staff scope: every tenant)."""
from __future__ import annotations

from sqlalchemy import func, or_, select

from portal.accounts.models import ClientSupplier, OrgKind, Organisation, User, UserStatus
from portal.extensions import db

PAGE_SIZE = 25


def organisation_page(*, kind: str | None, q: str | None, page: int):
    """Organisations (not the agency) with their active user counts, in one query per page."""
    users = (
        select(User.org_id, func.count(User.id).label("n"))
        .where(User.status == UserStatus.ACTIVE.value)
        .group_by(User.org_id)
        .subquery()
    )
    stmt = (
        select(Organisation, func.coalesce(users.c.n, 0))
        .outerjoin(users, users.c.org_id == Organisation.id)
        .where(Organisation.kind != OrgKind.AGENCY.value)
    )
    if kind in (OrgKind.CLIENT.value, OrgKind.SUPPLIER.value):
        stmt = stmt.where(Organisation.kind == kind)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(Organisation.name).like(like), func.lower(Organisation.code).like(like)))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.execute(
        stmt.order_by(Organisation.name, Organisation.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return rows, total


def staff_users():
    return list(db.session.scalars(
        select(User).where(User.portal == "staff", User.status == UserStatus.ACTIVE.value).order_by(User.name)))


def panel_of(client: Organisation):
    """(supplier, tier) pairs on a client's panel."""
    return db.session.execute(
        select(Organisation, ClientSupplier.default_tier)
        .join(ClientSupplier, ClientSupplier.supplier_org_id == Organisation.id)
        .where(ClientSupplier.client_org_id == client.id)
        .order_by(ClientSupplier.default_tier, Organisation.name)
    ).all()


def clients_of(supplier: Organisation):
    return db.session.execute(
        select(Organisation, ClientSupplier.default_tier)
        .join(ClientSupplier, ClientSupplier.client_org_id == Organisation.id)
        .where(ClientSupplier.supplier_org_id == supplier.id)
        .order_by(Organisation.name)
    ).all()


def suppliers() -> list[tuple[int, str]]:
    """Active suppliers as (id, name), for the staff filters (columns only: hundreds at scale)."""
    return list(db.session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.kind == OrgKind.SUPPLIER.value, Organisation.is_active.is_(True))
        .order_by(Organisation.name)).all())
