"""Staff pages of the lead queue, leads, opportunities, follow-ups, routing and conversion."""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from portal import clock
from portal.accounts.models import User
from portal.extensions import db
from portal.leads import conversion, permissions, queries, services
from portal.leads.forms import (
    ActivityForm,
    AssignForm,
    ConvertForm,
    DisqualifyForm,
    EditOpportunityForm,
    FollowUpForm,
    LeadForm,
    OpportunityForm,
    QualifyForm,
    RoutingForm,
    StageForm,
)
from portal.leads.models import ActivityKind, FollowUp, Lead, Opportunity, Stage, label
from portal.leads.services import LeadError
from portal.security.loaders import load_or_404
from portal.security.permissions import has_permission, requires
from portal.web import nav
from portal.web.pagination import Page, page_arg
from portal.web.render import render

bp = Blueprint("leads", __name__, url_prefix="/staff")

nav.add("staff", "leads.queue", "Leads", permissions.VIEW)


@bp.app_template_filter("money")
def money(value, currency: str = "USD") -> str:
    """48000 → "USD 48,000"; 1250.5 → "USD 1,250.50"; None → "—"."""
    if value is None:
        return "—"
    value = Decimal(value)
    text = f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"
    return f"{currency} {text}"


@bp.app_template_global("crm_label")
def crm_label(kind: str, value: str | None) -> str:
    """Label of a CRM choice in templates: crm_label('Stage', opp.stage)."""
    from portal.leads import models

    return label(getattr(models, kind), value)


@bp.app_template_global("crm_today")
def crm_today():
    """Today by the portal's clock (follow-ups due, overdue)."""
    return clock.now().date()


def _args(*names: str) -> dict:
    return {name: (request.args.get(name) or "").strip()[:100] or None for name in names}


def _staff(field) -> None:
    field.choices = queries.staff_choices()


def refuse(form, exc: LeadError, fallback: str) -> None:
    """Roll back and show a service's refusal next to its field (a conflict also at the top)."""
    db.session.rollback()
    if exc.status == 409:
        flash(exc.message, "error")
    target = getattr(form, exc.field or "", None) or getattr(form, fallback)
    target.errors = [*target.errors, exc.message]


def _key(form) -> str | None:
    return form.create_key.data or None


def _act(subject, page, form, slot: str, fallback: str, change, done):
    """The fixed steps of a form on a lead or opportunity page: validate → service → commit →
    mail → flash and redirect. Bad input or a refusal re-renders the page with that form (422,
    or the refusal's 409). `change()` calls the service; `done(result)` gives (message, url)."""
    if not form.validate_on_submit():
        return page(subject, 422, **{slot: form})
    try:
        result = change()
    except LeadError as exc:
        refuse(form, exc, fallback)
        return page(subject, exc.status, **{slot: form})
    db.session.commit()
    message, url = done(result)
    flash(message, "success")
    return redirect(url)


# --- the queue and leads ---------------------------------------------------------------------

@bp.route("/leads")
@requires(permissions.VIEW)
def queue():
    """List leads: open ones by default, filtered by status, owner, overdue or a search."""
    args = _args("status", "owner", "q")
    overdue = request.args.get("overdue") == "1"
    page = page_arg()
    rows, total = queries.lead_page(status=args["status"], owner=args["owner"], q=args["q"], overdue=overdue,
                                    page=page, me=current_user.id)
    pager = Page(page, queries.PAGE_SIZE, total, "leads.queue", overdue="1" if overdue else None, **args)
    return render("leads/queue.html", fragment="leads_results", rows=rows, pager=pager, overdue=overdue,
                  staff=queries.staff_choices(), statuses=queries.LEAD_STATUS_FILTERS, lead_status=args["status"],
                  owner=args["owner"], q=args["q"])


