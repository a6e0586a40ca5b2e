"""Named permissions, the roles that hold them, and the guards every endpoint carries.

Every view is decorated with `@public` or `@requires(Perm.X)`; a test walks the URL map
and fails on any endpoint that is neither. Permissions are enum members, so a typo fails
at import. Each permission belongs to one portal: a user of another portal gets a 404
(the page is not in their world), a user of the right portal whose role lacks it a 403.
"""
from __future__ import annotations


from enum import Enum
from functools import wraps
from typing import Callable

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from portal.accounts.models import Role


class Perm(Enum):
    """(name, portal). The name is what the access table in the docs and tests show."""

    # Staff portal
    STAFF_HOME = ("staff.home", "staff")
    ORG_VIEW = ("org.view", "staff")
    ORG_MANAGE = ("org.manage", "staff")
    USER_INVITE_ANY = ("user.invite_any", "staff")
    USER_DEACTIVATE_ANY = ("user.deactivate_any", "staff")
    STAFF_MANAGE = ("staff.manage", "staff")
    EVENTS_VIEW_ALL = ("events.view_all", "staff")
    # Client portal
    CLIENT_HOME = ("client.home", "client")
    CLIENT_TEAM_VIEW = ("client.team_view", "client")
    CLIENT_TEAM_MANAGE = ("client.team_manage", "client")
    # Supplier portal
    SUPPLIER_HOME = ("supplier.home", "supplier")
    SUPPLIER_TEAM_VIEW = ("supplier.team_view", "supplier")
    SUPPLIER_TEAM_MANAGE = ("supplier.team_manage", "supplier")
    # Any signed-in user
    ACCOUNT_SELF = ("account.self", "any")

    @property
    def code(self) -> str:
        return self.value[0]

    @property
    def portal(self) -> str:
        return self.value[1]


_STAFF_COMMON = {
    Perm.STAFF_HOME, Perm.ORG_VIEW, Perm.ORG_MANAGE, Perm.USER_INVITE_ANY,
    Perm.USER_DEACTIVATE_ANY, Perm.EVENTS_VIEW_ALL, Perm.ACCOUNT_SELF,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
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


def grant(role: Role, *perms: Perm) -> None:
    """Let a domain package add its permissions to a role at import time."""
    ROLE_PERMISSIONS[role] = frozenset(ROLE_PERMISSIONS[role] | set(perms))


def has_permission(user, perm: Perm) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if perm.portal not in ("any", user.portal):
        return False
    return perm in ROLE_PERMISSIONS.get(Role(user.role), frozenset())


def can(perm: Perm) -> bool:
    """Template helper: may the current user do this? (The server re-checks.)"""
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


def requires(*perms: Perm) -> Callable[[Callable], Callable]:
    """Require a signed-in user holding every permission named (404 across portals, else 403)."""
    for perm in perms:
        if not isinstance(perm, Perm):
            raise TypeError(f"requires() takes Perm members, not {perm!r}")

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
