"""Questions and answers on a job order, staff-only notes, and who opened a job order when.

Who may call: the views (after their permission check) and the demo; each function flushes
and never commits. A question's answer is told to every released supplier, never who asked.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal import clock
from portal.accounts.models import User
from portal.extensions import db
from portal.job_orders.errors import JobOrderError
from portal.job_orders.models import JobOrder, JobOrderNote, JobOrderQuestion, JobOrderView
from portal.job_orders.services import S, _check_owner, _event, _staff_only, _tell_suppliers, is_released_to, writes


@writes
def ask_question(actor: User, job: JobOrder, body: str, *, create_key: str | None = None) -> JobOrderQuestion:
    """A supplier's question on a job released to it (open or on hold, not pulled)."""
    body = (body or "").strip()
    if not body:
        raise JobOrderError("Write your question.", "body")
    if len(body) > 2000:
        raise JobOrderError("Use 2000 characters or fewer.", "body")
    if actor.portal != "supplier":
        raise JobOrderError("Questions are asked by suppliers.", status=403)
    if job.status not in (S.OPEN.value, S.ON_HOLD.value) or not is_released_to(job, actor.org_id):
        raise JobOrderError(f"{job.reference} is closed to your company: questions can't be asked.", status=409)
    if create_key:
        existing = db.session.scalar(select(JobOrderQuestion).where(
            JobOrderQuestion.job_order_id == job.id, JobOrderQuestion.create_key == create_key))
        if existing is not None:
            return existing
    question = JobOrderQuestion(job_order_id=job.id, client_org_id=job.client_org_id, supplier_org_id=actor.org_id,
                                asked_by_id=actor.id, body=body, create_key=create_key, asked_at=clock.now())
    db.session.add(question)
    db.session.flush()
    # Stamped with the client and the asking supplier only; the summary names no supplier.
    _event(actor, "job_order.question_asked", job, f"New question on {job.reference}: {body}",
           supplier_org_id=actor.org_id, data={"question_id": question.id})
    return question


@writes
def answer_question(actor: User, job: JobOrder, question: JobOrderQuestion, answer: str) -> None:
    """Answer a question once (the job's hiring manager, a client admin or staff); every
    released supplier then sees the question and its answer, not who asked."""
    answer = (answer or "").strip()
    if not answer:
        raise JobOrderError("Write the answer.", "answer")
    if len(answer) > 4000:
        raise JobOrderError("Use 4000 characters or fewer.", "answer")
    if actor.portal not in ("client", "staff"):
        raise JobOrderError("Questions are answered by the client or the agency.", status=403)
    _check_owner(actor, job)
    now = clock.now()
    result = db.session.execute(
        update(JobOrderQuestion)
        .where(JobOrderQuestion.id == question.id, JobOrderQuestion.answer.is_(None))
        .values(answer=answer, answered_by_id=actor.id, answered_at=now)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise JobOrderError("This question has already been answered.", status=409)
    db.session.expire(question)
    db.session.execute(update(JobOrder).where(JobOrder.id == job.id).values(changed_at=now)
                       .execution_options(synchronize_session=False))
    db.session.expire(job, ["changed_at"])
    _event(actor, "job_order.question_answered", job, f"{actor.name} answered a question on {job.reference}",
           data={"question_id": question.id})
    _tell_suppliers(actor, "job_order.question_answered", job,
                    f"Q&A on {job.reference}: {question.body} — {answer}", {"question_id": question.id})


@writes
def add_note(actor: User, job: JobOrder, body: str) -> JobOrderNote:
    """An internal note on a job order: staff only, its event internal."""
    body = (body or "").strip()
    if not body:
        raise JobOrderError("Write the note.", "body")
    if len(body) > 4000:
        raise JobOrderError("Use 4000 characters or fewer.", "body")
    _staff_only(actor, "Internal notes are for the agency's staff.")
    note = JobOrderNote(job_order_id=job.id, client_org_id=job.client_org_id, author_id=actor.id, body=body,
                        created_at=clock.now())
    db.session.add(note)
    db.session.flush()
    _event(actor, "job_order.note_added", job, f"{actor.name} added an internal note to {job.reference}",
           internal=True, data={"note_id": note.id})
    return note


@writes
def record_visit(user: User, job: JobOrder) -> datetime | None:
    """Remember that `user` opened `job` now; returns their previous visit (None: first)."""
    previous = db.session.scalar(select(JobOrderView.seen_at).where(
        JobOrderView.user_id == user.id, JobOrderView.job_order_id == job.id))
    now = clock.now()
    dialect = db.session.connection().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(JobOrderView.__table__).values(user_id=user.id, org_id=user.org_id, job_order_id=job.id,
                                                 seen_at=now)
    db.session.execute(stmt.on_conflict_do_update(index_elements=["user_id", "job_order_id"],
                                                  set_={"seen_at": now}))
    return previous
