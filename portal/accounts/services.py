"""State changes of accounts: organisations, invitations, sign-in, passwords, deactivation.

Services take the acting user, flush (never commit) and record an event for each change;
the caller commits once. Token flows and sign-in run under an explicit system scope
because the person is not (yet) signed in.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import func, select, update

from portal import clock
from portal.accounts.models import (
    ROLES_OF_KIND,
    AccountToken,
    ClientAccountManager,
    ClientSupplier,
    OrgKind,
    Organisation,
    PORTAL_OF_KIND,
    Role,
    TokenPurpose,
    User,
    UserStatus,
)
from portal.accounts.passwords import hash_password, needs_rehash, verify_password
from portal.db.tenancy import system_scope
from portal.errors import Refusal
from portal.events.services import party_columns, record
from portal.extensions import db
from portal.mail.services import enqueue


class AccountError(Refusal):
    """A refusal about a person's account: sign-in, invitation, password, deactivation."""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


# --- organisations -----------------------------------------------------------------------

def create_organisation(actor: User, *, kind: str, name: str, code: str | None = None,
                        email_domain: str | None = None) -> Organisation:
    """Create a client or supplier organisation (staff only; the caller checked the permission)."""
    kind = OrgKind(kind)
    if kind == OrgKind.AGENCY:
        raise AccountError("Only client and supplier organisations can be created.", "kind")
    code = (code or "").strip().upper() or None
    if kind == OrgKind.CLIENT and not code:
        raise AccountError("Enter a short code for the client, such as ACME.", "code")
    if kind == OrgKind.SUPPLIER:
        code = None
    if code and db.session.scalar(select(Organisation.id).where(Organisation.code == code)):
        raise AccountError(f"The code {code} is already used by another client.", "code")
    org = Organisation(kind=kind.value, name=name.strip(), code=code,
                       email_domain=(email_domain or "").strip().lower() or None)
    db.session.add(org)
    db.session.flush()
    record(actor, "org.created", org, f"{actor.name} created {kind.value} {org.name}",
           **party_columns(org), data={"name": org.name, "code": code})
    return org


def update_organisation(actor: User, org: Organisation, *, name: str, email_domain: str | None,
                        is_active: bool) -> Organisation:
    changes = {}
    if org.name != name.strip():
        changes["name"] = [org.name, name.strip()]
        org.name = name.strip()
    domain = (email_domain or "").strip().lower() or None
    if org.email_domain != domain:
        changes["email_domain"] = [org.email_domain, domain]
        org.email_domain = domain
    if org.is_active != is_active:
        changes["is_active"] = [org.is_active, is_active]
        org.is_active = is_active
    if changes:
        db.session.flush()
        record(actor, "org.updated", org, f"{actor.name} updated {org.name}",
               **party_columns(org), data={"changes": changes})
    return org


def set_account_managers(actor: User, client: Organisation, user_ids: list[int]) -> None:
    """Replace the account managers assigned to a client; each must be active staff."""
    if client.kind != OrgKind.CLIENT:
        raise AccountError("Account managers are assigned to client companies only.")
    wanted = set(user_ids)
    valid = set(db.session.scalars(
        select(User.id).where(User.id.in_(wanted), User.portal == "staff",
                              User.status == UserStatus.ACTIVE.value)))
    if wanted - valid:
        raise AccountError("Choose active account managers of the agency.", "account_managers")
    current = {row.user_id: row for row in db.session.scalars(
        select(ClientAccountManager).where(ClientAccountManager.client_org_id == client.id))}
    for uid in set(current) - wanted:
        db.session.delete(current[uid])
    for uid in wanted - set(current):
        db.session.add(ClientAccountManager(client_org_id=client.id, user_id=uid))
    if set(current) != wanted:
        db.session.flush()
        record(actor, "org.account_managers_set", client,
               f"{actor.name} changed the account managers of {client.name}",
               client_org_id=client.id, internal=True,
               data={"before": sorted(current), "after": sorted(wanted)})