@bp.route("/leads/new", methods=["GET", "POST"])
@requires(permissions.WORK)
def new_lead():
    """Enter a lead from a call, an event, a referral…; it is routed unless assigned here."""
    form = LeadForm()
    form.assign_to.choices = [(0, "Route it by the rules"), (current_user.id, f"Me ({current_user.name})")] + [
        (uid, name) for uid, name in queries.staff_choices() if uid != current_user.id]
    if form.validate_on_submit():
        try:
            lead, _ = services.create_lead(current_user, source=form.source.data, assign_to=form.assign_to.data or None,
                                           create_key=_key(form), **form.lead_fields())
        except LeadError as exc:
            refuse(form, exc, "company_name")
        else:
            db.session.commit()
            who = lead.assigned_to.name if lead.assigned_to else "nobody yet (no one is taking new leads)"
            flash(f"Lead {lead.reference} from {lead.company_name} recorded and given to {who}.", "success")
            return redirect(url_for("leads.lead", lead_id=lead.id))
    return render("leads/lead_new.html", status=422 if form.is_submitted() else 200, form=form)


def _lead_page(lead: Lead, status: int = 200, **forms):
    assign = forms.get("assign_form") or AssignForm(formdata=None, assigned_to_id=lead.assigned_to_id)
    _staff(assign.assigned_to_id)
    qualify = forms.get("qualify_form") or QualifyForm(
        formdata=None, name=f"{lead.company_name} — {lead.roles}"[:200],
        owner_id=lead.assigned_to_id or current_user.id)
    _staff(qualify.owner_id)
    return render(
        "leads/lead.html", status=status, lead=lead,
        activities=queries.activities(lead=lead), follow_ups=queries.follow_ups(lead=lead),
        history=queries.history(lead), assign_form=assign, qualify_form=qualify,
        disqualify_form=forms.get("disqualify_form") or DisqualifyForm(formdata=None),
        activity_form=forms.get("activity_form") or ActivityForm(formdata=None),
        follow_up_form=forms.get("follow_up_form") or FollowUpForm(formdata=None))


@bp.route("/leads/<int:lead_id>")
@requires(permissions.VIEW)
def lead(lead_id: int):
    """One lead: what was asked, its age and owner, its activities, follow-ups and history."""
    return _lead_page(load_or_404(Lead, lead_id))


@bp.route("/leads/<int:lead_id>/assign", methods=["POST"])
@requires(permissions.WORK)
def assign_lead(lead_id: int):
    """Give a lead to another colleague."""
    lead = load_or_404(Lead, lead_id)
    form = AssignForm()
    _staff(form.assigned_to_id)
    return _act(lead, _lead_page, form, "assign_form", "assigned_to_id",
                lambda: services.reassign(current_user, lead, form.assigned_to_id.data),
                lambda _: (f"{lead.reference} is now with {lead.assigned_to.name}.", _url_of(lead)))


@bp.route("/leads/<int:lead_id>/disqualify", methods=["POST"])
@requires(permissions.WORK)
def disqualify_lead(lead_id: int):
    """Close a lead that will not become business, with a reason."""
    lead = load_or_404(Lead, lead_id)
    form = DisqualifyForm()
    return _act(lead, _lead_page, form, "disqualify_form", "reason",
                lambda: services.disqualify(current_user, lead, form.reason.data, form.note.data),
                lambda _: (f"{lead.reference} has been disqualified.", _url_of(lead)))


@bp.route("/leads/<int:lead_id>/qualify", methods=["POST"])
@requires(permissions.WORK)
def qualify_lead(lead_id: int):
    """Turn a lead into an opportunity."""
    lead = load_or_404(Lead, lead_id)
    form = QualifyForm()
    _staff(form.owner_id)
    return _act(lead, _lead_page, form, "qualify_form", "name",
                lambda: services.qualify(current_user, lead, name=form.name.data, owner_id=form.owner_id.data,
                                         expected_value=form.expected_value.data, currency=form.currency.data,
                                         close_date=form.close_date.data, create_key=_key(form)),
                lambda opp: (f"{lead.reference} is now opportunity {opp.reference}.", _url_of(opp)))


