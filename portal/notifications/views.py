"""The notification centre, the live badge and each person's delivery preferences."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_login import current_user

from portal.extensions import db
from portal.notifications import queries, services
from portal.notifications.forms import preferences_form
from portal.notifications.kinds import kinds_for
from portal.review.live import fingerprint, no_change, unchanged
from portal.security.permissions import Perm, requires
from portal.security.session import passive
from portal.web.pagination import Page, page_arg, parse_id
from portal.web.render import render

bp = Blueprint("notifications", __name__)


def _safe_link(link: str) -> str:
    """Only paths inside the portal are followed (a stored link never leads elsewhere)."""
    parts = urlsplit(link)
    inside = link.startswith("/") and "\\" not in link and not parts.scheme and not parts.netloc
    return link if inside else url_for("notifications.index")


@bp.route("/notifications")
@requires(Perm.ACCOUNT_SELF)
def index():
    """List my notifications, unread first, with mark-as-read."""
    unread_only = request.args.get("show") == "unread"
    number = page_arg()
    rows, total = queries.page(current_user, unread_only=unread_only, number=number)
    unread, newest = queries.unread_state(current_user)
    pager = Page(number, queries.PAGE_SIZE, total, "notifications.index", show="unread" if unread_only else None)
    state = fingerprint(unread, newest, number, unread_only)
    if unchanged(state):
        return no_change()
    return render("notifications/index.html", fragment="notifications_list", rows=rows, pager=pager,
                  unread=unread, newest=newest, unread_only=unread_only, state=state)


@bp.route("/notifications/badge")
@requires(Perm.ACCOUNT_SELF)
@passive
def badge():
    """The unread count in the header; 204 while it is what the page shows."""
    unread, newest = queries.unread_state(current_user)
    if unchanged(fingerprint(unread, newest)):
        return no_change()
    return render("notifications/_badge.html", unread=unread, seen=fingerprint(unread, newest))


def _mark_read(notification_id: int):
    """Mark one of my notifications read (404 for anyone else's); returns it."""
    row = queries.own(current_user, notification_id) or abort(404)
    services.mark_read(current_user, row)
    db.session.commit()
    return row


@bp.route("/notifications/<int:notification_id>/open", methods=["POST"])
@requires(Perm.ACCOUNT_SELF)
def open_one(notification_id: int):
    """Mark one notification read and follow its deep link."""
    return redirect(_safe_link(_mark_read(notification_id).link), 303)


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@requires(Perm.ACCOUNT_SELF)
def read_one(notification_id: int):
    """Mark one notification read and stay on the list."""
    _mark_read(notification_id)
    return redirect(request.referrer if _same_list(request.referrer) else url_for("notifications.index"), 303)


@bp.route("/notifications/read-all", methods=["POST"])
@requires(Perm.ACCOUNT_SELF)
def read_all():
    """Mark every notification I was shown read (a newer one arriving meanwhile stays unread)."""
    up_to = parse_id(request.form.get("up_to"))
    count = services.mark_all_read(current_user, up_to)
    db.session.commit()
    flash(f"Marked {count} notification{'s' if count != 1 else ''} as read." if count
          else "There was nothing unread.", "success")
    return redirect(url_for("notifications.index"), 303)


def _same_list(referrer: str | None) -> bool:
    if not referrer:
        return False
    base = url_for("notifications.index", _external=True)
    return referrer == base or referrer.startswith(base + "?")


@bp.route("/account/notifications", methods=["GET", "POST"])
@requires(Perm.ACCOUNT_SELF)
def preferences():
    """Choose, per kind, e-mail immediately, in a daily digest, or not at all."""
    kinds = kinds_for(current_user.portal)
    form = preferences_form(kinds, services.preferences(current_user))
    if form.validate_on_submit():
        changed = services.set_preferences(current_user, {f.name: f.data for f in form.kind_fields})
        db.session.commit()
        flash("Your notification settings are saved." if changed else "Nothing changed.", "success")
        return redirect(url_for("notifications.preferences"), 303)
    return render("notifications/preferences.html", status=422 if form.errors else 200, form=form, kinds=kinds)


@bp.app_template_global()
def header_state() -> dict:
    """What every signed-in page's header shows: the badge and the live cursor (one query)."""
    if "header_state" not in g:  # asked by the badge and by the live cursor of the same page
        unread, newest, cursor = queries.header_state(current_user)
        g.header_state = {"unread": unread, "seen": fingerprint(unread, newest), "cursor": cursor}
    return g.header_state
