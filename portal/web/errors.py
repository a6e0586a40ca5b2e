"""Error pages (403, 404, 413, 422, 429, 500) as full pages, or small fragments for htmx."""
from __future__ import annotations

import math

from flask import Flask, render_template, request
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from portal.extensions import db
from portal.web.htmx import is_htmx

TITLES = {
    400: "Bad request",
    401: "Please sign in",
    403: "You can't do that",
    404: "Page not found",
    405: "Not allowed",
    409: "That changed in the meantime",
    413: "That file is too large",
    422: "Please check what you entered",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "The portal is briefly unavailable",
}

MESSAGES = {
    400: "The request could not be understood. Please go back and try again.",
    401: "Please sign in to continue.",
    403: "Your account does not have permission to do this. Ask your administrator if you need it.",
    404: "There is nothing here. The address may be mistyped, or the item is not shared with you.",
    405: "This page can't be used that way.",
    409: "Someone else changed this while you were working. Reload the page to see the latest.",
    413: "What you sent is larger than the portal accepts.",
    422: "Some of what you entered could not be accepted.",
    500: "The portal had a problem and nothing was changed. Please try again in a moment.",
}


def error_response(status: int, message: str | None = None, title: str | None = None):
    title = title or TITLES.get(status, "Error")
    message = message or MESSAGES.get(status, "")
    template = "errors/fragment.html" if is_htmx() else "errors/page.html"
    try:
        body = render_template(template, status=status, title=title, message=message)
    except (OperationalError, InterfaceError):
        # The page's layout reads the database (menu, badge, live cursor) and it is unreachable:
        # answer the 503 that says so rather than a bare 500 from inside this handler.
        return unavailable_response()
    resp = (body, status)
    return resp


UNAVAILABLE = ("The database could not be reached for a moment, so this may not have been saved. Please try again "
               "in a few seconds: sending the same form again never makes a second copy.")


def unavailable_response():
    """503 with a message and Retry-After, rendered without reading the database."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is gone; the pool discards it
        pass
    title = TITLES[503]
    template = "errors/fragment.html" if is_htmx() else "errors/unavailable.html"
    try:
        body = render_template(template, status=503, title=title, message=UNAVAILABLE)
    except Exception:  # noqa: BLE001 - e.g. the signed-in user could not be loaded either
        body = f"<!doctype html><title>{title}</title><h1>{title}</h1><p>{UNAVAILABLE}</p>"
    return body, 503, {"Retry-After": "5"}


def _retry_minutes(exc: RateLimitExceeded) -> int:
    try:
        from portal.extensions import limiter

        reset = limiter.current_limit.reset_at if limiter.current_limit else None
        if reset:
            import time

            return max(1, math.ceil((reset - time.time()) / 60))
    except Exception:  # noqa: BLE001 - fall back to the window of the limit
        pass
    return max(1, math.ceil(exc.limit.limit.get_expiry() / 60))


def init_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return error_response(
            400,
            "Your form had expired or was sent from somewhere else. Reload the page and try again; nothing was changed.",
            "The form could not be accepted",
        )

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(exc):
        minutes = _retry_minutes(exc)
        unit = "minute" if minutes == 1 else "minutes"
        return error_response(429, f"Too many attempts. Please try again in {minutes} {unit}.")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        message = exc.description if status in (409, 422) and exc.description else None
        if status == 413:
            message = (f"What you sent is larger than the portal accepts: a file can be at most "
                       f"{app.config['MAX_UPLOAD_MB']} MB. Nothing was saved.")
        return error_response(status, message)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_unavailable(exc):
        # The database restarted or is unreachable: a clear 503, not a 500. The pool pings connections
        # before use (pool_pre_ping), so the next request after it is back is served normally.
        app.logger.warning("database unavailable on %s %s: %s", request.method, request.path,
                           str(exc).splitlines()[0][:200])
        return unavailable_response()

    @app.errorhandler(Exception)
    def _unexpected(exc):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return error_response(500)
