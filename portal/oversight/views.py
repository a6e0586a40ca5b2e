"""The coverage board (staff): live worklists across the account manager's clients, and nudges."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user

from portal.extensions import db
from portal.oversight import permissions as perms
from portal.oversight import queries, services
from portal.review.live import fingerprint, no_change, unchanged
from portal.security.permissions import requires
from portal.web import nav
from portal.web.errors import error_response
from portal.web.htmx import is_htmx
from portal.web.render import render

bp = Blueprint("oversight", __name__)

nav.add("staff", "oversight.board", "Coverage", perms.BOARD, position=1)


def _board_args():
    """The board's own arguments (`clients`, `list`): of this request, or, for a nudge sent without
    htmx, of the board page it was sent from, so a refused nudge shows the board as it was."""
    if request.method == "POST" and _same_board(request.referrer):
        return {k: v[0] for k, v in parse_qs(urlsplit(request.referrer).query).items()}
    return request.args


def _everyone() -> bool:
    return _board_args().get("clients") == "all"


def _fingerprint(board) -> str:
    """What the board shows, so a live refresh with nothing new answers 204 (and leaves a nudge's
    message in place)."""
    return fingerprint(board.mine, board.client_count, sorted(board.totals.items()), [
        (key, r.job_id, r.subject_id, r.detail, r.when, r.last_nudged_at,
         (r.clock.label, r.clock.text, r.clock.paused) if r.clock else None)
        for key, rows in sorted(board.lists.items()) for r in rows])


def _expanded() -> str | None:
    """The worklist opened with "Show more" (`?list=<key>`); anything else is ignored."""
    key = _board_args().get("list")
    return key if key in {k for k, _, _ in queries.LISTS} else None


def _board_page(status: int = 200, error: str | None = None):
    everyone, expand = _everyone(), _expanded()
    board = queries.board(current_user, everyone=everyone, expand=expand)
    seen = _fingerprint(board)
    if status == 200 and unchanged(seen):
        return no_change()
    clients = "all" if everyone else None
    return render("oversight/board.html", fragment="board", status=status, error=error,
                  board=board, lists=queries.LISTS, expand=expand, clients=clients, list_rows=queries.LIST_ROWS,
                  refresh=url_for("oversight.board", clients=clients, list=expand, seen=seen))


@bp.route("/staff/coverage")
@requires(perms.BOARD)
def board():
    """Show the worklists of jobs, candidates, interviews, offers and releases that need a push."""
    return _board_page()


@bp.route("/staff/coverage/<target>/<int:subject_id>/nudge", methods=["POST"])
@requires(perms.NUDGE)
def nudge(target: str, subject_id: int):
    """Remind whoever must act on a board item (once per quiet period)."""
    try:
        told = services.nudge(current_user, target, subject_id)
    except services.NudgeError as exc:
        db.session.rollback()
        if exc.status in (403, 404) or not is_htmx():
            if exc.status == 409 and not is_htmx():
                return _board_page(status=409, error=exc.message)
            return error_response(exc.status, exc.message)
        return render("oversight/board.html", fragment="nudge_result", status=409, ok=False, message=exc.message,
                      target=target, subject_id=subject_id)
    db.session.commit()
    message = f"Reminder sent to {told} {'person' if told == 1 else 'people'}." if told else \
        "Reminder recorded; nobody active to notify."
    if not is_htmx():
        flash(message, "success")
        return redirect(request.referrer if _same_board(request.referrer) else url_for("oversight.board"))
    return render("oversight/board.html", fragment="nudge_result", ok=True, message=message, target=target,
                  subject_id=subject_id, trigger=("nudge-changed",))


def _same_board(referrer: str | None) -> bool:
    if not referrer:
        return False
    return referrer.startswith(request.host_url.rstrip("/") + url_for("oversight.board"))
