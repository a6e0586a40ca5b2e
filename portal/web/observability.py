"""Request ids, one structured access-log line per request, JSON logs in production."""
from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, g, request
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy import inspect as sa_inspect

_SAFE_ID = re.compile(r"^[A-Za-z0-9._\-]{8,64}$")
access_log = logging.getLogger("portal.access")


class _RequestIdFilter(logging.Filter):
    """Adds the current request id (or "-") to every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.request_id = g.get("request_id", "-")
        except RuntimeError:  # outside a request or app context
            record.request_id = "-"
        return True


def _configure_logging(app: Flask) -> None:
    fmt = app.config.get("LOG_FORMAT") or ("json" if app.config["PORTAL_ENV"] == "production" else "text")
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RequestIdFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        ))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    root = logging.getLogger("portal")
    root.handlers[:] = [handler]
    root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    root.propagate = False
    app.logger.handlers[:] = [handler]
    app.logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    app.logger.propagate = False


def _signed_in_id() -> str | None:
    """The id of the user this request loaded, read without the database: after a failed request
    rolled back, `current_user`'s attributes are expired, and reading one would query a database
    that may be the very thing that failed (a 503 then turned into a bare 500)."""
    user = g.get("_login_user")
    state = sa_inspect(user, raiseerr=False) if user is not None else None
    identity = state.identity if state is not None else None
    return str(identity[0]) if identity else None


def init_observability(app: Flask) -> None:
    _configure_logging(app)

    @app.before_request
    def _start():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response):
        response.headers["X-Request-ID"] = g.get("request_id", "-")
        if app.config.get("ACCESS_LOG", True) and request.endpoint != "static":
            elapsed = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
            user_id = _signed_in_id()
            access_log.info(
                "%s %s %s %.1fms", request.method, request.path, response.status_code, elapsed,
                extra={"method": request.method, "path": request.path, "status": response.status_code,
                       "duration_ms": round(elapsed, 1), "user_id": user_id,
                       "htmx": request.headers.get("HX-Request") == "true"},
            )
        return response
