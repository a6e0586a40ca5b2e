"""Sign-in at each portal, sign-out, password reset, invitations, my account, teams."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from portal.accounts import services
from portal.accounts.forms import ChangePasswordForm, ForgotForm, InviteForm, LoginForm, SetPasswordForm
from portal.accounts.models import PORTALS, ROLES_OF_KIND, OrgKind, Organisation, TokenPurpose, User
from portal.extensions import db, limiter
from portal.security.loaders import load_or_404
from portal.security.permissions import Perm, public, requires
from portal.security.session import mark_active
from portal.web.render import render

bp = Blueprint("accounts", __name__)

PORTAL_NAMES = {"client": "Client portal", "supplier": "Supplier portal", "staff": "Staff portal"}
HOME = {"client": "dashboard.client_home", "supplier": "dashboard.supplier_home", "staff": "dashboard.staff_home"}
SAME_MESSAGE = "The e-mail address or password is not right for the {name}."


def _safe_next(target: str | None, portal: str) -> str:
    """Only a local path of the same portal is followed after sign-in (no open redirect)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith(f"/{portal}/") and "\\" not in target:
            return target
    return url_for(HOME[portal])


def _account_key() -> str:
    return "login-account:" + services.normalise_email(request.form.get("email", ""))[:254]


def _failed(response) -> bool:
    return response.status_code == 401


def _check_portal(portal: str) -> None:
    if portal not in PORTALS:
        abort(404)


@bp.route("/<portal>/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_account_key,
               methods=["POST"], deduct_when=_failed)
@public
def login(portal: str):
    """Sign in at one portal; every failure gets the same message."""
    _check_portal(portal)
    if current_user.is_authenticated and current_user.portal == portal:
        return redirect(url_for(HOME[portal]))
    form = LoginForm()
    status = 200
    error = None
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data, portal)
        if user is not None:
            db.session.commit()
            session.clear()
            session.permanent = True
            login_user(user)
            mark_active()
            return redirect(_safe_next(request.args.get("next"), portal))
        db.session.rollback()
        error = SAME_MESSAGE.format(name=PORTAL_NAMES[portal].lower())
        status = 401
    elif form.is_submitted():
        status = 422
    return render("accounts/login.html", status=status, form=form, portal=portal,
                  portal_name=PORTAL_NAMES[portal], error=error)


@bp.route("/logout", methods=["POST"])
@public
def logout():
    """Sign out and return to the portal's sign-in page."""
    portal = current_user.portal if current_user.is_authenticated else "staff"
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("accounts.login", portal=portal))


@bp.route("/<portal>/forgot-password", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
@public
def forgot_password(portal: str):
    """Ask for a password reset link (the answer never reveals whether the account exists)."""
    _check_portal(portal)
    form = ForgotForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data, portal)
        db.session.commit()
        flash("If an account of this portal uses that address, we have sent it a link to set a new password. "
              "The link works once, for a limited time.", "info")
        return redirect(url_for("accounts.login", portal=portal))
    return render("accounts/forgot.html", status=422 if form.errors else 200, form=form, portal=portal,
                  portal_name=PORTAL_NAMES[portal])


