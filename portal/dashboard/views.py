"""The landing page of each portal after sign-in."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user
from sqlalchemy import func, select

from portal.accounts.models import Organisation, User, UserStatus
from portal.clients import queries as client_queries
from portal.events.queries import recent as recent_events
from portal.extensions import db
from portal.job_orders import queries as job_order_queries
from portal.leads import queries as lead_queries
from portal.oversight import queries as oversight_queries
from portal.sla import queries as sla_queries
from portal.security.permissions import Perm, requires
from portal.submissions import queries as submission_queries
from portal.web.render import render

bp = Blueprint("dashboard", __name__)


@bp.route("/client/")
@requires(Perm.CLIENT_HOME)
def client_home():
    """The hiring manager's home."""
    events = recent_events(10)
    return render("dashboard/client.html", events=events, org=current_user.org,
                  job_counts=job_order_queries.dashboard_counts(current_user),
                  sla_waiting=sla_queries.client_waiting(current_user))


@bp.route("/supplier/")
@requires(Perm.SUPPLIER_HOME)
def supplier_home():
    """The recruiter's home."""
    events = recent_events(10)
    board = submission_queries.supplier_dashboard(current_user)
    return render("dashboard/supplier.html", fragment="supplier_panels", events=events, org=current_user.org,
                  job_counts=board.job_counts, board=board)


@bp.route("/staff/")
@requires(Perm.STAFF_HOME)
def staff_home():
    """The account manager's home."""
    # One query: the organisations per kind, the active people, my lead follow-ups due and the job
    # order numbers.
    active = select(func.count(User.id)).where(User.status == UserStatus.ACTIVE.value).scalar_subquery()
    due = lead_queries.due_follow_ups(current_user.id).scalar_subquery()
    jobs = job_order_queries.staff_count_columns(current_user)
    rows = db.session.execute(select(Organisation.kind, func.count(Organisation.id), active, due, *jobs.values())
                              .group_by(Organisation.kind)).all()
    counts = {row[0]: row[1] for row in rows}
    figures = rows[0][2:] if rows else db.session.execute(select(active, due, *jobs.values())).one()
    active_users, due_follow_ups = figures[0], figures[1]
    job_counts = dict(zip(jobs, figures[2:]))
    # The account manager's clients with their SLA targets (one query, also the coverage panel's).
    scope = sla_queries.manager_scope(current_user.id)
    my_clients = [{"id": cid, "name": name, "code": code} for cid, name, code in scope.clients]
    events = recent_events(10)
    overdue_leads, overdue_total = lead_queries.overdue_leads(current_user.id)
    return render("dashboard/staff.html", counts=counts, active_users=active_users, my_clients=my_clients,
                  job_counts=job_counts,
                  events=events, overdue_leads=overdue_leads, overdue_total=overdue_total,
                  due_follow_ups=due_follow_ups,
                  account_follow_ups=client_queries.due_for(current_user.id),
                  coverage=oversight_queries.summary(current_user, scope=scope),
                  coverage_lists=oversight_queries.LISTS)
