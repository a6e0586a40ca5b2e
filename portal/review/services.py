"""State changes of the client's review: shortlist, reject (a reason code, a note to the supplier and
an internal note for staff and the client only), and the "seen" marks of the board.

Who may call: views after their permission check, the demo seeder and tests. Every decision takes
the acting user first, takes the write lock, moves the submission through `lifecycle.move` (the
TRANSITIONS table, a guarded UPDATE: 403 role, 404 another company, 409 stage) and writes its event
in the same transaction; it never commits.
"""
from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal import clock
from portal.accounts.models import User
from portal.comments.models import Visibility
from portal.comments.services import add_comment
from portal.extensions import db
from portal.job_orders.services import writes
from portal.offers.services import on_rejected
from portal.review.lifecycle import client_job, event, move, names, who
from portal.review.models import SubmissionView
from portal.submissions.models import REJECT_LABELS, RejectReason, Stage, Submission
from portal.submissions.services import MAX_REJECT_NOTE, SubmissionError

MAX_INTERNAL_NOTE = 2000


@writes
def shortlist(actor: User, sub: Submission) -> None:
    """Keep a candidate in the running: client review → shortlisted."""
    client_job(actor, sub)
    move(actor, sub, "shortlist")
    name, ref = names(sub)
    event(actor, "submission.shortlisted", sub, f"{who(actor)} shortlisted {name} for {ref}",
          data={"from": Stage.CLIENT_REVIEW.value, "to": Stage.SHORTLISTED.value})


@writes
def reject(actor: User, sub: Submission, reason: str | None, note: str | None = None,
           internal_note: str | None = None) -> None:
    """Turn a candidate down at any stage before the placement, with a reason code.

    `note` is addressed to the supplier (it reads it with the reason); `internal_note` is a comment
    for staff and the client only, never the supplier. An extended or accepted offer is withdrawn
    and interviews still being arranged are cancelled.
    """
    errors = []
    if reason not in REJECT_LABELS:
        errors.append(("reason", "Choose the reason from the list."))
    note = (note or "").strip() or None
    if note and len(note) > MAX_REJECT_NOTE:
        errors.append(("note", f"Use {MAX_REJECT_NOTE} characters or fewer."))
    internal_note = (internal_note or "").strip() or None
    if internal_note and len(internal_note) > MAX_INTERNAL_NOTE:
        errors.append(("internal_note", f"Use {MAX_INTERNAL_NOTE} characters or fewer."))
    if errors:
        raise SubmissionError(errors[0][1], errors[0][0], errors=errors)
    job = client_job(actor, sub)
    before = sub.stage
    move(actor, sub, "client_reject", rejected_at=clock.now(), rejected_by_id=actor.id, reject_reason=reason,
         reject_note=note)
    on_rejected(sub)
    name, ref = names(sub)
    said = f" {note}" if note else ""
    event(actor, "submission.rejected", sub, f"{who(actor)} rejected {name} for {ref}: {RejectReason(reason).label}."
          f"{said}", data={"from": before, "to": Stage.REJECTED.value, "reason": reason, "by": "client"})
    if internal_note:
        add_comment(actor, job, internal_note, Visibility.STAFF_CLIENT.value, submission=sub)


def mark_seen(user: User, sub: Submission) -> None:
    """Remember that `user` opened `sub` now (one row per person and submission; flushes)."""
    dialect = db.session.connection().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    now = clock.now()
    stmt = insert(SubmissionView.__table__).values(user_id=user.id, org_id=user.org_id, submission_id=sub.id,
                                                   seen_at=now)
    db.session.execute(stmt.on_conflict_do_update(index_elements=["user_id", "submission_id"],
                                                  set_={"seen_at": now}))
