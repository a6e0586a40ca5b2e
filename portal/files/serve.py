"""Serve a stored file as a download that a browser will never render or run in the portal's origin."""
from __future__ import annotations

import logging
import os

from flask import send_file
from werkzeug.utils import secure_filename

from portal.files.storage import MissingFile, get_storage
from portal.web.errors import error_response

log = logging.getLogger(__name__)


def download_name(original_name: str, extension: str, fallback_stem: str) -> str:
    """An ASCII, path-free file name for the Content-Disposition header only (never for storage)."""
    name = secure_filename(original_name or "")
    if not name.lower().endswith(extension):
        stem = secure_filename(fallback_stem) or "document"
        name = f"{stem}{extension}"
    return name


def send_attachment(storage_key: str, content_type: str, original_name: str, fallback_stem: str):
    """The file as an attachment with nosniff, no-store and a sandbox CSP; a missing file is a 404 page."""
    try:
        stream = get_storage().open(storage_key)
    except MissingFile:
        log.error("stored file %s is missing", storage_key)
        return error_response(404, "The file is missing from the portal's storage. Please upload it again.",
                              "File not found")
    extension = os.path.splitext(original_name or "")[1].lower() or ".bin"
    resp = send_file(stream, mimetype=content_type, as_attachment=True,
                     download_name=download_name(original_name, extension, fallback_stem),
                     conditional=False, etag=False, max_age=0)
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return resp
