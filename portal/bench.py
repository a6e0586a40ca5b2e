"""Benchmark hooks, off unless PORTAL_BENCH_CEILING=1: the ceiling pages and the X-Query-Count header.

The ceiling page is the cheapest page this server configuration can serve: one indexed query
(the 50 newest job orders by primary key) rendered as a 50-row table, no session, no layout.
`make bench` reports every page's throughput as a ratio to it. The signed-in ceiling is the same
query and table inside the staff portal's layout, for a signed-in staff member: what any portal
page costs before it shows anything of its own (session, user, header, menu, CSRF token). The
benchmark reports it as a reference row, not as a page with targets. None of these hooks exists
in normal production: `create_app` registers them only when the flag (or BENCH_CEILING) is set.
"""
from __future__ import annotations

import os

from flask import Blueprint, Flask, g, render_template
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from portal.db.tenancy import system_scope
from portal.extensions import db
from portal.job_orders.models import JobOrder
from portal.job_orders.permissions import STAFF_VIEW
from portal.security.permissions import public, requires
from portal.web.render import render

bp = Blueprint("bench", __name__)

CEILING_ROWS = 50


def bench_enabled(app: Flask) -> bool:
    flag = app.config.get("BENCH_CEILING")
    if flag is None:
        flag = os.environ.get("PORTAL_BENCH_CEILING", "").strip().lower() in {"1", "true", "yes", "on"}
    return bool(flag)


def _newest_job_orders():
    return db.session.execute(
        select(JobOrder.id, JobOrder.reference, JobOrder.title, JobOrder.status, JobOrder.location,
               JobOrder.created_at).order_by(JobOrder.id.desc()).limit(CEILING_ROWS)).all()


@bp.route("/bench/ceiling")
@public
def ceiling():
    """Render the 50 newest job orders: one indexed query, a plain table (the benchmark's yardstick)."""
    with system_scope("bench ceiling"):
        rows = _newest_job_orders()
    return render_template("bench/ceiling.html", rows=rows)


@bp.route("/staff/bench/ceiling")
@requires(STAFF_VIEW)
def signed_in_ceiling():
    """The same query and table in the staff layout, for a signed-in staff member (a reference row)."""
    return render("bench/signed_in_ceiling.html", rows=_newest_job_orders())


def _count_query(conn, cursor, statement, parameters, context, executemany):
    try:
        g.query_count = g.get("query_count", 0) + 1
    except RuntimeError:  # outside an application context (CLI, seeding)
        pass


def init_bench(app: Flask) -> None:
    """Register the ceiling page and the per-request SQL query counter (bench flag only)."""
    if not bench_enabled(app):
        return
    app.register_blueprint(bp)
    if not event.contains(Engine, "before_cursor_execute", _count_query):
        event.listen(Engine, "before_cursor_execute", _count_query)

    # `g` is new for every request (its own application context), so the count starts at 0 before
    # the first hook runs (the session's user loader is counted too).
    @app.after_request
    def _query_count_header(response):
        response.headers["X-Query-Count"] = str(g.get("query_count", 0))
        return response
