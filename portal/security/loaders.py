"""Scoped loaders: load an object through the tenancy scope (404 when not visible)."""
from __future__ import annotations

from typing import TypeVar

from flask import abort
from sqlalchemy import select

from portal.extensions import db

T = TypeVar("T")


def load_or_404(model: type[T], object_id: int, *options) -> T:
    """Load `model` by id as the current scope sees it; a row of another party is a 404.

    A SELECT (never `session.get`) so that the identity map cannot hand back a row loaded
    under another scope.
    """
    stmt = select(model).where(model.id == object_id)  # type: ignore[attr-defined]
    if options:
        stmt = stmt.options(*options)
    obj = db.session.execute(stmt).unique().scalar_one_or_none()
    if obj is None:
        abort(404)
    return obj
