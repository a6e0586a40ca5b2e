"""Staff pages of client accounts: the list, one account, its log entries and follow-ups."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from portal import clock
from portal.accounts.models import OrgKind, Organisation
from portal.clients import permissions, queries, services
from portal.clients.forms import EntryForm, FollowUpForm
from portal.clients.models import ENTRY_KINDS, AccountFollowUp
from portal.clients.services import AccountError
from portal.extensions import db
from portal.security.loaders import load_or_404
from portal.security.permissions import requires
from portal.web import nav
from portal.web.pagination import MAX_ID, Page, page_arg
from portal.web.render import render

bp = Blueprint("clients", __name__, url_prefix="/staff")

nav.add("staff", "clients.accounts", "Clients", permissions.VIEW, position=1)


def _client_or_404(org_id: int) -> Organisation:
    """A client company by id; the agency, a supplier or an id out of range is a 404."""
    if org_id > MAX_ID:
        abort(404)
    org = load_or_404(Organisation, org_id)
    if org.kind != OrgKind.CLIENT.value:
        abort(404)
    return org


def _follow_up_form(**kw) -> FollowUpForm:
    form = FollowUpForm(**kw)
    form.assignee_id.choices = queries.staff_choices()
    if kw.get("formdata", True) is None:
        form.assignee_id.data = current_user.id
    return form


@bp.route("/clients")
@requires(permissions.VIEW)
def accounts():
    """List client accounts (mine or all, searchable) with open jobs, live submissions, placements
    this quarter and the next follow-up due."""
    scope = request.args.get("scope")
    scope = scope if scope in queries.SCOPES else "mine"
    q = (request.args.get("q") or "").strip()[:100] or None
    page = page_arg()
    rows, total = queries.account_page(me=current_user.id, scope=scope, q=q, page=page)
    pager = Page(page, queries.PAGE_SIZE, total, "clients.accounts", scope=scope, q=q)
    return render("clients/accounts.html", fragment="clients_results", rows=rows, pager=pager, scope=scope, q=q,
                  scopes=queries.SCOPES, quarter_start=queries.quarter_start(clock.now().date()))


def _account_page(client: Organisation, status: int = 200, *, entry_form=None, follow_up_form=None):
    open_follow_ups, done_follow_ups = queries.follow_ups(client)
    return render(
        "clients/account.html", status=status, client=client, contacts=queries.contacts(client),
        managers=queries.managers_of([client.id]).get(client.id, []), jobs=queries.open_jobs(client),
        pipeline=queries.PIPELINE, placements=queries.placements(client), entries=queries.log(client),
        open_follow_ups=open_follow_ups, done_follow_ups=done_follow_ups,
        entry_form=entry_form or EntryForm(formdata=None),
        follow_up_form=follow_up_form or _follow_up_form(formdata=None))


@bp.route("/clients/<int:org_id>")
@requires(permissions.VIEW)
def account(org_id: int):
    """One client account: contacts, account managers, open jobs and their pipeline, placements,
    the account log and follow-ups."""
    return _account_page(_client_or_404(org_id))


def _refuse(form, exc: AccountError, fallback: str) -> None:
    """Roll back and show a service's refusal next to its field."""
    db.session.rollback()
    target = getattr(form, exc.field or "", None) or getattr(form, fallback)
    target.errors = [*target.errors, exc.message]


@bp.route("/clients/<int:org_id>/log", methods=["POST"])
@requires(permissions.WORK)
def add_entry(org_id: int):
    """Add a note, call, e-mail or meeting to the account log."""
    client = _client_or_404(org_id)
    form = EntryForm()
    if not form.validate_on_submit():
        return _account_page(client, 422, entry_form=form)
    try:
        entry, created = services.add_entry(current_user, client, kind=form.kind.data,
                                            occurred_on=form.occurred_on.data, summary=form.summary.data,
                                            create_key=form.create_key.data or None)
    except AccountError as exc:
        _refuse(form, exc, "summary")
        return _account_page(client, exc.status, entry_form=form)
    db.session.commit()
    kind = ENTRY_KINDS[entry.kind]
    flash(f"{kind} added to the account log." if created else f"That {kind.lower()} was already in the log.",
          "success")
    return redirect(url_for("clients.account", org_id=client.id) + "#log")


@bp.route("/clients/<int:org_id>/follow-ups", methods=["POST"])
@requires(permissions.WORK)
def add_follow_up(org_id: int):
    """Plan a follow-up with a due date for an account manager."""
    client = _client_or_404(org_id)
    form = _follow_up_form()
    if not form.validate_on_submit():
        return _account_page(client, 422, follow_up_form=form)
    try:
        follow_up, created = services.add_follow_up(
            current_user, client, due_on=form.due_on.data, note=form.note.data,
            assignee_id=form.assignee_id.data or None, create_key=form.create_key.data or None)
    except AccountError as exc:
        _refuse(form, exc, "note")
        return _account_page(client, exc.status, follow_up_form=form)
    db.session.commit()
    who = "you" if follow_up.assignee_id == current_user.id else follow_up.assignee.name
    flash(f"Follow-up planned for {who}, due {follow_up.due_on:%d %b %Y}." if created
          else "That follow-up was already planned.", "success")
    return redirect(url_for("clients.account", org_id=client.id) + "#follow-ups")


@bp.route("/clients/follow-ups/<int:follow_up_id>/done", methods=["POST"])
@requires(permissions.WORK)
def follow_up_done(follow_up_id: int):
    """Mark an account follow-up done (back to the dashboard when asked from there)."""
    if follow_up_id > MAX_ID:
        abort(404)
    follow_up = load_or_404(AccountFollowUp, follow_up_id)
    back = (url_for("dashboard.staff_home") if request.form.get("back") == "dashboard"
            else url_for("clients.account", org_id=follow_up.client_org_id) + "#follow-ups")
    try:
        services.complete_follow_up(current_user, follow_up)
    except AccountError as exc:
        db.session.rollback()
        flash(exc.message, "info")
        return redirect(back)
    db.session.commit()
    flash("Follow-up done.", "success")
    return redirect(back)