@bp.route("/account/set-password/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
@public
def accept_token(token: str):
    """Set a password through an invitation or reset link (single use, expiring)."""
    purpose = None
    row = None
    for candidate in (TokenPurpose.INVITE, TokenPurpose.RESET):
        row = services.find_token(token, candidate)
        if row is not None:
            purpose = candidate
            break
    if row is None:
        return render("accounts/token_invalid.html", status=410)
    from portal.db.tenancy import system_scope

    with system_scope("token page"):
        user = db.session.scalar(select(User).where(User.id == row.user_id))
        org_name, portal, user_name, email = user.org.name, user.portal, user.name, user.email
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            services.use_token(token, purpose, form.password.data)
        except services.AccountError as exc:
            db.session.rollback()
            return render("accounts/token_invalid.html", status=exc.status, message=exc.message)
        db.session.commit()
        flash("Your password is set. You can sign in now.", "success")
        return redirect(url_for("accounts.login", portal=portal))
    return render("accounts/set_password.html", status=422 if form.errors else 200, form=form,
                  invite=purpose == TokenPurpose.INVITE, org_name=org_name, user_name=user_name,
                  email=email, portal=portal, page_portal=portal, portal_name=PORTAL_NAMES[portal])


@bp.route("/account", methods=["GET", "POST"])
@requires(Perm.ACCOUNT_SELF)
def my_account():
    """Change my password, or sign out on every device."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except services.AccountError as exc:
            db.session.rollback()
            form.current_password.errors.append(exc.message)
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # the cookie carries the new session version
            flash("Your password has been changed. Other devices have been signed out.", "success")
            return redirect(url_for("accounts.my_account"))
    return render("accounts/account.html", status=422 if form.errors else 200, form=form)


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@requires(Perm.ACCOUNT_SELF)
def sign_out_everywhere():
    """End every session of mine, this one included."""
    services.sign_out_everywhere(current_user)
    portal = current_user.portal
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have been signed out on every device.", "success")
    return redirect(url_for("accounts.login", portal=portal))


# --- teams of client and supplier admins --------------------------------------------------

TEAM_PERMS = {
    "client": (Perm.CLIENT_TEAM_VIEW, Perm.CLIENT_TEAM_MANAGE),
    "supplier": (Perm.SUPPLIER_TEAM_VIEW, Perm.SUPPLIER_TEAM_MANAGE),
}


def _team_page(form=None, status=200):
    org = current_user.org
    people = list(db.session.scalars(select(User).where(User.org_id == org.id).order_by(User.name)))
    form = form or _invite_form(org)
    return render("accounts/team.html", status=status, org=org, people=people, form=form,
                  manage_perm=TEAM_PERMS[current_user.portal][1])


def _invite_form(org: Organisation) -> InviteForm:
    form = InviteForm()
    form.role.choices = [(r.value, r.label) for r in ROLES_OF_KIND[OrgKind(org.kind)]]
    return form


def _team_view():
    return _team_page()


def _team_invite():
    org = current_user.org
    form = _invite_form(org)
    if form.validate_on_submit():
        try:
            user = services.invite_user(current_user, org, email=form.email.data, name=form.name.data,
                                        role=form.role.data, title=form.title.data or None)
        except services.AccountError as exc:
            db.session.rollback()
            getattr(form, exc.field or "email").errors.append(exc.message)
            return _team_page(form, 422)
        db.session.commit()
        flash(f"Invitation sent to {user.email}.", "success")
        return redirect(url_for(f"accounts.{current_user.portal}_team"))
    return _team_page(form, 422)


def _team_set_active(user_id: int, active: bool):
    user = load_or_404(User, user_id)
    if user.org_id != current_user.org_id:
        abort(404)
    try:
        services.set_user_active(current_user, user, active)
    except services.AccountError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _team_page(status=exc.status)
    db.session.commit()
    flash(f"{user.name} has been {'reactivated' if active else 'deactivated'}.", "success")
    return redirect(url_for(f"accounts.{current_user.portal}_team"))


for _portal, (_view_perm, _manage_perm) in TEAM_PERMS.items():
    bp.add_url_rule(f"/{_portal}/team", f"{_portal}_team", requires(_view_perm)(_team_view))
    bp.add_url_rule(f"/{_portal}/team/invite", f"{_portal}_team_invite",
                    requires(_manage_perm)(_team_invite), methods=["POST"])
    bp.add_url_rule(f"/{_portal}/team/<int:user_id>/deactivate", f"{_portal}_team_deactivate",
                    requires(_manage_perm)(lambda user_id: _team_set_active(user_id, False)), methods=["POST"])
    bp.add_url_rule(f"/{_portal}/team/<int:user_id>/reactivate", f"{_portal}_team_reactivate",
                    requires(_manage_perm)(lambda user_id: _team_set_active(user_id, True)), methods=["POST"])
