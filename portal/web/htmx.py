"""The one place that reads and writes htmx headers (through htmx-flask), so an htmx
upgrade touches one file."""
from __future__ import annotations

import json

from flask import Response
from htmx_flask import make_response as hx_make_response
from htmx_flask import request


def is_htmx() -> bool:
    """A request made by htmx (HX-Request: true)."""
    return bool(getattr(request, "htmx", False))


def is_partial() -> bool:
    """An htmx request that wants a fragment, not a boosted or history-restore full page."""
    hx = getattr(request, "htmx", None)
    return bool(hx) and not hx.boosted and not hx.history_restore_request


def hx_redirect(location: str, status: int = 200) -> Response:
    """Tell htmx to navigate the whole page (used when a session expires mid-request)."""
    resp = hx_make_response("", status, redirect=location)
    return resp


def add_trigger(resp: Response, *events: str) -> Response:
    """Announce events to other regions of the page (they listen with `from:body`)."""
    existing = resp.headers.get("HX-Trigger")
    names: dict = {}
    if existing:
        try:
            names = json.loads(existing)
        except ValueError:
            names = {name.strip(): None for name in existing.split(",")}
    for name in events:
        names[name] = None
    resp.headers["HX-Trigger"] = json.dumps(names)
    return resp


def push_url(resp: Response, url: str) -> Response:
    """Put `url` in the address bar instead of the request's (the server cleaned the filters up)."""
    resp.headers["HX-Push-Url"] = url
    return resp
