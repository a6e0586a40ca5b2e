"""Sessions: load the user from the cookie (with its session version) and set the scope."""
from __future__ import annotations

import time

from flask import Flask, current_app, g, request, session
from flask_login import current_user, logout_user
from sqlalchemy import select

from portal.accounts.models import User, UserStatus
from portal.db.tenancy import reset_scope, scope_for_user, set_scope, system_scope
from portal.extensions import db, login_manager


#: Seconds between two writes of the idle clock: a page view within a minute of the last one recorded
#: changes nothing, so most responses do not re-sign and re-send the session cookie.
ACTIVITY_GRANULARITY = 60


@login_manager.user_loader
def _load_user(cookie_id: str):
    """A user whose cookie's session version is current and who is still active, else None."""
    try:
        user_id, version = (int(part) for part in cookie_id.split(":", 1))
    except (ValueError, AttributeError):
        return None
    with system_scope("session load"):
        user = db.session.scalar(select(User).where(User.id == user_id))
        if user is None or user.session_version != version or user.status != UserStatus.ACTIVE.value:
            return None
        if not user.org.is_active:
            return None
        return user


def passive(view):
    """Mark a view whose requests (polling, live updates) must not keep an idle session alive."""
    view._passive = True
    return view


def mark_active() -> None:
    """Start the idle clock of a session that was just created (sign-in clears the session)."""
    session["_last_active"] = int(time.time())


def _expire_idle_session() -> None:
    """Sign out a session idle for longer than IDLE_MINUTES; passive requests don't count as activity."""
    if not current_user.is_authenticated:
        return
    now = int(time.time())
    last = session.get("_last_active")
    limit = current_app.config["IDLE_MINUTES"] * 60
    if last is not None and now - int(last) > limit:
        logout_user()
        session.clear()
        return
    if last is not None and now - int(last) < ACTIVITY_GRANULARITY:
        return  # recorded less than a minute ago: leave the cookie as it is
    view = current_app.view_functions.get(request.endpoint or "")
    if last is None or not (getattr(view, "_passive", False) or is_live_refresh()):
        session["_last_active"] = now


def is_live_refresh() -> bool:
    """A region re-fetching itself because someone else's event was announced (its element carries
    `X-Live-Refresh`): a read the person did not ask for, so it does not keep the session alive."""
    return request.method == "GET" and request.headers.get("X-Live-Refresh") == "1"


def init_session(app: Flask) -> None:
    @app.before_request
    def _open_scope():
        _expire_idle_session()
        g._scope_token = set_scope(scope_for_user(current_user))

    @app.teardown_request
    def _close_scope(exc):
        token = g.pop("_scope_token", None)
        if token is not None:
            reset_scope(token)
