"""The landing page of each portal after sign-in."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user
from sqlalchemy import func, select

from portal.accounts.models import OrgKind, Organisation, User, UserStatus
from portal.events.queries import event_page
from portal.extensions import db
from portal.job_orders import queries as job_order_queries
from portal.leads import queries as lead_queries
from portal.security.permissions import Perm, requires
from portal.submissions import queries as submission_queries
from portal.web.render import render

bp = Blueprint("dashboard", __name__)


@bp.route("/client/")
@requires(Perm.CLIENT_HOME)
def client_home():
    """The hiring manager's home."""
    events, _ = event_page(limit=10)
    return render("dashboard/client.html", events=events, org=current_user.org,
                  job_counts=job_order_queries.dashboard_counts(current_user))


@bp.route("/supplier/")
@requires(Perm.SUPPLIER_HOME)
def supplier_home():
    """The recruiter's home."""
    events, _ = event_page(limit=10)
    return render("dashboard/supplier.html", fragment="supplier_panels", events=events, org=current_user.org,
                  job_counts=job_order_queries.dashboard_counts(current_user),
                  board=submission_queries.supplier_dashboard(current_user))


@bp.route("/staff/")
@requires(Perm.STAFF_HOME)
def staff_home():
    """The account manager's home."""
    counts = dict(db.session.execute(
        select(Organisation.kind, func.count(Organisation.id)).group_by(Organisation.kind)).all())
    active_users = db.session.scalar(select(func.count(User.id)).where(User.status == UserStatus.ACTIVE.value))
    my_clients = list(db.session.scalars(
        select(Organisation).where(Organisation.kind == OrgKind.CLIENT.value,
                                   Organisation.account_managers.any(User.id == current_user.id))
        .order_by(Organisation.name)))
    events, _ = event_page(limit=10)
    overdue_leads, overdue_total = lead_queries.overdue_leads(current_user.id)
    return render("dashboard/staff.html", counts=counts, active_users=active_users, my_clients=my_clients,
                  job_counts=job_order_queries.dashboard_counts(current_user),
                  events=events, overdue_leads=overdue_leads, overdue_total=overdue_total,
                  due_follow_ups=lead_queries.due_follow_up_count(current_user.id))
