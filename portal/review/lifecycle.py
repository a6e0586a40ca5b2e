"""The review's side of the submission life cycle: who may act on a submission, the guarded move
through the one `TRANSITIONS` table (portal/submissions/services.py), and the events it writes.

Every decision of the review, the interviews, the offers and the placements goes through `move()`:
a role the table does not name is a 403; a client acting on another company's submission a 404,
and on a job order it does not own (a hiring manager's colleague's) a 403; a stage the table does
not allow — also when the submission moved while the person was looking at it, or when two people
act at once and the guarded UPDATE finds it moved — a 409 "This submission moved to <stage> in the
meantime", and nothing changes.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from portal.accounts.models import User
from portal.db.tenancy import system_scope
from portal.events.services import record
from portal.extensions import db
from portal.job_orders.models import LABELS, JobOrder, JobStatus
from portal.job_orders.services import owns
from portal.submissions import services as submissions
from portal.submissions.models import Stage, Submission
from portal.submissions.services import SubmissionError

NOT_OWNER = ("Only the job order's hiring manager or a client administrator can decide on its candidates. "
             "Nothing was changed.")
NOT_FOUND = "This submission is not your company's."


def when_text(value: datetime) -> str:
    """A time as every page shows it (the `when` filter), for event summaries."""
    return value.strftime("%d %b %Y, %H:%M UTC")


def client_job(actor: User, sub: Submission) -> JobOrder:
    """The job order of `sub` when `actor` may decide on it: 404 when the submission is another
    company's (or not visible to it), 403 when it is a colleague's job order."""
    if actor is None or actor.portal != "client" or actor.org_id != sub.client_org_id:
        raise SubmissionError(NOT_FOUND, status=404)
    job = db.session.scalar(select(JobOrder).where(JobOrder.id == sub.job_order_id))
    if job is None:
        raise SubmissionError(NOT_FOUND, status=404)
    if not owns(actor, job):
        raise SubmissionError(NOT_OWNER, status=403)
    return job


def check_active(job: JobOrder, doing: str) -> None:
    """Interviews and offers belong to a job still to fill: a filled or closed one refuses them (409)."""
    if job.status not in (JobStatus.OPEN.value, JobStatus.ON_HOLD.value):
        state = LABELS[JobStatus].get(job.status, job.status).lower()
        raise SubmissionError(f"{job.reference} is {state}: {doing} now. Nothing was changed.", status=409)


def check_supplier(actor: User, sub: Submission) -> None:
    """A supplier answers only for its own company's submissions (404 otherwise)."""
    if actor is None or actor.portal != "supplier" or actor.org_id != sub.supplier_org_id:
        raise SubmissionError(NOT_FOUND, status=404)


def current_stage(submission_id: int) -> str:
    """The stage as committed now (past the identity map and the caller's scope)."""
    c = Submission.__table__.c
    with system_scope("the stage a submission moved to"):
        return db.session.scalar(select(c.stage).where(c.id == submission_id))


def moved_message(stage: str, action: str) -> str:
    words = submissions.ACTION_WORDS.get(action, "changed")
    return (f"This submission moved to {Stage(stage).label.lower()} in the meantime: it can't be {words} now. "
            "Nothing was changed; the page shows where it is now.")


def move(actor: User | None, sub: Submission, action: str, **values) -> submissions.Transition:
    """Move `sub` by `action` with the submissions' guarded UPDATE, reading its stage afresh first.

    The callers hold the write lock (`writes`), so on SQLite the stage read here is the latest; on
    PostgreSQL a concurrent mover's UPDATE makes this one wait and then find nothing to update.
    Either way the loser gets a 409 naming the stage the submission is in now.
    """
    db.session.expire(sub)
    try:
        return submissions._move(actor, sub, action, **values)
    except SubmissionError as exc:
        if exc.status != 409:
            raise
        raise SubmissionError(moved_message(current_stage(sub.id), action), status=409) from None


def client_actions(actor: User, sub, job: JobOrder) -> set[str]:
    """The moves `actor` may make on `sub` now (pages show their forms from it; services re-check)."""
    if actor.portal != "client" or actor.org_id != job.client_org_id or not owns(actor, job):
        return set()
    return {t.action for t in submissions.TRANSITIONS if t.source == sub.stage and actor.role in t.roles}


def supplier_actions(actor: User, sub) -> set[str]:
    """The answers `actor` (a supplier) may give on `sub` now."""
    if actor.portal != "supplier" or actor.org_id != sub.supplier_org_id:
        return set()
    return {t.action for t in submissions.TRANSITIONS if t.source == sub.stage and actor.role in t.roles}


def who(actor: User | None) -> str:
    """How an actor is named in what both parties read: a client's people by their company (suppliers
    never learn who the hiring manager is), a supplier's by name and company, staff by name."""
    if actor is None:
        return "The portal"
    if actor.portal == "client":
        return actor.org.name
    if actor.portal == "supplier":
        return f"{actor.name} ({actor.org.name})"
    return actor.name


def names(sub: Submission) -> tuple[str, str]:
    """(candidate's name, job order reference) for event summaries."""
    return submissions._names(sub)


def event(actor: User | None, verb: str, sub: Submission, summary: str, *, data: dict | None = None,
          supplier: bool = True, client: bool = True):
    """One event about `sub`: stamped with its supplier (unless `supplier=False`: client-only news) and
    with its client once the submission is visible to it (unless `client=False`)."""
    visible = sub.client_visible_at is not None
    return record(actor, verb, sub, summary, supplier_org_id=sub.supplier_org_id if supplier else None,
                  client_org_id=sub.client_org_id if client and visible else None,
                  data=dict(data or {}, job_order_id=sub.job_order_id))