def set_supplier_tier(actor: User, client: Organisation, supplier: Organisation, tier: int | None) -> None:
    """Put a supplier on a client's panel in a tier (1 or 2), or take it off with None."""
    link = db.session.scalar(select(ClientSupplier).where(
        ClientSupplier.client_org_id == client.id, ClientSupplier.supplier_org_id == supplier.id))
    if tier is None:
        if link:
            db.session.delete(link)
    elif link:
        link.default_tier = tier
    else:
        db.session.add(ClientSupplier(client_org_id=client.id, supplier_org_id=supplier.id, default_tier=tier))
    db.session.flush()
    record(actor, "org.supplier_tier_set", client,
           f"{actor.name} set {supplier.name} to {'tier ' + str(tier) if tier else 'off the panel'} for {client.name}",
           client_org_id=client.id, internal=True, data={"supplier_org_id": supplier.id, "tier": tier})


# --- invitations and tokens ----------------------------------------------------------------

def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue_token(user: User, purpose: TokenPurpose, hours: int, created_by: User | None) -> str:
    token = secrets.token_urlsafe(32)
    # A new link replaces any earlier unused one of the same purpose.
    db.session.execute(
        update(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.purpose == purpose.value,
               AccountToken.used_at.is_(None))
        .values(used_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    db.session.add(AccountToken(
        user_id=user.id, org_id=user.org_id, purpose=purpose.value, token_hash=_hash_token(token),
        expires_at=clock.now() + timedelta(hours=hours),
        created_by_id=created_by.id if created_by else None,
    ))
    db.session.flush()
    return token


def invite_user(actor: User, org: Organisation, *, email: str, name: str, role: str,
                title: str | None = None) -> User:
    """Invite a person into `org` with `role`; sends a single-use link to set a password.

    Staff may invite into any organisation; client and supplier admins into their own (the
    view passes only their own organisation). Re-inviting a still-invited user sends a new link.
    """
    email = normalise_email(email)
    role_enum = Role(role)
    if role_enum not in ROLES_OF_KIND[OrgKind(org.kind)]:
        raise AccountError("That role does not exist in this organisation.", "role")
    if not org.is_active:
        raise AccountError("This organisation is deactivated; reactivate it before inviting people.")
    with system_scope("invite: e-mail uniqueness is global"):
        existing = db.session.scalar(select(User).where(func.lower(User.email) == email))
        if existing is not None and (existing.org_id != org.id or existing.status != UserStatus.INVITED.value):
            raise AccountError("This e-mail address already has an account.", "email")
    if existing is not None:
        user = db.session.scalar(select(User).where(User.id == existing.id))
        user.name, user.role, user.title = name.strip(), role_enum.value, title
    else:
        user = User(org_id=org.id, portal=PORTAL_OF_KIND[OrgKind(org.kind)], email=email,
                    name=name.strip(), title=title, role=role_enum.value,
                    status=UserStatus.INVITED.value)
        db.session.add(user)
        db.session.flush()
    hours = current_app.config["INVITE_TTL_HOURS"]
    token = _issue_token(user, TokenPurpose.INVITE, hours, actor)
    record(actor, "user.invited", user, f"{actor.name} invited {user.name} ({role_enum.label}) to {org.name}",
           **party_columns(org), data={"email": email, "role": role_enum.value})
    enqueue(email, "invitation", f"You are invited to the {org.name} portal",
            name=user.name, inviter=actor.name, org_name=org.name, hours=hours,
            link=url_for("accounts.accept_token", token=token, _external=False))
    return user


def find_token(token: str, purpose: TokenPurpose) -> AccountToken | None:
    """A usable token (right purpose, unused, unexpired) or None. Runs under a system scope."""
    with system_scope("token lookup"):
        row = db.session.scalar(select(AccountToken).where(AccountToken.token_hash == _hash_token(token)))
        if row is None or row.purpose != purpose.value or row.used_at is not None:
            return None
        if row.expires_at <= clock.now():
            return None
        return row


def use_token(token: str, purpose: TokenPurpose, password: str) -> User:
    """Set the password through a token, exactly once (a guarded UPDATE marks it used)."""
    with system_scope("token use"):
        row = find_token(token, purpose)
        if row is None:
            raise AccountError("This link has expired or has already been used. Ask for a new one.", status=410)
        claimed = db.session.execute(
            update(AccountToken)
            .where(AccountToken.id == row.id, AccountToken.used_at.is_(None))
            .values(used_at=clock.now())
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            raise AccountError("This link has already been used.", status=410)
        user = db.session.scalar(select(User).where(User.id == row.user_id))
        if user.status == UserStatus.DEACTIVATED.value:
            raise AccountError("This account is deactivated. Ask your administrator.", status=410)
        joined = user.status == UserStatus.INVITED.value
        user.password_hash = hash_password(password)
        user.status = UserStatus.ACTIVE.value
        user.session_version += 1
        db.session.flush()
        verb = "user.joined" if joined else "user.password_reset"
        what = "accepted the invitation" if joined else "reset their password"
        record(user, verb, user, f"{user.name} {what}", **party_columns(user.org))
        return user


def request_password_reset(email: str, portal: str) -> None:
    """Send a reset link if an active account of this portal has this e-mail; silent otherwise."""
    with system_scope("password reset request"):
        user = db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))
        if user is None or user.portal != portal or user.status != UserStatus.ACTIVE.value:
            return
        hours = current_app.config["RESET_TTL_HOURS"]
        token = _issue_token(user, TokenPurpose.RESET, hours, None)
        record(None, "user.reset_requested", user, f"Password reset requested for {user.name}",
               internal=True)
        enqueue(user.email, "password_reset", "Reset your portal password", name=user.name,
                hours=hours, link=url_for("accounts.accept_token", token=token, _external=False))


# --- sign-in -----------------------------------------------------------------------------

def authenticate(email: str, password: str, portal: str) -> User | None:
    """The user if the e-mail, password and portal all match an active account, else None.

    Every failure looks the same to the caller (no account enumeration), and an unknown
    e-mail costs the same hashing time as a wrong password.
    """
    with system_scope("sign-in"):
        user = db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))
        ok = verify_password(user.password_hash if user else None, password)
        if not ok or user is None or user.portal != portal or user.status != UserStatus.ACTIVE.value:
            return None
        if not user.org.is_active:
            return None
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.last_login_at = clock.now()
        db.session.flush()
        return user