def _log_activity(subject: Lead | Opportunity, page):
    form = ActivityForm()
    kind = "lead" if isinstance(subject, Lead) else "opportunity"
    return _act(subject, page, form, "activity_form", "summary",
                lambda: services.log_activity(current_user, kind=form.kind.data, occurred_on=form.occurred_on.data,
                                              summary=form.summary.data, create_key=_key(form), **{kind: subject}),
                lambda _: (f"{label(ActivityKind, form.kind.data)} logged on {subject.reference}.",
                           _url_of(subject) + "#activity"))


def _add_follow_up(subject: Lead | Opportunity, page):
    form = FollowUpForm()
    kind = "lead" if isinstance(subject, Lead) else "opportunity"
    return _act(subject, page, form, "follow_up_form", "note",
                lambda: services.add_follow_up(current_user, due_on=form.due_on.data, note=form.note.data,
                                               create_key=_key(form), **{kind: subject}),
                lambda _: (f"Follow-up added, due {form.due_on.data:%d %b %Y}.", _url_of(subject) + "#follow-ups"))


def _url_of(subject: Lead | Opportunity) -> str:
    if isinstance(subject, Lead):
        return url_for("leads.lead", lead_id=subject.id)
    return url_for("leads.opportunity", opp_id=subject.id)


@bp.route("/leads/<int:lead_id>/activities", methods=["POST"])
@requires(permissions.WORK)
def lead_activity(lead_id: int):
    """Log a call, e-mail, meeting or note on a lead."""
    return _log_activity(load_or_404(Lead, lead_id), _lead_page)


@bp.route("/leads/<int:lead_id>/follow-ups", methods=["POST"])
@requires(permissions.WORK)
def lead_follow_up(lead_id: int):
    """Add a follow-up with a due date to a lead."""
    return _add_follow_up(load_or_404(Lead, lead_id), _lead_page)


# --- opportunities ---------------------------------------------------------------------------

@bp.route("/opportunities")
@requires(permissions.VIEW)
def opportunities():
    """List opportunities: open ones by default, filtered by stage, owner or a search."""
    args = _args("stage", "owner", "q")
    page = page_arg()
    rows, total = queries.opportunity_page(stage=args["stage"], owner=args["owner"], q=args["q"], page=page,
                                           me=current_user.id)
    pager = Page(page, queries.PAGE_SIZE, total, "leads.opportunities", **args)
    return render("leads/opportunities.html", fragment="leads_opportunities", rows=rows, pager=pager,
                  staff=queries.staff_choices(), stages=queries.STAGE_FILTERS, **args)


@bp.route("/opportunities/new", methods=["GET", "POST"])
@requires(permissions.WORK)
def new_opportunity():
    """Open an opportunity without a lead: more business with a client (an upsell) or a prospect."""
    form = OpportunityForm()
    if not form.is_submitted():
        form.owner_id.data = current_user.id
        form.client_org_id.data = request.args.get("client", type=int) or 0
    _staff(form.owner_id)
    form.client_org_id.choices = [(0, "A prospect (not a client yet)")] + queries.client_choices()
    if form.validate_on_submit():
        try:
            opp, _ = services.create_opportunity(
                current_user, name=form.name.data, owner_id=form.owner_id.data,
                client_org_id=form.client_org_id.data or None, prospect_name=form.prospect_name.data,
                contact_name=form.contact_name.data, contact_email=form.contact_email.data,
                contact_phone=form.contact_phone.data, roles=form.roles.data, headcount=form.headcount.data,
                location=form.location.data, start_date=form.start_date.data, details=form.details.data,
                expected_value=form.expected_value.data, currency=form.currency.data,
                close_date=form.close_date.data, create_key=_key(form))
        except LeadError as exc:
            refuse(form, exc, "name")
        else:
            db.session.commit()
            flash(f"Opportunity {opp.reference} opened.", "success")
            return redirect(url_for("leads.opportunity", opp_id=opp.id))
    return render("leads/opportunity_new.html", status=422 if form.is_submitted() else 200, form=form)


