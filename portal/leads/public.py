"""The public "request talent" form: no sign-in, rate-limited per address, with a honeypot."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, request, session, url_for

from portal.db.tenancy import system_scope
from portal.extensions import db, limiter
from portal.leads import services
from portal.leads.forms import TalentRequestForm
from portal.leads.models import LeadSource
from portal.leads.views import refuse
from portal.security.permissions import public
from portal.web.render import render

bp = Blueprint("talent", __name__)

#: A talent request is a few kilobytes; anything much larger is not a person typing.
MAX_BODY = 64 * 1024
DEFAULT_LIMIT = "5 per 10 minutes; 20 per day"


def _limit() -> str:
    return current_app.config.get("TALENT_REQUEST_LIMIT") or DEFAULT_LIMIT


@bp.route("/request-talent", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
@public
def request_talent():
    """Ask the agency for talent: company, contact, roles, how many, where and when."""
    if request.method == "POST" and (request.content_length or 0) > MAX_BODY:
        abort(413)
    form = TalentRequestForm()
    if form.is_submitted() and request.form.get("website"):
        # The honeypot was filled in: a bot. Answer as if it worked, keep nothing, send nothing.
        current_app.logger.info("talent request discarded by the honeypot from %s", request.remote_addr)
        session["talent_request"] = {}
        return redirect(url_for("talent.thanks"))
    if form.validate_on_submit():
        with system_scope("public talent request"):
            try:
                lead, created = services.create_lead(None, source=LeadSource.WEB_FORM.value,
                                                     create_key=form.create_key.data or None, **form.lead_fields())
            except services.LeadError as exc:
                refuse(form, exc, "company_name")
            else:
                # A resent form shows its own request again; a key reused by someone else shows
                # nothing of the request it collided with.
                same_sender = created or (lead.email or "") == (form.email.data or "").strip().lower()
                done = ({"company": lead.company_name, "email": lead.email, "reference": lead.reference}
                        if same_sender else {})
                db.session.commit()
                session["talent_request"] = done
                return redirect(url_for("talent.thanks"))
    return render("leads/request.html", status=422 if form.is_submitted() else 200, form=form)


@bp.route("/request-talent/thanks")
@public
def thanks():
    """Confirm that the request arrived and say what happens next."""
    return render("leads/request_thanks.html", done=session.get("talent_request") or {})
