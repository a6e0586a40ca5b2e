"""Fingerprinted static files: /assets/<digest>/<path> served with a one-year immutable cache.

`asset_url("css/portal.css")` in templates gives a URL that changes whenever the file
changes, so browsers and CDNs may cache it for a year.
"""
from __future__ import annotations

import hashlib
import os
from functools import lru_cache

from flask import Flask, abort, send_from_directory, url_for

from portal.security.permissions import public

ONE_YEAR = 365 * 24 * 3600


def init_assets(app: Flask) -> None:
    static = app.static_folder

    @lru_cache(maxsize=256)
    def _digest(filename: str) -> str:
        path = os.path.join(static, filename)
        with open(path, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()[:12]

    def asset_url(filename: str) -> str:
        if app.debug:
            _digest.cache_clear()
        return url_for("asset", digest=_digest(filename), filename=filename)

    @public
    def asset(digest: str, filename: str):
        """Serve a static file under its content digest, cached for a year."""
        try:
            current = _digest(filename)
        except (OSError, ValueError):
            abort(404)
        resp = send_from_directory(static, filename, max_age=ONE_YEAR if digest == current else 0)
        if digest == current:
            resp.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
        return resp

    app.add_url_rule("/assets/<digest>/<path:filename>", "asset", asset)
    app.jinja_env.globals["asset_url"] = asset_url
