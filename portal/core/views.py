"""The front page (choose your portal) and /healthz."""
from __future__ import annotations

from flask import Blueprint, jsonify, redirect, url_for
from flask_login import current_user
from sqlalchemy import text

from portal.extensions import db, limiter
from portal.security.permissions import public
from portal.web.render import render

bp = Blueprint("core", __name__)


@bp.route("/")
@public
def index():
    """Send a signed-in user home; show everyone else the three portals."""
    if current_user.is_authenticated:
        from portal.accounts.views import HOME

        return redirect(url_for(HOME[current_user.portal]))
    return render("core/index.html")


@bp.route("/healthz")
@limiter.exempt
@public
def healthz():
    """200 when the database answers, 503 with the reason when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except Exception as exc:  # noqa: BLE001 - any failure is "database unreachable"
        db.session.rollback()
        reason = type(exc).__name__
        return jsonify(status="unavailable", database="unreachable", reason=reason), 503
    return jsonify(status="ok", database="ok")
