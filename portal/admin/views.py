"""Staff pages to create and edit organisations, manage their people, and read the event log."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.accounts import services
from portal.accounts.forms import AccountManagersForm, InviteForm, OrganisationEditForm, OrganisationForm, TierForm
from portal.accounts.models import ROLES_OF_KIND, OrgKind, Organisation, User
from portal.admin import queries
from portal.events.queries import event_page
from portal.extensions import db
from portal.security.loaders import load_or_404
from portal.security.permissions import Perm, requires
from portal.web.pagination import Page, page_arg
from portal.web.render import render

bp = Blueprint("admin", __name__, url_prefix="/staff")


@bp.route("/organisations")
@requires(Perm.ORG_VIEW)
def organisations():
    """List client and supplier organisations, with search and a kind filter."""
    kind = request.args.get("kind") or None
    q = (request.args.get("q") or "").strip()[:100] or None
    page = page_arg()
    rows, total = queries.organisation_page(kind=kind, q=q, page=page)
    pager = Page(page, queries.PAGE_SIZE, total, "admin.organisations", kind=kind, q=q)
    return render("admin/organisations.html", fragment="admin_results", rows=rows, pager=pager, kind=kind, q=q)


@bp.route("/organisations/new", methods=["GET", "POST"])
@requires(Perm.ORG_MANAGE)
def new_organisation():
    """Create a client or supplier organisation."""
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            org = services.create_organisation(current_user, kind=form.kind.data, name=form.name.data,
                                               code=form.code.data, email_domain=form.email_domain.data)
        except services.AccountError as exc:
            db.session.rollback()
            getattr(form, exc.field or "name").errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"{org.name} has been created. Invite its first people below.", "success")
            return redirect(url_for("admin.organisation", org_id=org.id))
    return render("admin/organisation_new.html", status=422 if form.errors else 200, form=form)


def _org_page(org: Organisation, *, edit_form=None, invite_form=None, am_form=None, tier_form=None, status=200):
    people = list(db.session.scalars(select(User).where(User.org_id == org.id).order_by(User.name)))
    edit_form = edit_form or OrganisationEditForm(obj=org, formdata=None)
    invite_form = invite_form or _invite_form(org, formdata=None)
    ctx = dict(org=org, people=people, edit_form=edit_form, invite_form=invite_form)
    if org.kind == OrgKind.CLIENT.value:
        ctx["am_form"] = am_form or _am_form(org, formdata=None)
        ctx["panel"] = queries.panel_of(org)
        ctx["tier_form"] = tier_form or _tier_form(formdata=None)
    elif org.kind == OrgKind.SUPPLIER.value:
        ctx["clients"] = queries.clients_of(org)
    return render("admin/organisation.html", status=status, **ctx)


def _invite_form(org: Organisation, **kw) -> InviteForm:
    form = InviteForm(**kw)
    form.role.choices = [(r.value, r.label) for r in ROLES_OF_KIND[OrgKind(org.kind)]]
    return form


def _am_form(org: Organisation, **kw) -> AccountManagersForm:
    form = AccountManagersForm(**kw)
    form.account_managers.choices = [(u.id, u.name) for u in queries.staff_users()]
    if kw.get("formdata", True) is None:
        form.account_managers.data = [u.id for u in org.account_managers]
    return form


def _tier_form(**kw) -> TierForm:
    form = TierForm(**kw)
    form.supplier_id.choices = [(0, "Choose a supplier")] + [(s.id, s.name) for s in queries.suppliers()]
    return form


def _load_party_org(org_id: int) -> Organisation:
    org = load_or_404(Organisation, org_id)
    if org.kind == OrgKind.AGENCY.value:
        abort(404)
    return org


@bp.route("/organisations/<int:org_id>")
@requires(Perm.ORG_VIEW)
def organisation(org_id: int):
    """One organisation: its people, account managers or panel, and invitations."""
    return _org_page(_load_party_org(org_id))


@bp.route("/organisations/<int:org_id>/edit", methods=["POST"])
@requires(Perm.ORG_MANAGE)
def edit_organisation(org_id: int):
    """Rename an organisation, set its domain, or (de)activate it."""
    org = _load_party_org(org_id)
    form = OrganisationEditForm()
    if not form.validate_on_submit():
        return _org_page(org, edit_form=form, status=422)
    services.update_organisation(current_user, org, name=form.name.data, email_domain=form.email_domain.data,
                                 is_active=form.is_active.data)
    db.session.commit()
    flash("Organisation saved.", "success")
    return redirect(url_for("admin.organisation", org_id=org.id))


@bp.route("/organisations/<int:org_id>/account-managers", methods=["POST"])
@requires(Perm.ORG_MANAGE)
def set_account_managers(org_id: int):
    """Assign the agency's account managers to a client."""
    org = _load_party_org(org_id)
    if org.kind != OrgKind.CLIENT.value:
        abort(404)
    form = _am_form(org)
    if not form.validate_on_submit():
        return _org_page(org, am_form=form, status=422)
    try:
        services.set_account_managers(current_user, org, form.account_managers.data or [])
    except services.AccountError as exc:
        db.session.rollback()
        form.account_managers.errors.append(exc.message)
        return _org_page(org, am_form=form, status=422)
    db.session.commit()
    flash("Account managers saved.", "success")
    return redirect(url_for("admin.organisation", org_id=org.id))