def change_password(user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise AccountError("Your current password is not right.", "current_password")
    user.password_hash = hash_password(new)
    user.session_version += 1
    db.session.flush()
    record(user, "user.password_changed", user, f"{user.name} changed their password",
           **party_columns(user.org))


def sign_out_everywhere(user: User) -> None:
    user.session_version += 1
    db.session.flush()
    record(user, "user.signed_out_everywhere", user, f"{user.name} signed out on every device",
           **party_columns(user.org))


def set_user_active(actor: User, user: User, active: bool) -> None:
    """Deactivate (ending every session at its next request) or reactivate a user."""
    if user.id == actor.id:
        raise AccountError("You can't deactivate your own account.", status=403)
    if active:
        if user.status != UserStatus.DEACTIVATED.value:
            raise AccountError(f"{user.name} is not deactivated.", status=409)
        user.status = UserStatus.ACTIVE.value if user.password_hash else UserStatus.INVITED.value
        verb, what = "user.reactivated", "reactivated"
    else:
        if user.status == UserStatus.DEACTIVATED.value:
            raise AccountError(f"{user.name} is already deactivated.", status=409)
        user.status = UserStatus.DEACTIVATED.value
        verb, what = "user.deactivated", "deactivated"
    user.session_version += 1
    db.session.flush()
    record(actor, verb, user, f"{actor.name} {what} {user.name}", **party_columns(user.org))
