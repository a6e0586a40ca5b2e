"""render(): the full page, or, for a partial htmx request, the named block of the same template."""
from __future__ import annotations

from flask import make_response, render_template
from jinja2_fragments.flask import render_block

from portal.web.htmx import add_trigger, is_partial


def render(template: str, fragment: str | None = None, status: int = 200, trigger: tuple[str, ...] = (), **ctx):
    """Render `template`; a partial htmx request gets only block `fragment` when one is named.

    The server, never the client, chooses the fragment. `Vary: HX-Request` keeps caches honest.
    """
    if fragment and is_partial():
        body = render_block(template, fragment, **ctx)
    else:
        body = render_template(template, **ctx)
    resp = make_response(body, status)
    resp.vary.add("HX-Request")
    if trigger:
        add_trigger(resp, *trigger)
    return resp