@bp.route("/organisations/<int:org_id>/panel", methods=["POST"])
@requires(Perm.ORG_MANAGE)
def set_panel(org_id: int):
    """Put a supplier on a client's panel in a tier, or take it off."""
    org = _load_party_org(org_id)
    if org.kind != OrgKind.CLIENT.value:
        abort(404)
    form = _tier_form()
    if not form.validate_on_submit():
        return _org_page(org, tier_form=form, status=422)
    supplier = load_or_404(Organisation, form.supplier_id.data)
    if supplier.kind != OrgKind.SUPPLIER.value:
        abort(404)
    tier = int(form.tier.data) or None
    services.set_supplier_tier(current_user, org, supplier, tier)
    db.session.commit()
    flash(f"{supplier.name}: {'tier ' + str(tier) if tier else 'taken off the panel'}.", "success")
    return redirect(url_for("admin.organisation", org_id=org.id))


@bp.route("/organisations/<int:org_id>/invite", methods=["POST"])
@requires(Perm.USER_INVITE_ANY)
def invite(org_id: int):
    """Invite a person into a client or supplier organisation (or the agency, by its own page)."""
    org = load_or_404(Organisation, org_id)
    if org.kind == OrgKind.AGENCY.value and not current_user.role == "staff_admin":
        abort(403)
    form = _invite_form(org)
    if not form.validate_on_submit():
        return _org_or_staff_page(org, form)
    try:
        user = services.invite_user(current_user, org, email=form.email.data, name=form.name.data,
                                    role=form.role.data, title=form.title.data or None)
    except services.AccountError as exc:
        db.session.rollback()
        getattr(form, exc.field or "email").errors.append(exc.message)
        return _org_or_staff_page(org, form)
    db.session.commit()
    flash(f"Invitation sent to {user.email}.", "success")
    if org.kind == OrgKind.AGENCY.value:
        return redirect(url_for("admin.staff_people"))
    return redirect(url_for("admin.organisation", org_id=org.id))


def _org_or_staff_page(org, form):
    if org.kind == OrgKind.AGENCY.value:
        return _staff_page(form, 422)
    return _org_page(org, invite_form=form, status=422)


def _staff_page(form=None, status=200):
    agency = db.session.scalar(select(Organisation).where(Organisation.kind == OrgKind.AGENCY.value))
    people = list(db.session.scalars(select(User).where(User.org_id == agency.id).order_by(User.name)))
    return render("admin/staff_people.html", status=status, org=agency, people=people,
                  form=form or _invite_form(agency, formdata=None))


@bp.route("/people")
@requires(Perm.ORG_VIEW)
def staff_people():
    """The agency's own people."""
    return _staff_page()


def _set_active(user_id: int, active: bool):
    user = load_or_404(User, user_id)
    if user.portal == "staff" and current_user.role != "staff_admin":
        abort(403)
    back = url_for("admin.staff_people") if user.portal == "staff" else url_for("admin.organisation", org_id=user.org_id)
    try:
        services.set_user_active(current_user, user, active)
    except services.AccountError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        if user.portal == "staff":
            return _staff_page(status=exc.status)
        return _org_page(load_or_404(Organisation, user.org_id), status=exc.status)
    db.session.commit()
    flash(f"{user.name} has been {'reactivated' if active else 'deactivated'}.", "success")
    return redirect(back)


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@requires(Perm.USER_DEACTIVATE_ANY)
def deactivate_user(user_id: int):
    """Deactivate a user: their sessions end at their next request."""
    return _set_active(user_id, False)


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@requires(Perm.USER_DEACTIVATE_ANY)
def reactivate_user(user_id: int):
    """Reactivate a deactivated user."""
    return _set_active(user_id, True)


@bp.route("/events")
@requires(Perm.EVENTS_VIEW_ALL)
def events():
    """The event log, newest first."""
    verb = (request.args.get("verb") or "").strip()[:64] or None
    before = request.args.get("before", type=int)
    rows, next_before = event_page(verb_prefix=verb, before_id=before)
    return render("admin/events.html", fragment="admin_events", rows=rows, next_before=next_before, verb=verb)
