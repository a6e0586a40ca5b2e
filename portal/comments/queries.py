"""Reads of comment threads, through the viewer's scope (the tenancy layer applies the visibility),
with each author named as the viewer may know them: a supplier never learns who at the client wrote
(it reads the company's name) nor which other supplier did."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from portal.accounts.models import Organisation, User
from portal.comments.models import Comment, Visibility
from portal.extensions import db

LIMIT = 200
#: Authors and their companies, read from the tables past the ORM's user scope on purpose: the label
#: below decides what the viewer learns of them.
_users, _orgs = User.__table__, Organisation.__table__


@dataclass
class CommentRow:
    id: int
    author: str
    visibility: str
    created_at: datetime
    body: str
    mine: bool

    @property
    def visibility_label(self) -> str:
        return Visibility(self.visibility).label


def _label(viewer: User, name: str, portal: str, org_id: int, org_name: str) -> str:
    if portal == "staff" or org_id == viewer.org_id:
        return name
    if viewer.portal == "staff":
        return f"{name} ({org_name})"
    if viewer.portal == "supplier":
        return org_name if portal == "client" else "Another supplier"
    return f"{name} ({org_name})"  # a client reads the supplier's people by name, as on its submissions


def thread(viewer: User, job_order_id: int, submission_id: int | None = None) -> list[CommentRow]:
    """The comments of a job order (or of one of its submissions) the viewer may read, oldest first."""
    where = Comment.submission_id == submission_id if submission_id else Comment.submission_id.is_(None)
    rows = db.session.execute(
        select(Comment.id, Comment.visibility, Comment.created_at, Comment.body, Comment.author_id,
               _users.c.name, _users.c.portal, Comment.author_org_id, _orgs.c.name)
        .join(_users, _users.c.id == Comment.author_id).join(_orgs, _orgs.c.id == Comment.author_org_id)
        .where(Comment.job_order_id == job_order_id, where)
        .order_by(Comment.created_at.desc(), Comment.id.desc()).limit(LIMIT)).all()
    out = [CommentRow(cid, _label(viewer, name, portal, org_id, org_name), visibility, created_at, body,
                      author_id == viewer.id)
           for cid, visibility, created_at, body, author_id, name, portal, org_id, org_name in rows]
    return out[::-1]
