"""Template globals and filters: can(), the portal of the page, dates."""
from __future__ import annotations

from datetime import datetime
from html import escape

from flask import Flask, has_request_context, request, url_for
from flask_login import current_user
from markupsafe import Markup

from portal import clock
from portal.security.permissions import Perm, can
from portal.web.nav import current_entry, nav_links


def _when(value: datetime | None) -> str:
    if value is None:
        return "—"
    return value.strftime("%d %b %Y, %H:%M UTC")


def _ago(value: datetime | None) -> str:
    if value is None:
        return "never"
    seconds = int((clock.now() - value).total_seconds())
    if seconds < 60:
        return "just now"
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'' if n == 1 else 's'} ago"
    return "just now"


def _options(choices, selected=None) -> Markup:
    """The <option>s of a filter's select from (value, text) pairs, `selected` marked.

    The staff filters list every client, supplier and job order with submissions (hundreds each at
    scale): written in one pass here, where the template loop cost three escapes and a macro frame
    per entry (~15 % of the staff submission list's CPU)."""
    return Markup("".join(
        f'<option value="{escape(str(value))}"{" selected" if value == selected else ""}>{escape(str(text))}</option>'
        for value, text in choices))


#: Stands in for a row's id while an address is built once (no real id or query value is this long).
_STAND_IN = 918273645546372819


def row_url(endpoint: str, key: str, value: int, **values) -> str:
    """`url_for(endpoint, **{key: value}, **values)` for one of many rows of a page, `value` an integer id.

    url_for routes and encodes every address anew (~25 µs; a page of 25 review cards asked it ~140
    times, ~12 % of its CPU). Here it runs once per request for each endpoint and set of other values,
    with a stand-in for the id, and each row's address is its id written in its place: the same text.
    Only for endpoints whose id is an `int` argument (the stand-in must appear once)."""
    # Kept on the request (not `g`, which outlives it where an application context was pushed around it).
    cache = getattr(request, "_portal_row_urls", None)
    if cache is None:
        cache = request._portal_row_urls = {}
    signature = (endpoint, key, *sorted(values.items()))
    parts = cache.get(signature)
    if parts is None:
        built = url_for(endpoint, **{key: _STAND_IN}, **values)
        head, found, tail = built.partition(str(_STAND_IN))
        if not found or str(_STAND_IN) in tail:
            raise ValueError(f"{endpoint}: {key} is not written once in its address")
        parts = cache[signature] = (head, tail)
    return f"{parts[0]}{int(value)}{parts[1]}"


def _portal_of_page() -> str:
    if not has_request_context():  # e-mail rendered by tick or the CLI
        return "public"
    if current_user.is_authenticated:
        return current_user.portal
    view_args = request.view_args or {}
    if view_args.get("portal") in ("client", "supplier", "staff"):
        return view_args["portal"]
    return "public"


def init_templating(app: Flask) -> None:
    app.jinja_env.globals.update(can=can, Perm=Perm, nav_links=nav_links, nav_current=current_entry, options=_options,
                                row_url=row_url)
    app.jinja_env.filters["when"] = _when
    app.jinja_env.filters["ago"] = _ago
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _page_context():
        return {"page_portal": _portal_of_page()}
