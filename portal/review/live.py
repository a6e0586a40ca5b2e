"""Live refresh that never wipes a form: a region's refresh URL carries a digest of what it shows
(`seen`), and the server answers 204 — nothing to swap — while that is unchanged.

Every page polls /live and refreshes the regions that listen to `…-changed`, including after the
viewer's own action (its event is in the log too). Without this, the refresh that follows a refused
form (its messages, what was typed) or a form being filled in would replace it with a fresh copy.
"""
from __future__ import annotations

import hashlib

from flask import make_response, request

from portal.web.htmx import is_partial


def fingerprint(*parts) -> str:
    """A short digest of what a region shows (ids, stages, statuses, times)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def card_state(c) -> tuple:
    """What a review card shows that others can change."""
    i, o, p = c.interview, c.offer, c.placement
    return (c.id, c.stage, c.stage_changed_at.isoformat(), c.new,
            (i.id, i.status, i.proposal, i.feedback_at is not None) if i else None,
            (o.id, o.status) if o else None, p.id if p else None)


def unchanged(digest: str) -> bool:
    """A live refresh of a region whose content is still what the page shows."""
    return is_partial() and request.args.get("seen") == digest


def no_change():
    resp = make_response("", 204)
    resp.vary.add("HX-Request")
    resp.headers["Cache-Control"] = "no-store"
    return resp