def _opportunity_page(opp: Opportunity, status: int = 200, **forms):
    edit = forms.get("edit_form") or EditOpportunityForm(formdata=None, obj=opp)
    _staff(edit.owner_id)
    allowed = services.allowed_stages(opp)
    stage = forms.get("stage_form") or StageForm(formdata=None, stage=services.next_stage(opp))
    stage.stage.choices = [(s.value, label(Stage, s.value)) for s in allowed]
    return render(
        "leads/opportunity.html", status=status, opp=opp, allowed=allowed,
        activities=queries.activities(opportunity=opp), follow_ups=queries.follow_ups(opportunity=opp),
        history=queries.history(opp), edit_form=edit, stage_form=stage,
        job_reference=queries.job_reference(opp.job_order_id),
        activity_form=forms.get("activity_form") or ActivityForm(formdata=None),
        follow_up_form=forms.get("follow_up_form") or FollowUpForm(formdata=None),
        can_convert=has_permission(current_user, permissions.CONVERT))


@bp.route("/opportunities/<int:opp_id>")
@requires(permissions.VIEW)
def opportunity(opp_id: int):
    """One opportunity: stage, value, close date, activities, follow-ups, conversion."""
    return _opportunity_page(load_or_404(Opportunity, opp_id))


@bp.route("/opportunities/<int:opp_id>/edit", methods=["POST"])
@requires(permissions.WORK)
def edit_opportunity(opp_id: int):
    """Change an opportunity's name, owner, value, close date or what was asked."""
    opp = load_or_404(Opportunity, opp_id)
    form = EditOpportunityForm()
    _staff(form.owner_id)
    return _act(opp, _opportunity_page, form, "edit_form", "name",
                lambda: services.update_opportunity(current_user, opp, **{name: form[name].data
                                                                           for name in services.EDITABLE}),
                lambda changes: ("Opportunity saved." if changes else "Nothing had changed.", _url_of(opp)))


@bp.route("/opportunities/<int:opp_id>/stage", methods=["POST"])
@requires(permissions.WORK)
def move_stage(opp_id: int):
    """Move an opportunity to another stage (lost needs a reason)."""
    opp = load_or_404(Opportunity, opp_id)
    form = StageForm()
    return _act(opp, _opportunity_page, form, "stage_form", "stage",
                lambda: services.move_stage(current_user, opp, form.stage.data,
                                            lost_reason=form.lost_reason.data or None, lost_note=form.lost_note.data),
                lambda _: (f"{opp.reference} is now {label(Stage, opp.stage).lower()}.", _url_of(opp)))


@bp.route("/opportunities/<int:opp_id>/activities", methods=["POST"])
@requires(permissions.WORK)
def opportunity_activity(opp_id: int):
    """Log a call, e-mail, meeting or note on an opportunity."""
    return _log_activity(load_or_404(Opportunity, opp_id), _opportunity_page)


@bp.route("/opportunities/<int:opp_id>/follow-ups", methods=["POST"])
@requires(permissions.WORK)
def opportunity_follow_up(opp_id: int):
    """Add a follow-up with a due date to an opportunity."""
    return _add_follow_up(load_or_404(Opportunity, opp_id), _opportunity_page)


def _convert_form(opp: Opportunity, **kw) -> ConvertForm:
    form = ConvertForm(**kw)
    if opp.client_org_id:
        form.client_org_id.choices = [(opp.client_org_id, opp.client.name)]
    else:
        form.client_org_id.choices = [(0, "Create a new client")] + queries.client_choices()
    return form


def _convert_defaults(opp: Opportunity) -> dict:
    """The conversion form filled in from what the request said: nothing to retype."""
    domain = (opp.contact_email or "").rpartition("@")[2] or None
    return dict(client_org_id=opp.client_org_id or 0, org_name=opp.prospect_name,
                code=services.suggest_code(opp.prospect_name) if not opp.client_org_id else None,
                email_domain=None if services.is_free_mail(domain) else domain,
                hm_name=opp.contact_name, hm_email=opp.contact_email, create_job=True,
                job_title=opp.roles, job_openings=opp.headcount or 1, job_location=opp.location,
                job_start_date=opp.start_date)


