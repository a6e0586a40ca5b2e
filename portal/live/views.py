"""The live-update endpoint polled by every signed-in page (cheap when nothing is new)."""
from __future__ import annotations

from flask import Blueprint, make_response, request

from portal.live.queries import trigger_names, verbs_since
from portal.security.permissions import Perm, requires
from portal.security.session import passive
from portal.web.htmx import add_trigger
from portal.web.render import render

bp = Blueprint("live", __name__)


@bp.route("/live")
@requires(Perm.ACCOUNT_SELF)
@passive
def poll():
    """Name what changed since the page's cursor: 204 when nothing, else the new cursor and triggers."""
    after = request.args.get("after", default=0, type=int)
    after = max(0, min(after, 2**31 - 1))  # event ids are 32-bit integers on PostgreSQL
    verbs, cursor = verbs_since(after)
    if not verbs:
        resp = make_response("", 204)
        resp.vary.add("HX-Request")
        resp.headers["Cache-Control"] = "no-store"
        return resp
    resp = render("live/cursor.html", cursor=cursor)
    resp.headers["Cache-Control"] = "no-store"
    return add_trigger(resp, *trigger_names(verbs))
