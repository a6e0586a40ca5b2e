"""SLA pages of the staff portal: every client's targets, and one client's targets to edit."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.models import OrgKind, Organisation
from portal.extensions import db
from portal.security.loaders import load_or_404
from portal.security.permissions import requires
from portal.sla import permissions as perms
from portal.sla import queries, services
from portal.sla.forms import PolicyForm
from portal.web.errors import error_response
from portal.web.render import render

bp = Blueprint("sla", __name__)


@bp.route("/staff/sla")
@requires(perms.POLICY)
def policies():
    """List every client's SLA targets."""
    clients = list(db.session.scalars(select(Organisation).where(Organisation.kind == OrgKind.CLIENT.value)
                                      .order_by(Organisation.name)))
    return render("sla/policies.html", clients=clients, targets=queries.policies(c.id for c in clients),
                  default=queries.DEFAULT_POLICY)


@bp.route("/staff/sla/clients/<int:org_id>", methods=["GET", "POST"])
@requires(perms.POLICY)
def policy(org_id: int):
    """Set a client's SLA targets (empty fields: the defaults)."""
    client = load_or_404(Organisation, org_id)
    if client.kind != OrgKind.CLIENT.value:
        abort(404)
    if request.method == "GET":
        form = PolicyForm(formdata=None, obj=services.stored_targets(client.id))
    else:
        form = PolicyForm()
    status = 200
    if form.validate_on_submit():
        try:
            changed = services.set_policy(current_user, client, form.targets())
        except services.SlaError as exc:
            db.session.rollback()
            if exc.status in (403, 404):
                return error_response(exc.status, exc.message)
            for name, message in exc.errors:
                field = getattr(form, name or "", None) or form.first_submission_hours
                field.errors = [*field.errors, message]
        else:
            db.session.commit()
            flash(f"SLA targets of {client.name} saved." if changed else "Nothing changed.", "success")
            return redirect(url_for("sla.policy", org_id=client.id))
    if form.errors:
        status = 422
    return render("sla/policy.html", status=status, form=form, client=client,
                  current=queries.policy_for(client.id), default=queries.DEFAULT_POLICY)