@bp.route("/opportunities/<int:opp_id>/convert", methods=["GET", "POST"])
@requires(permissions.CONVERT)
def convert(opp_id: int):
    """Make a won opportunity a client: the company, its first hiring manager, a draft job order."""
    opp = load_or_404(Opportunity, opp_id)
    if opp.converted_at is not None or opp.stage != Stage.WON.value:
        if request.method == "GET":
            flash("Only a won opportunity that is not yet converted can be converted.", "info")
            return redirect(url_for("leads.opportunity", opp_id=opp.id))
    if request.method == "GET":
        return render("leads/convert.html", opp=opp, form=_convert_form(opp, formdata=None,
                                                                         **_convert_defaults(opp)))
    form = _convert_form(opp)
    if not form.validate_on_submit():
        return render("leads/convert.html", status=422, opp=opp, form=form)
    job = None
    if form.create_job.data:
        job = conversion.DraftJob(title=form.job_title.data, openings=form.job_openings.data,
                                  location=form.job_location.data, start_date=form.job_start_date.data,
                                  summary=opp.details)
    try:
        result = conversion.convert(
            current_user, opp, client_org_id=form.client_org_id.data or None, org_name=form.org_name.data,
            code=form.code.data, email_domain=form.email_domain.data, hm_name=form.hm_name.data,
            hm_email=form.hm_email.data, hm_title=form.hm_title.data, job=job)
    except LeadError as exc:
        refuse(form, exc, "client_org_id")
        return render("leads/convert.html", status=exc.status, opp=opp, form=form)
    db.session.commit()
    done = [f"{result.client.name} is {'a new' if result.created_client else 'linked as the'} client"]
    if result.invited:
        done.append(f"{result.hiring_manager.name} has been invited to set a password")
    if result.job is not None:
        done.append(f"draft job order {result.job.reference} is waiting for them")
    flash("Converted: " + "; ".join(done) + ".", "success")
    return redirect(url_for("leads.opportunity", opp_id=opp.id))


# --- follow-ups ------------------------------------------------------------------------------

@bp.route("/follow-ups")
@requires(permissions.VIEW)
def follow_ups():
    """My open follow-ups, soonest due first (with done ones when asked)."""
    include_done = request.args.get("done") == "1"
    rows = queries.my_follow_ups(current_user.id, include_done=include_done)
    return render("leads/follow_ups.html", rows=rows, include_done=include_done)


@bp.route("/follow-ups/<int:follow_up_id>/done", methods=["POST"])
@requires(permissions.WORK)
def follow_up_done(follow_up_id: int):
    """Mark a follow-up done."""
    follow_up = load_or_404(FollowUp, follow_up_id)
    subject = follow_up.opportunity or follow_up.lead
    back = url_for("leads.follow_ups") if request.form.get("back") == "list" else _url_of(subject) + "#follow-ups"
    try:
        services.complete_follow_up(current_user, follow_up)
    except LeadError as exc:
        db.session.rollback()
        flash(exc.message, "info")
        return redirect(back)
    db.session.commit()
    flash("Follow-up done.", "success")
    return redirect(back)


# --- who takes new leads ---------------------------------------------------------------------

@bp.route("/leads/routing")
@requires(permissions.VIEW)
def routing():
    """Who takes new leads in the round robin, and how many open leads each holds."""
    return render("leads/routing.html", rows=queries.routing_rows(),
                  manage_all=has_permission(current_user, permissions.ROUTING), form=RoutingForm(formdata=None))


@bp.route("/leads/routing/<int:user_id>", methods=["POST"])
@requires(permissions.WORK)
def set_routing(user_id: int):
    """Start or stop taking new leads (for myself; an administrator for anyone)."""
    user = load_or_404(User, user_id)
    if user.portal != "staff":
        abort(404)
    if user.id != current_user.id and not has_permission(current_user, permissions.ROUTING):
        abort(403)
    form = RoutingForm()
    if not form.validate_on_submit():
        abort(422)
    takes = form.takes_new_leads.data == "1"
    try:
        services.set_takes_new_leads(current_user, user, takes)
    except LeadError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("leads.routing"))
    db.session.commit()
    flash(f"{user.name} {'now takes' if takes else 'no longer takes'} new leads.", "success")
    return redirect(url_for("leads.routing"))
