"""Who a notification goes to: active people of an organisation, a job's hiring manager, a submitter.

Read under the system scope (the fan-out runs for whoever acted); callers only pass people of the
parties an event is stamped with, so nobody is told what their party may not see.
"""
from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import ClientAccountManager, User, UserStatus
from portal.db.tenancy import system_scope
from portal.extensions import db


def _active(users) -> list[User]:
    return [u for u in users if u is not None and u.status == UserStatus.ACTIVE.value]


def org_users(org_id: int | None) -> list[User]:
    """The active people of an organisation."""
    if org_id is None:
        return []
    with system_scope("notification recipients"):
        return list(db.session.scalars(select(User).where(
            User.org_id == org_id, User.status == UserStatus.ACTIVE.value).order_by(User.id)))


def account_managers(client_org_id: int | None) -> list[User]:
    """The active account managers assigned to a client company."""
    if client_org_id is None:
        return []
    with system_scope("notification recipients"):
        return list(db.session.scalars(select(User).join(ClientAccountManager, ClientAccountManager.user_id == User.id)
                                       .where(ClientAccountManager.client_org_id == client_org_id,
                                              User.status == UserStatus.ACTIVE.value).order_by(User.id)))


def hiring_manager(job) -> list[User]:
    """The job's hiring manager or, failing that, its author (when a client person); else the client's admins."""
    with system_scope("notification recipients"):
        for user_id in (job.hiring_manager_id, job.created_by_id):
            user = db.session.get(User, user_id) if user_id else None
            if user is not None and user.org_id == job.client_org_id and _active([user]):
                return [user]
        return [u for u in org_users(job.client_org_id) if u.role == "client_admin"]


def submitter(sub) -> list[User]:
    """The recruiter who submitted; if they are gone, the supplier's admins."""
    with system_scope("notification recipients"):
        user = db.session.get(User, sub.submitted_by_id) if sub.submitted_by_id else None
        if user is not None and _active([user]):
            return [user]
        return [u for u in org_users(sub.supplier_org_id) if u.role == "supplier_admin"]
