"""Named permissions, the roles that hold them, and the guards every endpoint carries.

Every view is decorated with `@public` or `@requires(PERMISSION)`; a test walks the URL map
and fails on any endpoint that is neither. Permissions are module attributes (`Perm.X`,
or a domain's `permissions.X` made with `define()`), so a typo fails at import. Each permission belongs to one portal: a user of another portal gets a 404
(the page is not in their world), a user of the right portal whose role lacks it a 403.
"""
from __future__ import annotations


from dataclasses import dataclass
from functools import wraps
from typing import Callable

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from portal.accounts.models import Role


@dataclass(frozen=True)
class Permission:
    """A named permission that belongs to one portal ("any" for every signed-in user)."""

    code: str
    portal: str

    def __post_init__(self):
        if self.code in REGISTRY:
            raise ValueError(f"permission {self.code} is defined twice")
        if self.portal not in ("client", "supplier", "staff", "any"):
            raise ValueError(f"unknown portal {self.portal!r} for {self.code}")
        REGISTRY[self.code] = self


#: code -> Permission, for templates (`can("job_order.create")`) and the access tests.
REGISTRY: dict[str, Permission] = {}


def define(code: str, portal: str) -> Permission:
    """Define a domain's permission (in the domain's own `permissions.py`)."""
    return Permission(code, portal)


class Perm:
    """The foundation's permissions. Domains define theirs with `define()` and `grant()`."""

    # Staff portal
    STAFF_HOME = define("staff.home", "staff")
    ORG_VIEW = define("org.view", "staff")
    ORG_MANAGE = define("org.manage", "staff")
    USER_INVITE_ANY = define("user.invite_any", "staff")
    USER_DEACTIVATE_ANY = define("user.deactivate_any", "staff")
    STAFF_MANAGE = define("staff.manage", "staff")
    EVENTS_VIEW_ALL = define("events.view_all", "staff")
    # Client portal
    CLIENT_HOME = define("client.home", "client")
    CLIENT_TEAM_VIEW = define("client.team_view", "client")
    CLIENT_TEAM_MANAGE = define("client.team_manage", "client")
    # Supplier portal
    SUPPLIER_HOME = define("supplier.home", "supplier")
    SUPPLIER_TEAM_VIEW = define("supplier.team_view", "supplier")
    SUPPLIER_TEAM_MANAGE = define("supplier.team_manage", "supplier")
    # Any signed-in user
    ACCOUNT_SELF = define("account.self", "any")


_STAFF_COMMON = {
    Perm.STAFF_HOME, Perm.ORG_VIEW, Perm.ORG_MANAGE, Perm.USER_INVITE_ANY,
    Perm.USER_DEACTIVATE_ANY, Perm.EVENTS_VIEW_ALL, Perm.ACCOUNT_SELF,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ACCOUNT_MANAGER: frozenset(_STAFF_COMMON),
    Role.STAFF_ADMIN: frozenset(_STAFF_COMMON | {Perm.STAFF_MANAGE}),
    Role.HIRING_MANAGER: frozenset({Perm.CLIENT_HOME, Perm.CLIENT_TEAM_VIEW, Perm.ACCOUNT_SELF}),
    Role.CLIENT_ADMIN: frozenset(
        {Perm.CLIENT_HOME, Perm.CLIENT_TEAM_VIEW, Perm.CLIENT_TEAM_MANAGE, Perm.ACCOUNT_SELF}
    ),
    Role.RECRUITER: frozenset({Perm.SUPPLIER_HOME, Perm.SUPPLIER_TEAM_VIEW, Perm.ACCOUNT_SELF}),
    Role.SUPPLIER_ADMIN: frozenset(
        {Perm.SUPPLIER_HOME, Perm.SUPPLIER_TEAM_VIEW, Perm.SUPPLIER_TEAM_MANAGE, Perm.ACCOUNT_SELF}
    ),
}


def grant(role: Role, *perms: Permission) -> None:
    """Let a domain package add its permissions to a role at import time."""
    ROLE_PERMISSIONS[role] = frozenset(ROLE_PERMISSIONS[role] | set(perms))


def role_has(portal: str, role: str, perm: Permission) -> bool:
    """Whether a role of `portal` holds `perm` (a permission of another portal: never)."""
    return perm.portal in ("any", portal) and perm in ROLE_PERMISSIONS.get(Role(role), frozenset())


def has_permission(user, perm: Permission) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return role_has(user.portal, user.role, perm)


def can(perm: Permission | str) -> bool:
    """Template helper: may the current user do this? (The server re-checks.)

    Takes a Permission or its code; an unknown code raises, so a typo fails the page's test.
    """
    if isinstance(perm, str):
        perm = REGISTRY[perm]
    return has_permission(current_user, perm)


def _login_redirect(portal: str):
    from portal.web.htmx import hx_redirect, is_htmx

    target = url_for("accounts.login", portal=portal if portal != "any" else "staff", next=request.full_path.rstrip("?"))
    if is_htmx():
        return hx_redirect(target, status=401)
    return redirect(target)


def public(view: Callable) -> Callable:
    """Mark a view as reachable without signing in."""
    view._access = ("public",)  # type: ignore[attr-defined]
    return view


def requires(*perms: Permission) -> Callable[[Callable], Callable]:
    """Require a signed-in user holding every permission named (404 across portals, else 403)."""
    for perm in perms:
        if not isinstance(perm, Permission):
            raise TypeError(f"requires() takes Permission objects, not {perm!r}")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return _login_redirect(perms[0].portal)
            for perm in perms:
                if perm.portal not in ("any", current_user.portal):
                    abort(404)
                if not has_permission(current_user, perm):
                    current_app.logger.info(
                        "denied %s to user %s (%s)", perm.code, current_user.id, current_user.role
                    )
                    abort(403)
            return view(*args, **kwargs)

        guarded._access = ("requires", perms)  # type: ignore[attr-defined]
        return guarded

    return decorate
