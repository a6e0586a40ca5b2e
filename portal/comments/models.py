"""Comments on a job order or on one of its submissions, with the visibility that decides who reads them.

The visibility rule lives in `Comment.tenant_criteria`, so every query, list and fragment is
filtered by the tenancy layer:

- staff read every comment;
- a client reads, on its own job orders, "staff and client" and "everyone" comments (on a
  submission only once the submission is visible to it), and whatever its own people wrote;
- a supplier reads "staff and supplier" and "everyone" comments on its own submissions and on
  the job orders released to it (a job comment restricted to one supplier, `supplier_org_id`,
  only that supplier), and whatever its own people wrote.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, and_, false, or_, select, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base, UTCDateTime, utcnow
from portal.db.tenancy import Scope, Tenanted
from portal.job_orders.models import released_job_ids


class Visibility(StrEnum):
    STAFF = "staff"
    STAFF_CLIENT = "staff_client"
    STAFF_SUPPLIER = "staff_supplier"
    EVERYONE = "everyone"

    @property
    def label(self) -> str:
        return VISIBILITY_LABELS[self]


VISIBILITY_LABELS = {
    Visibility.STAFF: "Staff only",
    Visibility.STAFF_CLIENT: "Staff and client",
    Visibility.STAFF_SUPPLIER: "Staff and supplier",
    Visibility.EVERYONE: "Everyone on the job",
}
#: Who may write which visibility (anything else is refused, 422).
WRITABLE = {
    "staff": tuple(Visibility),
    "client": (Visibility.STAFF_CLIENT, Visibility.EVERYONE, Visibility.STAFF),
    "supplier": (Visibility.STAFF_SUPPLIER, Visibility.EVERYONE),
}
#: What each party reads of the other parties' comments.
READS = {
    "client": (Visibility.STAFF_CLIENT.value, Visibility.EVERYONE.value),
    "supplier": (Visibility.STAFF_SUPPLIER.value, Visibility.EVERYONE.value),
}


def _visible_submission_ids(client_org_id: int):
    """SQL: the submissions a client sees (Core columns: no tenancy recursion)."""
    from portal.submissions.models import Submission

    c = Submission.__table__.c
    return select(c.id).where(c.client_org_id == client_org_id, c.client_visible_at.is_not(None))


class Comment(Tenanted, Base):
    __tablename__ = "comment"
    __table_args__ = (
        Index("ix_comment_job_order_id_submission_id", "job_order_id", "submission_id"),
        Index("ix_comment_submission_id", "submission_id"),
        # The comment form's idempotency key: a double click posts one comment.
        Index("uq_comment_author_id_create_key", "author_id", "create_key", unique=True,
              sqlite_where=text("create_key IS NOT NULL"), postgresql_where=text("create_key IS NOT NULL")),
        CheckConstraint("visibility IN ('staff', 'staff_client', 'staff_supplier', 'everyone')", name="visibility"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_order_id: Mapped[int] = mapped_column(ForeignKey("job_order.id"))
    #: NULL for a comment on the job order itself.
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"))
    client_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    #: The one supplier this comment concerns (its submission, or a supplier's own job comment);
    #: NULL on a job comment for every supplier the job is released to.
    supplier_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    visibility: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    author_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    body: Mapped[str] = mapped_column(String(2000))
    create_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @classmethod
    def tenant_criteria(cls, scope: Scope):
        own = cls.author_org_id == scope.org_id
        if scope.kind == "client":
            shown = and_(cls.visibility.in_(READS["client"]),
                         or_(cls.submission_id.is_(None), cls.submission_id.in_(_visible_submission_ids(scope.org_id))))
            return and_(cls.client_org_id == scope.org_id, or_(own, shown))
        if scope.kind == "supplier":
            concerns = or_(cls.supplier_org_id == scope.org_id,
                           and_(cls.supplier_org_id.is_(None), cls.submission_id.is_(None),
                                cls.job_order_id.in_(released_job_ids(scope.org_id))))
            return or_(own, and_(cls.visibility.in_(READS["supplier"]), concerns))
        return false()

    @property
    def visibility_label(self) -> str:
        return Visibility(self.visibility).label
